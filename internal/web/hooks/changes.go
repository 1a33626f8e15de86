package hooks

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/firebreak-oss/firebreak/internal/change"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/review/tracker"
)

// ChangeHooks receive changes for the change registry: GitHub's webhooks at
// POST /hooks/github (signed with X-Hub-Signature-256) and the generic
// change webhook at POST /hooks/changes (signed like the generic signal
// webhook). Each answers 2xx only after the change is stored; a change of
// an unknown repository or service is stored unmapped, not dropped.
type ChangeHooks struct {
	Changes *change.Service
	Config  *change.Config
	Log     *slog.Logger
	Now     func() time.Time
}

// Register adds the change webhook routes to mux.
func (h *ChangeHooks) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /hooks/github", h.github)
	mux.HandleFunc("POST /hooks/changes", h.generic)
}

// maxChangeBody bounds a change webhook; GitHub caps its payloads at 25 MB,
// but the events read here are a few tens of kilobytes.
const maxChangeBody = 2 << 20

func (h *ChangeHooks) github(w http.ResponseWriter, r *http.Request) {
	secret := h.Config.GitHubSecret
	if secret == "" {
		problem(w, http.StatusNotFound, "", "the GitHub change webhook is not configured (set changes.github_secret)")
		return
	}
	body, err := readLimited(w, r, maxChangeBody)
	if err != nil {
		problem(w, http.StatusRequestEntityTooLarge, "", "the body is larger than 2 MiB")
		return
	}
	// tracker.ValidSignature compares with hmac.Equal, in constant time.
	if !tracker.ValidSignature(secret, body, r.Header.Get("X-Hub-Signature-256")) {
		deny(w, r, h.Log, "github", errors.New("missing or wrong X-Hub-Signature-256"))
		return
	}
	event := r.Header.Get("X-GitHub-Event")
	if event == "ping" {
		answer(w, "pong", "")
		return
	}
	c, skip, err := change.ParseGitHub(event, body)
	if err != nil {
		h.refuse(w, err)
		return
	}
	if c == nil {
		answer(w, "ignored", skip)
		return
	}
	h.record(w, r, c)
}

func (h *ChangeHooks) generic(w http.ResponseWriter, r *http.Request) {
	secret := h.Config.WebhookSecret
	if secret == "" {
		problem(w, http.StatusNotFound, "", "the change webhook is not configured (set changes.webhook_secret)")
		return
	}
	body, err := readLimited(w, r, maxChangeBody)
	if err != nil {
		problem(w, http.StatusRequestEntityTooLarge, "", "the body is larger than 2 MiB")
		return
	}
	if err := intake.VerifySignature(secret, r.Header.Get(intake.HeaderTimestamp), r.Header.Get(intake.HeaderSignature),
		body, h.Now(), h.Config.ReplayWindow); err != nil {
		deny(w, r, h.Log, "changes", err)
		return
	}
	var in change.WebhookChange
	if err := json.Unmarshal(body, &in); err != nil {
		problem(w, http.StatusBadRequest, "", "the body is not a change: "+err.Error())
		return
	}
	c, err := in.Change(change.SourceWebhook)
	if err != nil {
		h.refuse(w, err)
		return
	}
	h.record(w, r, c)
}

func (h *ChangeHooks) record(w http.ResponseWriter, r *http.Request, c *change.Change) {
	if !h.Config.RecordsEnvironment(c.Environment) {
		answer(w, "ignored", "environment "+c.Environment+" is not in changes.environments")
		return
	}
	inserted, err := h.Changes.Record(r.Context(), c)
	if err != nil {
		h.refuse(w, err)
		return
	}
	status, state := http.StatusCreated, "recorded"
	if !inserted {
		status, state = http.StatusOK, "duplicate" // a retried delivery: stored once
	}
	if !c.Mapped() {
		state += ", unmapped"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": state, "id": c.ID, "services": c.Services, "verdict": c.Verdict})
}

func (h *ChangeHooks) refuse(w http.ResponseWriter, err error) {
	if e, ok := fail.As(err); ok && e.Code == fail.Invalid {
		problem(w, http.StatusBadRequest, e.Field, e.Message)
		return
	}
	h.Log.Error("record change", "err", err)
	problem(w, http.StatusServiceUnavailable, "", "the change could not be stored; retry")
}

func readLimited(w http.ResponseWriter, r *http.Request, n int64) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(w, r.Body, n))
}
