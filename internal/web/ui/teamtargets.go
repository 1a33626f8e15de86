package ui

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/teamtarget"
)

// teamTargetRoutes serve a team's own notification targets: the list for
// everyone, the add form and remove buttons for those who may change them.
func (u *UI) teamTargetRoutes(signedIn func(string, func(http.ResponseWriter, *http.Request, *view))) {
	signedIn("GET /teams/{name}/targets", u.teamTargets)
	signedIn("POST /teams/{name}/targets", u.addTeamTarget)
	signedIn("POST /teams/{name}/targets/{id}/remove", u.removeTeamTarget)
}

type teamTargetsPage struct {
	Team      string
	Targets   []policy.TeamTarget
	CanChange bool
	Form      url.Values // what was typed, kept when the form is refused
	Error     string
}

func (u *UI) teamTargets(w http.ResponseWriter, r *http.Request, v *view) {
	u.renderTeamTargets(w, r, v, url.Values{}, nil)
}

func (u *UI) renderTeamTargets(w http.ResponseWriter, r *http.Request, v *view, form url.Values, formErr error) {
	team := r.PathValue("name")
	ts, err := u.TeamTargets.List(r.Context(), v.User, team)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	form.Del("secret") // never sent back to the browser
	p := teamTargetsPage{Team: team, Targets: ts, CanChange: teamtarget.MayChange(v.User, team), Form: form}
	if formErr != nil {
		var ok bool
		if p.Error, ok = u.formProblem(w, r, v, formErr); !ok {
			return
		}
	}
	u.render(w, r, "team_targets", v, p)
}

func (u *UI) addTeamTarget(w http.ResponseWriter, r *http.Request, v *view) {
	team := r.PathValue("name")
	in := teamtarget.Input{Channel: r.PostFormValue("channel"), Address: r.PostFormValue("address"), Secret: r.PostFormValue("secret"),
		Lang: r.PostFormValue("lang"), FromGrade: r.PostFormValue("from_grade")}
	if _, err := u.TeamTargets.Add(r.Context(), v.User, team, in); err != nil {
		u.renderTeamTargets(w, r, v, r.PostForm, err)
		return
	}
	http.Redirect(w, r, "/teams/"+url.PathEscape(team)+"/targets", http.StatusSeeOther)
}

func (u *UI) removeTeamTarget(w http.ResponseWriter, r *http.Request, v *view) {
	team := r.PathValue("name")
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if _, err := u.TeamTargets.Remove(r.Context(), v.User, team, max(id, 0)); err != nil {
		u.renderTeamTargets(w, r, v, url.Values{}, err)
		return
	}
	http.Redirect(w, r, "/teams/"+url.PathEscape(team)+"/targets", http.StatusSeeOther)
}
