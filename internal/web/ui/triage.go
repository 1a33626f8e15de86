package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
)

type triagePage struct {
	Signals []*intake.Signal
	Error   string
	NextURL string
}

func (u *UI) triageInbox(w http.ResponseWriter, r *http.Request, v *view) {
	u.renderTriage(w, r, v, nil)
}

func (u *UI) renderTriage(w http.ResponseWriter, r *http.Request, v *view, actionErr error) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("cursor"), 10, 64)
	sigs, err := u.Inbox.List(r.Context(), intake.TriagePending, before, pageSize)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p := triagePage{Signals: sigs}
	if len(sigs) == pageSize {
		p.NextURL = "/triage?cursor=" + strconv.FormatInt(sigs[len(sigs)-1].ID, 10)
	}
	if actionErr != nil {
		msg, ok := u.refusalText(w, r, v, actionErr)
		if !ok {
			return
		}
		p.Error = msg
	}
	u.render(w, r, "triage", v, p)
}

func (u *UI) triageAction(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := strconv.ParseInt(strings.TrimPrefix(r.PathValue("id"), "SIG-"), 10, 64)
	if err != nil {
		u.fail(w, r, v, fail.New(fail.NotFound, "no signal"))
		return
	}
	switch r.PathValue("action") {
	case "declare":
		g, err := incident.ParseGrade(r.PostFormValue("grade"))
		if err != nil {
			u.renderTriage(w, r, v, fail.Field("grade", "%v", err))
			return
		}
		inc, err := u.Inbox.Declare(r.Context(), v.User, id, incident.Declaration{Grade: g})
		if err != nil {
			u.renderTriage(w, r, v, err)
			return
		}
		http.Redirect(w, r, "/incidents/"+inc.Ref(), http.StatusSeeOther)
		return
	case "merge":
		incID, ok := incident.ParseRef(r.PostFormValue("incident"))
		if !ok {
			err = fail.Field("incident", "must be an incident id such as INC-42")
		} else {
			err = u.Inbox.Merge(r.Context(), v.User, id, incID)
		}
	case "dismiss":
		err = u.Inbox.Dismiss(r.Context(), v.User, id, r.PostFormValue("reason"))
	default:
		err = fail.New(fail.NotFound, "no such action")
	}
	if err != nil {
		u.renderTriage(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/triage", http.StatusSeeOther)
}
