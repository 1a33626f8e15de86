package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/playbook"
)

// playbookRoutes serve the confirmation page of a playbook action step and
// the form that runs it. The playbooks themselves are on the incident page.
func (u *UI) playbookRoutes(signedIn func(string, func(http.ResponseWriter, *http.Request, *view))) {
	signedIn("GET /incidents/{ref}/playbooks/run", u.confirmPlaybookRun)
	signedIn("POST /incidents/{ref}/playbooks/run", u.runPlaybook)
}

// playbookBox is the incident page's playbooks section.
type playbookBox struct {
	Services []playbook.ServicePlaybooks
	CanRun   bool
	Runs     []playbook.Run
	Demo     bool // some action goes to the built-in demo peer
}

// maxRunsShown is how many recent runs the incident page lists.
const maxRunsShown = 5

// addPlaybooks fills the incident page's playbooks section; nil when the
// incident's services have none.
func (u *UI) addPlaybooks(r *http.Request, v *view, p *incidentPage) error {
	if u.Playbooks == nil {
		return nil
	}
	_, services, canRun, err := u.Playbooks.ForIncident(r.Context(), v.User, p.Inc.ID)
	if err != nil || len(services) == 0 {
		return err
	}
	runs, err := u.Playbooks.Runs(r.Context(), v.User, p.Inc.ID)
	if err != nil {
		return err
	}
	box := &playbookBox{Services: services, CanRun: canRun, Runs: runs[:min(len(runs), maxRunsShown)]}
	for _, s := range services {
		for _, pb := range s.Playbooks {
			for _, st := range pb.Steps {
				box.Demo = box.Demo || (st.Action != nil && strings.Contains(st.Action.URL, playbook.DemoPeerPath))
			}
		}
	}
	p.Playbooks = box
	return nil
}

type playbookConfirmPage struct {
	Inc     *incident.Incident
	Preview *playbook.Preview
	CanRun  bool
	Demo    bool // the request goes to the built-in demo peer
	Error   string
}

func playbookInput(form url.Values) playbook.RunInput {
	step, _ := strconv.Atoi(form.Get("step"))
	return playbook.RunInput{
		Service:                form.Get("service"),
		Playbook:               playbook.Kind(form.Get("playbook")),
		Step:                   step,
		RollbackTo:             form.Get("rollback_to"),
		IdempotencyKey:         form.Get("idempotency_key"),
		Confirm:                form.Get("confirm") == "yes",
		ConfirmNotRollbackable: form.Get("confirm_not_rollbackable") == "yes",
	}
}

func (u *UI) confirmPlaybookRun(w http.ResponseWriter, r *http.Request, v *view) {
	u.renderPlaybookConfirm(w, r, v, playbookInput(r.URL.Query()), nil, nil)
}

// renderPlaybookConfirm shows exactly what running the step sends; a
// refused run comes back here with its reason.
func (u *UI) renderPlaybookConfirm(w http.ResponseWriter, r *http.Request, v *view, in playbook.RunInput, p *playbook.Preview, runErr error) {
	id, ok := u.incidentRef(w, r, v)
	if !ok {
		return
	}
	inc, err := u.Incidents.Get(r.Context(), v.User, id)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	if p == nil {
		in.IdempotencyKey = "" // a fresh preview gets a fresh key
		if p, err = u.Playbooks.Preview(r.Context(), v.User, id, in); err != nil {
			u.fail(w, r, v, err)
			return
		}
	}
	page := playbookConfirmPage{Inc: inc, Preview: p, CanRun: playbook.MayRun(v.User, inc, u.Playbooks.Owners),
		Demo: strings.Contains(p.URL, playbook.DemoPeerPath)}
	if runErr != nil {
		if page.Error, ok = u.formProblem(w, r, v, runErr); !ok {
			return
		}
	}
	u.render(w, r, "playbook_confirm", v, page)
}

func (u *UI) runPlaybook(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := u.incidentRef(w, r, v)
	if !ok {
		return
	}
	in := playbookInput(r.PostForm)
	run, err := u.Playbooks.Run(r.Context(), v.User, id, in)
	var ce *playbook.ConfirmError
	switch {
	case errors.As(err, &ce):
		u.renderPlaybookConfirm(w, r, v, in, ce.Preview, err)
		return
	case err != nil && (fail.CodeOf(err) == fail.Invalid || fail.CodeOf(err) == fail.Conflict):
		u.renderPlaybookConfirm(w, r, v, in, nil, err)
		return
	case err != nil:
		u.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/incidents/%s#playbook-run-%d", run.Incident, run.ID), http.StatusSeeOther)
}

// RunURL is the confirmation page of an action step.
func (v *view) RunURL(inc *incident.Incident, p *playbook.Preview) string {
	q := url.Values{"service": {p.Service}, "playbook": {string(p.Playbook)}, "step": {strconv.Itoa(p.Step)}}
	return "/incidents/" + inc.Ref() + "/playbooks/run?" + q.Encode()
}

// PlaybookKind names a playbook kind in the viewer's language.
func (v *view) PlaybookKind(k playbook.Kind) string { return v.T("pb.kind." + string(k)) }

// ActionKind names an action's peer in the viewer's language.
func (v *view) ActionKind(k playbook.ActionKind) string { return v.T("pb.action." + string(k)) }

// RunState names a run's state in the viewer's language.
func (v *view) RunState(s playbook.State) string { return v.T("pb.state." + string(s)) }

// playbookEventText describes the playbook runs' timeline events.
func (v *view) playbookEventText(ev incident.Event) (string, bool) {
	s := func(k string) string { x, _ := ev.Data[k].(string); return x }
	n := func(k string) int {
		switch x := ev.Data[k].(type) {
		case float64:
			return int(x)
		case int:
			return x
		case int64:
			return int(x)
		}
		return 0
	}
	what := v.T("pb.ev.what", s("title"), n("step"), v.PlaybookKind(playbook.Kind(s("playbook"))), s("service"),
		v.ActionKind(playbook.ActionKind(s("action"))))
	switch ev.Kind {
	case playbook.EventStarted:
		return v.T("pb.ev.started", what, s("method"), s("url")), true
	case playbook.EventSucceeded:
		text := v.T("pb.ev.succeeded", what, n("status"))
		if loc := s("location"); loc != "" {
			text += " — " + loc
		}
		return text, true
	case playbook.EventFailed:
		text := v.T("pb.ev.failed", what, s("reason"))
		if a := s("answer"); a != "" {
			text += " — " + v.T("pb.ev.answer", a)
		}
		return text, true
	case playbook.EventUnknown:
		return v.T("pb.ev.unknown", what, s("reason")), true
	}
	return "", false
}
