package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/change"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// changeRoutes are the change registry: anyone signed in reads it (whether
// a rollback is safe is no secret), responders record changes, admins map
// the ones no service was found for. An incident's changes follow the
// incident's visibility.
func (a *API) changeRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/changes", Need: NeedRead, handle: a.listChanges},
		{Method: "POST", Path: "/changes", Need: NeedWrite, Body: change.WebhookChange{}, handle: a.recordChange},
		{Method: "GET", Path: "/changes/unmapped", Need: NeedAdmin, handle: a.listUnmapped},
		{Method: "POST", Path: "/changes/{id}/map", Need: NeedWrite, Body: mapChangeRequest{}, handle: a.mapChange},
		{Method: "GET", Path: "/incidents/{ref}/changes", Need: NeedRead, handle: a.incidentChanges},
		{Method: "POST", Path: "/incidents/{ref}/changes/{id}/suspect", Need: NeedWrite, handle: a.suspectChange},
		{Method: "POST", Path: "/incidents/{ref}/mitigate", Need: NeedWrite, Body: mitigateRequest{}, handle: a.mitigate},
	}
}

type mapChangeRequest struct {
	Services []string `json:"services"`
}

type mitigateRequest struct {
	// MitigatedAt is when the impact stopped (RFC 3339); empty: now.
	MitigatedAt string `json:"mitigated_at"`
}

func changeID(r *http.Request) int64 {
	// An id that is no number is no change: 0 finds none.
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return max(id, 0)
}

func (a *API) listChanges(w http.ResponseWriter, r *http.Request, u auth.User) error {
	q := r.URL.Query()
	var before *change.Cursor
	if c := q.Get("cursor"); c != "" {
		var err error
		if before, err = change.DecodeCursor(c); err != nil {
			return err
		}
	}
	limit := 50
	if s := q.Get("limit"); s != "" {
		var err error
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 {
			return fail.Field("limit", "must be a positive whole number")
		}
	}
	cs, err := a.Changes.List(r.Context(), q.Get("service"), before, limit)
	if err != nil {
		return err
	}
	next := ""
	if len(cs) == limit {
		next = change.EncodeCursor(cs[len(cs)-1])
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cs, "next_cursor": next})
	return nil
}

func (a *API) recordChange(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var req change.WebhookChange
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := req.Change(change.SourceAPI)
	if err != nil {
		return err
	}
	inserted, err := a.Changes.RecordAs(r.Context(), u, c)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !inserted {
		status = http.StatusOK // the same id again: the change as first recorded
	}
	writeJSON(w, status, c)
	return nil
}

func (a *API) listUnmapped(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var before int64
	if c := r.URL.Query().Get("cursor"); c != "" {
		var err error
		if before, err = strconv.ParseInt(c, 10, 64); err != nil || before < 0 {
			return fail.Field("cursor", "must be the next_cursor of an earlier page")
		}
	}
	cs, err := a.Changes.Unmapped(r.Context(), u, before, 50)
	if err != nil {
		return err
	}
	next := ""
	if len(cs) == 50 {
		next = strconv.FormatInt(cs[len(cs)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cs, "next_cursor": next})
	return nil
}

func (a *API) mapChange(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var req mapChangeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := a.Changes.Map(r.Context(), u, changeID(r), req.Services)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) incidentChanges(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	v, err := a.Changes.ForIncident(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (a *API) suspectChange(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	ev, err := a.Changes.Suspect(r.Context(), u, id, changeID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ev)
	return nil
}

func (a *API) mitigate(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	var req mitigateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	var at *time.Time
	if req.MitigatedAt != "" {
		t, err := time.Parse(time.RFC3339, req.MitigatedAt)
		if err != nil {
			return fail.Field("mitigated_at", "must be an RFC 3339 time such as 2026-12-05T09:30:00+09:00; got %q", req.MitigatedAt)
		}
		at = &t
	}
	inc, err := a.Incidents.Mitigate(r.Context(), u, id, at)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view(r, inc))
	return nil
}
