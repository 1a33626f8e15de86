// Package chat serves the endpoints a Slack app calls besides the slash
// command: the Events API (reactions and message edits in war rooms) and
// interactivity (the buttons and the update form of a war room's summary).
// Every request is checked against the app's signing secret, as the slash
// command's are; people act as their Firebreak user, with its rights.
// It serves Mattermost's too: the slash command (declare, update, note;
// its token checked), the summary's message actions and the update
// dialog (their context and state signed by Firebreak).
package chat

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake/slack"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// Users finds the Firebreak user a Slack user acts as.
type Users interface {
	UserByName(ctx context.Context, name string) (auth.User, error)
}

// Incidents is what the buttons do, under the web's permission rules.
type Incidents interface {
	Get(ctx context.Context, by auth.User, id int64) (*incident.Incident, error)
	SetStatus(ctx context.Context, by auth.User, id int64, to incident.Status, message string) (*incident.Incident, error)
	Update(ctx context.Context, by auth.User, id int64, p incident.Patch) (*incident.Incident, error)
	Assign(ctx context.Context, by auth.User, id int64, role incident.Role, user string) (*incident.Incident, error)
	PostUpdate(ctx context.Context, by auth.User, id int64, u incident.StatusUpdate) (incident.Event, error)
	AddNote(ctx context.Context, by auth.User, id int64, text string) (incident.Event, error)
	Declare(ctx context.Context, by auth.User, d incident.Declaration) (*incident.Incident, error)
}

// Queue enqueues jobs.
type Queue interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Handler serves /hooks/slack/events and /hooks/slack/interactivity.
type Handler struct {
	Secret string // the Slack app's signing secret; empty: both answer 404
	// MattermostToken is the token of the Mattermost slash command;
	// empty: /hooks/mattermost/command answers 404.
	MattermostToken string
	Rooms           *warroom.Rooms
	Users           Users
	Incidents       Incidents
	Queue           Queue
	Now             func() time.Time
	Log             *slog.Logger
}

// Register mounts the endpoints.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /hooks/slack/events", h.events)
	mux.HandleFunc("POST /hooks/slack/interactivity", h.interactivity)
	mux.HandleFunc("POST /hooks/mattermost/command", h.mattermostCommand)
	mux.HandleFunc("POST "+warroom.MattermostActionsPath, h.mattermostActions)
	mux.HandleFunc("POST "+warroom.MattermostDialogPath, h.mattermostDialog)
}

// maxBody bounds a request; Slack's payloads are a few KiB.
const maxBody = 1 << 20

// verified reads the body and checks its signature; on failure it has
// answered.
func (h *Handler) verified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if h.Secret == "" || h.Rooms == nil {
		problem(w, http.StatusNotFound, "the Slack app is not configured")
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		problem(w, http.StatusRequestEntityTooLarge, "the body is larger than 1 MiB")
		return nil, false
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	if err := slack.Verify(h.Secret, r.Header.Get(slack.HeaderTimestamp), r.Header.Get(slack.HeaderSignature), body, now()); err != nil {
		h.log().WarnContext(r.Context(), "slack: refused request", "path", r.URL.Path, "remote", r.RemoteAddr, "err", err)
		problem(w, http.StatusUnauthorized, err.Error())
		return nil, false
	}
	return body, true
}

func (h *Handler) log() *slog.Logger {
	if h.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Log
}

func problem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": detail})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
