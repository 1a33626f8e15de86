// Package slack serves Slack's slash command /incident, through which staff
// report what they see from chat. Each request is checked against the Slack
// app's signing secret; a report is stored as a signal before the user is
// told its reference.
package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/textrule"
)

// Acceptor stores signals durably. When Accept returns nil the signals are
// stored and their IDs set.
type Acceptor interface {
	Accept(ctx context.Context, sigs []*intake.Signal, dedupLabels []string) error
}

// The request signature headers Slack sends.
const (
	HeaderTimestamp = "X-Slack-Request-Timestamp"
	HeaderSignature = "X-Slack-Signature"
)

// MaxSkew is how far a request's timestamp may lie from now, as Slack
// advises, so that a captured request cannot be replayed later.
const MaxSkew = 5 * time.Minute

// maxBody bounds a request. Slack's slash command text is at most a few
// thousand characters; the other fields are short.
const maxBody = 64 << 10

// maxTitle is the length of a report's title in runes.
const maxTitle = 120

// Sign returns the X-Slack-Signature value for a body sent at ts (Unix
// seconds, as in X-Slack-Request-Timestamp): "v0=" and the hex HMAC-SHA256 of
// "v0:<ts>:<body>" under the signing secret.
func Sign(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + ts + ":"))
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a request's signature and that its timestamp lies within
// MaxSkew of now. The HMAC is computed and compared on every path, so a
// missing, malformed or wrong header costs the same time to refuse.
func Verify(secret, tsHeader, sigHeader string, body []byte, now time.Time) error {
	match := hmac.Equal([]byte(sigHeader), []byte(Sign(secret, tsHeader, body)))
	ts, perr := strconv.ParseInt(tsHeader, 10, 64)
	switch {
	case tsHeader == "" || sigHeader == "":
		return fmt.Errorf("%s and %s are required", HeaderTimestamp, HeaderSignature)
	case perr != nil:
		return fmt.Errorf("%s must be Unix seconds", HeaderTimestamp)
	case now.Sub(time.Unix(ts, 0)) > MaxSkew || now.Sub(time.Unix(ts, 0)) < -MaxSkew:
		return fmt.Errorf("%s is more than %s from now", HeaderTimestamp, MaxSkew)
	case !match:
		return fmt.Errorf("%s does not match the body", HeaderSignature)
	}
	return nil
}

type handler struct {
	secret    string
	acc       Acceptor
	now       func() time.Time
	log       *slog.Logger
	users     Users
	incidents Incidents
	flags     Flipper
	notes     Noter
	rooms     RoomIncidents
}

// NewHandler returns the handler for Slack's slash command requests (POST,
// form-encoded). An empty signing secret means the source is not configured:
// every request then gets 404.
func NewHandler(signingSecret string, acc Acceptor, now func() time.Time, log *slog.Logger, opts ...Option) http.Handler {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &handler{secret: signingSecret, acc: acc, now: now, log: log}
	for _, o := range opts {
		o(h)
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.secret == "" {
		problem(w, http.StatusNotFound, "the Slack intake is not configured")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		problem(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		problem(w, http.StatusRequestEntityTooLarge, "the body is larger than 64 KiB")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		// Checked after the signature, so an unsigned caller learns nothing.
		form = nil
	}
	// Slack checks the certificate of a command's URL now and then with an
	// unsigned ssl_check request that carries no command; it wants a 200.
	if form.Get("ssl_check") == "1" && form.Get("command") == "" {
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := Verify(h.secret, r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature), body, h.now()); err != nil {
		h.log.WarnContext(r.Context(), "slack: refused request", "remote", r.RemoteAddr, "err", err)
		// One answer for a missing, malformed or wrong signature, worded
		// as the other intake hooks word it; the reason is in the log.
		problem(w, http.StatusUnauthorized, "missing, malformed or wrong credentials")
		return
	}
	if form == nil {
		problem(w, http.StatusBadRequest, "the body is not form-encoded")
		return
	}
	h.command(w, r, form)
}

func (h *handler) command(w http.ResponseWriter, r *http.Request, f url.Values) {
	if field, p := textProblem(f); p != "" {
		ephemeral(w, http.StatusOK, "Not recorded · 접수하지 못했습니다: "+field+" "+escape(p))
		return
	}
	cmd := f.Get("command")
	if cmd == "" {
		cmd = "/incident"
	}
	sub, rest := splitWord(strings.TrimSpace(f.Get("text")))
	switch strings.ToLower(sub) {
	case "report":
		if rest == "" {
			ephemeral(w, http.StatusOK, usage(cmd))
			return
		}
		h.report(w, r, f, rest)
	case "update":
		h.update(w, r, f, rest, cmd)
	case "declare":
		h.declare(w, r, f, cmd, rest)
	case "mitigate":
		h.mitigate(w, r, f, rest, cmd)
	case "flag":
		h.flag(w, r, f, rest, cmd)
	case "note":
		h.note(w, r, f, rest, cmd)
	default:
		ephemeral(w, http.StatusOK, usage(cmd))
	}
}

func (h *handler) report(w http.ResponseWriter, r *http.Request, f url.Values, text string) {
	user := firstOf(f.Get("user_name"), f.Get("user_id"))
	title, _, _ := strings.Cut(text, "\n")
	// The text rules of every input path (internal/textrule).
	if p := firstOf(textrule.Problem(strings.TrimSpace(title), false, true), textrule.Problem(text, true, false)); p != "" {
		ephemeral(w, http.StatusOK, "Not recorded · 접수하지 못했습니다: text "+escape(p))
		return
	}
	labels := map[string]string{
		"channel":     f.Get("channel_name"),
		"reported_by": user,
		"alertname":   "chat report",
	}
	sig := &intake.Signal{
		Source:   "slack",
		Title:    intake.ClipRunes(strings.TrimSpace(title), maxTitle),
		Summary:  text,
		Status:   intake.Firing,
		Reporter: user,
		Labels:   labels,
		// Every report is its own signal. A request replayed whole (same
		// timestamp and text) lands on the same one and counts as a repeat.
		Fingerprint: intake.Fingerprint(map[string]string{
			"team": f.Get("team_id"), "user": f.Get("user_id"),
			"ts": r.Header.Get(HeaderTimestamp), "text": text,
		}, nil),
	}
	if err := h.acc.Accept(r.Context(), []*intake.Signal{sig}, nil); err != nil {
		h.log.ErrorContext(r.Context(), "slack: accept report", "user", user, "err", err)
		// Not stored, so not a 2xx: Slack tells the user the command failed.
		ephemeral(w, http.StatusServiceUnavailable,
			"Sorry, your report could not be recorded. Please try again in a moment.\n"+
				"죄송합니다. 제보를 기록하지 못했습니다. 잠시 후 다시 시도해 주세요.")
		return
	}
	h.log.InfoContext(r.Context(), "slack: report accepted", "signal", sig.ID, "user", user, "channel", labels["channel"])
	ref := fmt.Sprintf("SIG-%d", sig.ID)
	ephemeral(w, http.StatusOK, i18n.FixParticles(fmt.Sprintf(
		"Thank you for the report. It is recorded as *%[1]s* and the on-call team will look at it.\n"+
			"제보해 주셔서 감사합니다. *%[1]s*(으)로 접수되었으며 당직 담당자가 확인합니다.\n"+
			"> %[2]s", ref, escape(sig.Title))))
}

func usage(cmd string) string {
	return fmt.Sprintf("*Usage* · *사용법*\n"+
		"`%[1]s report <what you see>` — report a problem to the on-call team.\n"+
		"`%[1]s report <보고 있는 현상>` — 당직 담당자에게 문제를 제보합니다.\n"+
		"`%[1]s declare <SEV1-SEV5> <service> <title>` — declare an incident and tell who the policy names. · 장애를 선언하고 정책에 따라 전파합니다.\n"+
		"`%[1]s update INC-<n> [--public] <update>` — post a status update. · 상태 업데이트를 게시합니다.\n"+
		"`%[1]s mitigate INC-<n> [time]` — record that the impact stopped (now, or an RFC 3339 time). · 영향 종료 시각을 기록합니다.\n"+
		"`%[1]s flag INC-<n> <switch> <on|off|variant|default> <reason>` — flip a kill switch during an incident. · 장애 중 킬 스위치를 전환합니다.\n"+
		"`%[1]s note [INC-<n>] <text>` — add a note to the incident's timeline (in its channel, no number needed). · 장애 타임라인에 메모를 남깁니다.\n"+
		"`%[1]s help` — show this help. · 이 도움말을 봅니다.", cmd)
}

// ephemeral answers with a message only the user who ran the command sees.
func ephemeral(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"response_type": "ephemeral", "text": text})
}

// problem answers a caller that is not a working Slack app, as the webhook
// edge does.
func problem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": detail})
}

// splitWord splits off the first word of s.
func splitWord(s string) (word, rest string) {
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// escape makes text safe inside a Slack message: Slack reads &, < and > as
// markup.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func firstOf(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}
