package api

import (
	"net/http"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/flag"
)

// incidentFlagRoutes are the kill switches seen from an incident: those of
// its affected services, and flipping one with the flip on the incident's
// timeline. Everyone who sees the incident reads them; an owning team's
// responders and admins flip them.
func (a *API) incidentFlagRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/incidents/{ref}/flags", Need: NeedRead, handle: a.incidentFlags},
		{Method: "POST", Path: "/incidents/{ref}/flags/{key}/flip", Need: NeedWrite, Body: incidentFlipRequest{}, handle: a.incidentFlip},
	}
}

// incidentFlipRequest flips a switch: to a variant, or "default" to serve
// its definition again; the reason is required.
type incidentFlipRequest struct {
	To     string `json:"to"`
	Reason string `json:"reason"`
}

func (a *API) incidentFlags(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	inc, items, err := a.Switches.List(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident": inc.Ref(), "mitigated": flag.Mitigated(inc), "items": items})
	return nil
}

func (a *API) incidentFlip(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	var req incidentFlipRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	sw, rev, err := a.Switches.Flip(r.Context(), u, id, r.PathValue("key"), req.To, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"switch": sw, "revision": rev})
	return nil
}
