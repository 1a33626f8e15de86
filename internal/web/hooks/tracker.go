package hooks

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/review/tracker"
)

// TrackerHooks receive issue changes from Jira and GitHub and apply them to
// the linked action items. Both are signed with the webhook secret of the
// review.tracker section (GitHub: X-Hub-Signature-256, Jira:
// X-Hub-Signature); without a secret the hook is off.
type TrackerHooks struct {
	Review *review.Service
	Log    *slog.Logger
}

// Register adds the tracker webhook routes to mux.
func (h *TrackerHooks) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /hooks/tracker/github", h.github)
	mux.HandleFunc("POST /hooks/tracker/jira", h.jira)
}

// signedBody reads the body and checks its signature; it answers the
// request itself and returns false when the caller must stop.
func signedBody(w http.ResponseWriter, r *http.Request, log *slog.Logger, secret, header string) ([]byte, bool) {
	if secret == "" {
		problem(w, http.StatusNotFound, "", "this tracker webhook is not configured (set its webhook_secret)")
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		problem(w, http.StatusRequestEntityTooLarge, "", "the body is larger than 1 MiB")
		return nil, false
	}
	if !tracker.ValidSignature(secret, body, r.Header.Get(header)) {
		deny(w, r, log, "tracker", errors.New("missing or wrong "+header))
		return nil, false
	}
	return body, true
}

func (h *TrackerHooks) github(w http.ResponseWriter, r *http.Request) {
	cfg := h.Review.Config().GitHub
	body, ok := signedBody(w, r, h.Log, cfg.WebhookSecret, "X-Hub-Signature-256")
	if !ok {
		return
	}
	if ev := r.Header.Get("X-GitHub-Event"); ev != "issues" {
		answer(w, "ignored", "event "+ev) // ping and others
		return
	}
	ev, err := tracker.ParseGitHubWebhook(body)
	if err != nil {
		problem(w, http.StatusBadRequest, "", err.Error())
		return
	}
	if !strings.EqualFold(ev.Repo, cfg.Repo) {
		answer(w, "ignored", "repository "+ev.Repo)
		return
	}
	h.apply(w, r, review.GitHub, ev.Key, ev.State, ev.Closed)
}

func (h *TrackerHooks) jira(w http.ResponseWriter, r *http.Request) {
	body, ok := signedBody(w, r, h.Log, h.Review.Config().Jira.WebhookSecret, "X-Hub-Signature")
	if !ok {
		return
	}
	ev, err := tracker.ParseJiraWebhook(body)
	if err != nil {
		problem(w, http.StatusBadRequest, "", err.Error())
		return
	}
	h.apply(w, r, review.Jira, ev.Key, ev.State, ev.Closed)
}

func (h *TrackerHooks) apply(w http.ResponseWriter, r *http.Request, t review.Tracker, key, state string, closed review.ItemStatus) {
	it, err := h.Review.ApplyTrackerState(r.Context(), t, key, state, closed)
	switch {
	case fail.CodeOf(err) == fail.NotFound:
		answer(w, "ignored", "no action item is linked to "+key)
	case err != nil:
		h.Log.ErrorContext(r.Context(), "apply tracker webhook", "tracker", t, "key", key, "err", err)
		problem(w, http.StatusServiceUnavailable, "", "could not store the change; retry")
	default:
		answer(w, "applied", string(it.Status))
	}
}

func answer(w http.ResponseWriter, result, detail string) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"result": result, "detail": detail})
}
