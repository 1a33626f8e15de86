package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// SignalReader reads signals and the rejected-signals log.
type SignalReader interface {
	GetSignal(ctx context.Context, id int64) (*intake.Signal, error)
	ListRejected(ctx context.Context, before int64, limit int) ([]store.Rejected, error)
}

func signalParam(r *http.Request) (int64, error) {
	s := r.PathValue("id")
	if len(s) > 4 && (s[:4] == "SIG-" || s[:4] == "sig-") {
		s = s[4:]
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fail.New(fail.NotFound, "%q is not a signal id (expected SIG-<number>)", r.PathValue("id"))
	}
	return id, nil
}

// signalView is a signal as the API shows it, with its human id.
type signalView struct {
	Ref string `json:"ref"`
	*intake.Signal
	Incident string `json:"incident,omitempty"`
}

func viewSignal(s *intake.Signal) signalView {
	v := signalView{Ref: intake.SignalRef(s.ID), Signal: s}
	if s.IncidentID != 0 {
		v.Incident = incident.FormatRef(s.IncidentID)
	}
	return v
}

func pageParams(r *http.Request, def, max int) (before int64, limit int, err error) {
	limit = def
	if c := r.URL.Query().Get("cursor"); c != "" {
		if before, err = strconv.ParseInt(c, 10, 64); err != nil || before <= 0 {
			return 0, 0, fail.Field("cursor", "must be the next_cursor of an earlier page")
		}
	}
	if s := r.URL.Query().Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > max {
			return 0, 0, fail.Field("limit", "must be a whole number from 1 to %d", max)
		}
	}
	return before, limit, nil
}

func (a *API) listSignals(w http.ResponseWriter, r *http.Request, u auth.User) error {
	before, limit, err := pageParams(r, 50, 200)
	if err != nil {
		return err
	}
	sigs, err := a.Inbox.List(r.Context(), intake.Triage(r.URL.Query().Get("triage")), before, limit)
	if err != nil {
		return err
	}
	items := make([]signalView, 0, len(sigs))
	seen := map[int64]bool{} // incident id → visible to u
	for _, s := range sigs {
		if s.IncidentID != 0 {
			visible, ok := seen[s.IncidentID]
			if !ok {
				visible = a.canSeeIncident(r, u, s.IncidentID)
				seen[s.IncidentID] = visible
			}
			if !visible {
				continue
			}
		}
		items = append(items, viewSignal(s))
	}
	next := "" // from the page as read, so the cursor moves past hidden signals too
	if len(sigs) == limit {
		next = strconv.FormatInt(sigs[len(sigs)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
	return nil
}

func (a *API) getSignal(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := signalParam(r)
	if err != nil {
		return err
	}
	s, err := a.Signals.GetSignal(r.Context(), id)
	if err != nil {
		return err
	}
	if s.IncidentID != 0 && !a.canSeeIncident(r, u, s.IncidentID) {
		// A signal of a restricted incident is part of it: answer as for a
		// signal that does not exist.
		return fail.New(fail.NotFound, "signal %d not found", id)
	}
	writeJSON(w, http.StatusOK, viewSignal(s))
	return nil
}

// canSeeIncident reports whether u may know the incident exists.
func (a *API) canSeeIncident(r *http.Request, u auth.User, id int64) bool {
	_, err := a.Incidents.Get(r.Context(), u, id)
	return fail.CodeOf(err) != fail.NotFound
}

type triageDeclareRequest struct {
	Title      string            `json:"title"`
	Grade      string            `json:"grade"`
	Services   []string          `json:"services"`
	Visibility string            `json:"visibility"`
	Roles      map[string]string `json:"roles"`
}

func (a *API) declareFromSignal(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := signalParam(r)
	if err != nil {
		return err
	}
	var req triageDeclareRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	d := incident.Declaration{Title: req.Title, Services: req.Services, Visibility: incident.Visibility(req.Visibility), Roles: map[incident.Role]string{}}
	if req.Grade != "" {
		if d.Grade, err = incident.ParseGrade(req.Grade); err != nil {
			return fail.Field("grade", "%v", err)
		}
	}
	for k, v := range req.Roles {
		d.Roles[incident.Role(k)] = v
	}
	inc, err := a.Inbox.Declare(r.Context(), u, id, d)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/incidents/"+inc.Ref())
	writeJSON(w, http.StatusCreated, view(r, inc))
	return nil
}

type mergeRequest struct {
	Incident string `json:"incident"`
}

func (a *API) mergeSignal(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := signalParam(r)
	if err != nil {
		return err
	}
	var req mergeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	incID, ok := incident.ParseRef(req.Incident)
	if !ok {
		return fail.Field("incident", "must be an incident id such as INC-42; got %q", req.Incident)
	}
	if err := a.Inbox.Merge(r.Context(), u, id, incID); err != nil {
		return err
	}
	return a.getSignal(w, r, u)
}

type dismissRequest struct {
	Reason string `json:"reason"`
}

func (a *API) dismissSignal(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := signalParam(r)
	if err != nil {
		return err
	}
	var req dismissRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := a.Inbox.Dismiss(r.Context(), u, id, req.Reason); err != nil {
		return err
	}
	return a.getSignal(w, r, u)
}

func (a *API) listRejected(w http.ResponseWriter, r *http.Request, u auth.User) error {
	if !u.IsAdmin() {
		return fail.New(fail.Forbidden, "the rejected-signals log is for admins")
	}
	before, limit, err := pageParams(r, 50, 200)
	if err != nil {
		return err
	}
	items, err := a.Signals.ListRejected(r.Context(), before, limit)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == limit {
		next = strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
	return nil
}
