package api

import (
	"net/http"
	"strconv"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/teamtarget"
)

// teamTargetRoutes are the teams' own notification targets: everyone signed
// in reads them (a preview shows them anyway); the team's responders and
// managers, and admins, add and remove them.
func (a *API) teamTargetRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/teams/{team}/targets", Need: NeedRead, handle: a.listTeamTargets},
		{Method: "POST", Path: "/teams/{team}/targets", Need: NeedWrite, Body: teamtarget.Input{}, handle: a.addTeamTarget},
		{Method: "DELETE", Path: "/teams/{team}/targets/{id}", Need: NeedWrite, handle: a.removeTeamTarget},
	}
}

// teamTargetView is a target as the API shows it: never its secret.
type teamTargetView struct {
	policy.TeamTarget
	FromGrade string `json:"from_grade,omitempty"`
}

func viewTeamTarget(t policy.TeamTarget) teamTargetView {
	return teamTargetView{TeamTarget: t, FromGrade: t.FromGradeName()}
}

func (a *API) listTeamTargets(w http.ResponseWriter, r *http.Request, u auth.User) error {
	ts, err := a.TeamTargets.List(r.Context(), u, r.PathValue("team"))
	if err != nil {
		return err
	}
	items := make([]teamTargetView, len(ts))
	for i, t := range ts {
		items[i] = viewTeamTarget(t)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (a *API) addTeamTarget(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var req teamtarget.Input
	if err := decode(w, r, &req); err != nil {
		return err
	}
	t, err := a.TeamTargets.Add(r.Context(), u, r.PathValue("team"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewTeamTarget(t))
	return nil
}

func (a *API) removeTeamTarget(w http.ResponseWriter, r *http.Request, u auth.User) error {
	team := r.PathValue("team")
	// An id that is no number is no target: 0 finds none, after the
	// permission check, as any missing id.
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	t, err := a.TeamTargets.Remove(r.Context(), u, team, max(id, 0))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewTeamTarget(t))
	return nil
}
