// Package hooks serves the intake webhooks: Prometheus Alertmanager, Grafana
// alerting and Firebreak's own signed JSON format. Each checks the caller,
// reads the payload and answers 2xx only after the signals are stored.
package hooks

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/intake"
)

// Acceptor stores signals durably.
type Acceptor interface {
	Accept(ctx context.Context, sigs []*intake.Signal, dedupLabels []string) error
	Reject(ctx context.Context, source, reason string, body []byte) error
}

// Hooks holds the webhook handlers.
type Hooks struct {
	Intake Acceptor
	Config *intake.Config
	Log    *slog.Logger
	Now    func() time.Time
	// Tokens, when set, lets the bearer-token sources (Alertmanager,
	// Grafana) also accept a Firebreak API token with the intake scope: one
	// per sender, revocable, with its last use recorded.
	Tokens TokenChecker
}

// TokenChecker turns an API token into who it acts for.
type TokenChecker interface {
	Authenticate(ctx context.Context, secret string) (auth.User, error)
}

// maxBody bounds a webhook body. Alertmanager batches alerts per group, and
// a storm of a few thousand alerts stays far below this.
const maxBody = 8 << 20

// Register adds the webhook routes to mux.
func (h *Hooks) Register(mux *http.ServeMux) {
	mux.Handle("POST /hooks/alertmanager", h.hook("alertmanager", h.bearer(func() string { return h.Config.Alertmanager.Token }), intake.ParseAlertmanager))
	mux.Handle("POST /hooks/grafana", h.hook("grafana", h.bearer(func() string { return h.Config.Grafana.Token }), intake.ParseGrafana))
	mux.Handle("POST /hooks/generic", h.hook("generic", h.hmac, intake.ParseGeneric))
}

// check authenticates a request with its body; nil means allowed.
type check func(r *http.Request, body []byte) error

var errNotConfigured = errors.New("this intake source is not configured")

// bearer checks a bearer token against the source's shared token and, when
// API tokens are on, against the intake-scoped API tokens. Every refused
// request does both checks, whatever was wrong with its header, so the
// answer time does not say whether the header was missing, malformed or
// merely wrong.
func (h *Hooks) bearer(secret func() string) check {
	return func(r *http.Request, _ []byte) error {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		want := secret()
		if want == "" && h.Tokens == nil {
			return errNotConfigured
		}
		if sameSecret(got, want) && ok {
			return nil
		}
		if h.Tokens == nil {
			return errors.New("missing or wrong bearer token")
		}
		lookup := got
		if !ok || !auth.LooksLikeToken(got) {
			lookup = absentToken
		}
		u, err := h.Tokens.Authenticate(r.Context(), lookup)
		if err != nil || !u.HasScope(auth.ScopeIntake) || lookup == absentToken {
			return errors.New("missing or wrong bearer token, or an API token that is invalid, expired, revoked or lacks the intake scope")
		}
		return nil
	}
}

func (h *Hooks) hmac(r *http.Request, body []byte) error {
	secret := h.Config.Generic.Secret
	if secret == "" {
		return errNotConfigured
	}
	return intake.VerifySignature(secret, r.Header.Get(intake.HeaderTimestamp), r.Header.Get(intake.HeaderSignature),
		body, h.Now(), h.Config.Generic.ReplayWindow)
}

func (h *Hooks) hook(source string, auth check, parse func([]byte) ([]*intake.Signal, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := readBody(w, r)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			problem(w, http.StatusRequestEntityTooLarge, "", "the body is larger than 8 MiB")
			return
		}
		if err != nil {
			problem(w, http.StatusBadRequest, "", "could not read the body: "+err.Error())
			return
		}
		if err := auth(r, body); err != nil {
			if errors.Is(err, errNotConfigured) {
				problem(w, http.StatusNotFound, "", err.Error())
				return
			}
			deny(w, r, h.Log, source, err)
			return
		}
		sigs, err := parse(body)
		if err != nil {
			var pe *intake.ParseError
			field := ""
			if errors.As(err, &pe) {
				field = pe.Field
			}
			if rerr := h.Intake.Reject(r.Context(), source, err.Error(), body); rerr != nil {
				h.Log.ErrorContext(r.Context(), "keep rejected signal", "source", source, "err", rerr)
			}
			problem(w, http.StatusBadRequest, field, err.Error())
			return
		}
		if err := h.Intake.Accept(r.Context(), sigs, h.Config.DedupLabels); err != nil {
			// Not stored: the sender must retry, so say so with a 5xx.
			h.Log.ErrorContext(r.Context(), "accept signals", "source", source, "err", err)
			problem(w, http.StatusServiceUnavailable, "", "could not store the signals; retry")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(strconv.AppendInt([]byte(`{"accepted":`), int64(len(sigs)), 10))
		_, _ = w.Write([]byte("}\n"))
	})
}

// readBody reads a webhook body of at most maxBody bytes. A body whose
// length is given is read into one buffer of that size: io.ReadAll grows
// its buffer step by step, three allocations for a one-alert notification,
// and in a storm of them that was a sixth of the garbage.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > maxBody {
		return nil, &http.MaxBytesError{Limit: maxBody}
	}
	body := http.MaxBytesReader(w, r.Body, maxBody)
	if n := r.ContentLength; n >= 0 {
		buf := make([]byte, n)
		_, err := io.ReadFull(body, buf)
		return buf, err
	}
	return io.ReadAll(body)
}

func problem(w http.ResponseWriter, status int, field, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	body := map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": detail}
	if field != "" {
		body["field"] = field
	}
	_ = json.NewEncoder(w).Encode(body)
}
