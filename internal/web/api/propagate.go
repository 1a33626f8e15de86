package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/propagate"
)

// MessageReader lists an incident's outbound messages.
type MessageReader interface {
	IncidentMessages(ctx context.Context, incidentID, after int64, limit int) ([]notify.Message, error)
}

type previewRequest struct {
	Title      string            `json:"title"`
	Summary    string            `json:"summary"`
	Grade      string            `json:"grade"`
	Services   []string          `json:"services"`
	Visibility string            `json:"visibility"`
	Roles      map[string]string `json:"roles"`
}

// previewPolicy shows who declaring would tell, and with which messages.
func (a *API) previewPolicy(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var req previewRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	grade, err := requiredGrade(req.Grade)
	if err != nil {
		return err
	}
	for role := range req.Roles {
		if !incident.Role(role).Valid() {
			return fail.Field("roles."+role, "unknown role; known roles are resolver, communicator")
		}
	}
	res, err := a.Propagate.Preview(r.Context(), propagate.Draft{Title: req.Title, Summary: req.Summary, Grade: grade, Services: req.Services,
		Visibility: incident.Visibility(req.Visibility), Resolver: req.Roles["resolver"], Communicator: req.Roles["communicator"], By: u.Name})
	if err != nil {
		return err
	}
	// The core's warnings are English; the role warning is said again in
	// the language the request asks for, as an incident's warnings are.
	lang := requestLang(r)
	draft := &incident.Incident{Grade: grade, Roles: map[incident.Role]string{incident.Resolver: req.Roles["resolver"], incident.Communicator: req.Roles["communicator"]}}
	for i, w := range res.Warnings {
		if w == incident.RoleWarning(draft) {
			res.Warnings[i] = incident.RoleWarningIn(draft, lang)
		}
	}
	if a.Maintenance != nil && len(req.Services) > 0 {
		// A window in progress is a warning, like the role warning: the
		// declaration still goes ahead.
		ws, err := a.Maintenance.ActiveFor(r.Context(), req.Services)
		if err != nil {
			return err
		}
		for _, win := range ws {
			res.Warnings = append(res.Warnings, win.InProgressWarning(lang))
		}
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

type messageView struct {
	ID         int64         `json:"id"`
	Channel    string        `json:"channel"`
	Target     string        `json:"target"`
	To         string        `json:"to"`
	Subject    string        `json:"subject,omitempty"`
	Status     notify.Status `json:"status"`
	Attempts   int           `json:"attempts"`
	LastError  string        `json:"last_error,omitempty"`
	EventID    int64         `json:"event_id,omitempty"`
	CreatedAt  string        `json:"created_at"`
	SentAt     string        `json:"sent_at,omitempty"`
	FailedAt   string        `json:"failed_at,omitempty"`
	ExternalID string        `json:"external_id,omitempty"`
}

// incidentMessages lists what was sent about an incident, and what failed.
func (a *API) incidentMessages(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	if _, err := a.Incidents.Get(r.Context(), u, id); err != nil {
		return err
	}
	var after int64
	if c := r.URL.Query().Get("cursor"); c != "" {
		if after, err = strconv.ParseInt(c, 10, 64); err != nil || after < 0 {
			return fail.Field("cursor", "must be the next_cursor of an earlier page")
		}
	}
	const limit = 200
	msgs, err := a.Messages.IncidentMessages(r.Context(), id, after, limit)
	if err != nil {
		return err
	}
	items := make([]messageView, len(msgs))
	const layout = "2006-01-02T15:04:05Z"
	for i, m := range msgs {
		v := messageView{ID: m.ID, Channel: string(m.Channel), Target: m.Target, To: m.To, Subject: m.Subject, Status: m.Status,
			Attempts: m.Attempts, LastError: m.LastError, EventID: m.EventID, CreatedAt: m.CreatedAt.UTC().Format(layout), ExternalID: m.ExternalID}
		if m.SentAt != nil {
			v.SentAt = m.SentAt.UTC().Format(layout)
		}
		if m.FailedAt != nil {
			v.FailedAt = m.FailedAt.UTC().Format(layout)
		}
		items[i] = v
	}
	next := ""
	if len(msgs) == limit {
		next = strconv.FormatInt(msgs[len(msgs)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
	return nil
}

// requiredGrade reads a request's grade field, which must be set.
func requiredGrade(s string) (incident.Grade, error) {
	if s == "" {
		return 0, fail.Field("grade", "is required: one of SEV1 (worst) to SEV5")
	}
	g, err := incident.ParseGrade(s)
	if err != nil {
		return 0, fail.Field("grade", "%v", err)
	}
	return g, nil
}
