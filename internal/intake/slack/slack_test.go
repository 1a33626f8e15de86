package slack_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/intake/slack"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

const secret = "8f742231b10e8888abcd99yyyzzz85a5"

var now = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)

// refusing is an acceptor that refuses every signal with err.
func refusing(err error) *testutil.Acceptor {
	a := &testutil.Acceptor{FirstID: 41}
	a.Refuse(err)
	return a
}

// slackBody is a slash command request as Slack sends it.
func slackBody(text string) string {
	return url.Values{
		"token":        {"gIkuvaNzQIHg97ATvDxqgjtO"},
		"team_id":      {"T0001"},
		"team_domain":  {"example"},
		"channel_id":   {"C2147483705"},
		"channel_name": {"payments-ops"},
		"user_id":      {"U2147483697"},
		"user_name":    {"jiyoung.kim"},
		"command":      {"/incident"},
		"text":         {text},
		"api_app_id":   {"A123456"},
		"response_url": {"https://hooks.slack.com/commands/1234/5678"},
		"trigger_id":   {"13345224609.738474920.8088930838d88f008e0"},
	}.Encode()
}

// sign signs as Slack documents it, independently of the package's Sign.
func sign(secret string, ts int64, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + strconv.FormatInt(ts, 10) + ":" + body))
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

type response struct {
	status      int
	contentType string
	Type        string `json:"response_type"`
	Text        string `json:"text"`
}

func do(t *testing.T, h http.Handler, method, body string, header map[string]string) response {
	t.Helper()
	req := httptest.NewRequest(method, "/slack/commands", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := response{status: rec.Code, contentType: rec.Header().Get("Content-Type")}
	b, _ := io.ReadAll(rec.Body)
	if res.contentType == "application/json" {
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatalf("answer is not JSON: %v: %s", err, b)
		}
	}
	return res
}

func signed(body string, ts time.Time) map[string]string {
	return map[string]string{
		slack.HeaderTimestamp: strconv.FormatInt(ts.Unix(), 10),
		slack.HeaderSignature: sign(secret, ts.Unix(), body),
	}
}

func newHandler(acc slack.Acceptor) http.Handler {
	return slack.NewHandler(secret, acc, func() time.Time { return now }, nil)
}

func TestReport(t *testing.T) {
	acc := &testutil.Acceptor{FirstID: 41}
	h := newHandler(acc)
	firstLine := "<b>결제</b> 페이지가 안 열립니다 — " + strings.Repeat("checkout 502 ", 12)
	text := firstLine + "\n고객센터 문의가 늘고 있습니다."
	body := slackBody("report " + text)
	res := do(t, h, http.MethodPost, body, signed(body, now.Add(-30*time.Second)))
	if res.status != http.StatusOK || res.Type != "ephemeral" {
		t.Fatalf("answer = %+v", res)
	}
	for _, want := range []string{"SIG-42", "Thank you", "감사합니다", "&lt;b&gt;"} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("answer %q lacks %q", res.Text, want)
		}
	}
	if len(acc.Signals()) != 1 {
		t.Fatalf("accepted %d signals, want 1", len(acc.Signals()))
	}
	s := acc.Signals()[0]
	wantTitle := []rune(firstLine)[:120]
	if s.Source != "slack" || s.Title != string(wantTitle) || s.Summary != text || s.Reporter != "jiyoung.kim" || s.Status != intake.Firing {
		t.Errorf("signal = %+v", s)
	}
	want := map[string]string{"channel": "payments-ops", "reported_by": "jiyoung.kim", "alertname": "chat report"}
	for k, v := range want {
		if s.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, s.Labels[k], v)
		}
	}
	if s.Fingerprint == "" {
		t.Error("no fingerprint")
	}

	// The same words reported again a minute later are a new report.
	body2 := slackBody("report " + text)
	do(t, h, http.MethodPost, body2, signed(body2, now.Add(30*time.Second)))
	if len(acc.Signals()) != 2 || acc.Signals()[1].Fingerprint == s.Fingerprint {
		t.Errorf("second report: %d signals, fingerprints %q", len(acc.Signals()), s.Fingerprint)
	}
}

func TestShortTitle(t *testing.T) {
	acc := &testutil.Acceptor{FirstID: 41}
	body := slackBody("REPORT  login fails\nsince the 10:00 deploy")
	res := do(t, newHandler(acc), http.MethodPost, body, signed(body, now))
	if res.status != http.StatusOK || len(acc.Signals()) != 1 {
		t.Fatalf("answer = %+v, %d accepted", res, len(acc.Signals()))
	}
	if s := acc.Signals()[0]; s.Title != "login fails" || s.Summary != "login fails\nsince the 10:00 deploy" {
		t.Errorf("title %q summary %q", s.Title, s.Summary)
	}
}

func TestRefused(t *testing.T) {
	body := slackBody("report the site is down")
	ts := strconv.FormatInt(now.Unix(), 10)
	for _, c := range []struct {
		name   string
		body   string
		header map[string]string
	}{
		{"wrong secret", body, map[string]string{slack.HeaderTimestamp: ts, slack.HeaderSignature: sign("another secret", now.Unix(), body)}},
		{"not hex", body, map[string]string{slack.HeaderTimestamp: ts, slack.HeaderSignature: "v0=nothex"}},
		{"stale timestamp", body, signed(body, now.Add(-5*time.Minute-time.Second))},
		{"timestamp from the future", body, signed(body, now.Add(6*time.Minute))},
		{"replayed with changed text", slackBody("report everything is fine, ignore alerts"), signed(body, now)},
		{"signed for another timestamp", body, map[string]string{slack.HeaderTimestamp: strconv.FormatInt(now.Unix()+1, 10), slack.HeaderSignature: sign(secret, now.Unix(), body)}},
		{"no headers", body, nil},
		{"no signature", body, map[string]string{slack.HeaderTimestamp: ts}},
		{"no timestamp", body, map[string]string{slack.HeaderSignature: sign(secret, now.Unix(), body)}},
		{"timestamp not a number", body, map[string]string{slack.HeaderTimestamp: "yesterday", slack.HeaderSignature: sign(secret, now.Unix(), body)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			acc := &testutil.Acceptor{FirstID: 41}
			res := do(t, newHandler(acc), http.MethodPost, c.body, c.header)
			if res.status != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", res.status)
			}
			if len(acc.Signals()) != 0 {
				t.Errorf("stored %d signals", len(acc.Signals()))
			}
		})
	}
	t.Run("just inside the window", func(t *testing.T) {
		acc := &testutil.Acceptor{FirstID: 41}
		res := do(t, newHandler(acc), http.MethodPost, body, signed(body, now.Add(-5*time.Minute)))
		if res.status != http.StatusOK || len(acc.Signals()) != 1 {
			t.Errorf("status = %d, %d stored; want 200 and 1", res.status, len(acc.Signals()))
		}
	})
}

func TestUsage(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"", "/incident report <what you see>"},
		{"help", "/incident report <what you see>"},
		{"report", "사용법"},
		{"report    ", "/incident report"},
		{"status all", "/incident report"},
		{"declare SEV2 checkout down", "not set up"},
		{"Declare", "채팅으로 장애를 선언할 수 없습니다"},
	} {
		t.Run(c.text, func(t *testing.T) {
			acc := &testutil.Acceptor{FirstID: 41}
			body := slackBody(c.text)
			res := do(t, newHandler(acc), http.MethodPost, body, signed(body, now))
			if res.status != http.StatusOK || res.Type != "ephemeral" || !strings.Contains(res.Text, c.want) {
				t.Errorf("answer = %+v, want 200 ephemeral with %q", res, c.want)
			}
			if len(acc.Signals()) != 0 {
				t.Errorf("stored %d signals", len(acc.Signals()))
			}
		})
	}
}

func TestAcceptFailure(t *testing.T) {
	acc := refusing(errors.New("database is locked"))
	body := slackBody("report api is slow")
	res := do(t, newHandler(acc), http.MethodPost, body, signed(body, now))
	if res.status != http.StatusServiceUnavailable || res.Type != "ephemeral" ||
		!strings.Contains(res.Text, "try again") || !strings.Contains(res.Text, "다시 시도") {
		t.Errorf("answer = %+v, want 503 with a message to try again", res)
	}
}

func TestNotConfigured(t *testing.T) {
	acc := &testutil.Acceptor{FirstID: 41}
	h := slack.NewHandler("", acc, func() time.Time { return now }, nil)
	body := slackBody("report x")
	// Even a request signed with the empty secret finds nothing.
	res := do(t, h, http.MethodPost, body, map[string]string{
		slack.HeaderTimestamp: strconv.FormatInt(now.Unix(), 10), slack.HeaderSignature: sign("", now.Unix(), body)})
	if res.status != http.StatusNotFound || len(acc.Signals()) != 0 {
		t.Errorf("status = %d, %d stored; want 404 and nothing", res.status, len(acc.Signals()))
	}
}

func TestOtherRequests(t *testing.T) {
	acc := &testutil.Acceptor{FirstID: 41}
	h := newHandler(acc)
	if res := do(t, h, http.MethodGet, "", nil); res.status != http.StatusMethodNotAllowed {
		t.Errorf("GET: status = %d, want 405", res.status)
	}
	if res := do(t, h, http.MethodPost, "ssl_check=1&token=x", nil); res.status != http.StatusOK {
		t.Errorf("ssl_check: status = %d, want 200", res.status)
	}
	big := slackBody("report " + strings.Repeat("x", 70<<10))
	if res := do(t, h, http.MethodPost, big, signed(big, now)); res.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize: status = %d, want 413", res.status)
	}
	if len(acc.Signals()) != 0 {
		t.Errorf("stored %d signals", len(acc.Signals()))
	}
}

func TestSignMatchesVerify(t *testing.T) {
	body := []byte(slackBody("report x"))
	ts := strconv.FormatInt(now.Unix(), 10)
	if got, want := slack.Sign(secret, ts, body), sign(secret, now.Unix(), string(body)); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	if err := slack.Verify(secret, ts, slack.Sign(secret, ts, body), body, now); err != nil {
		t.Errorf("Verify of a signed body: %v", err)
	}
}
