package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/change"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// changeRoutes serve the incident page's change controls: marking a change
// as the suspected trigger and recording when the impact stopped.
func (u *UI) changeRoutes(signedIn func(string, func(http.ResponseWriter, *http.Request, *view))) {
	signedIn("POST /incidents/{ref}/changes/{id}/suspect", u.suspectChange)
	signedIn("POST /incidents/{ref}/mitigate", u.mitigate)
}

// changesPanel is the incident page's "Recent changes" section.
type changesPanel struct {
	*change.IncidentView
	// CanChange: the viewer may mark a change as suspected.
	CanChange bool
	// Suspected are the ids of changes already marked on this incident.
	Suspected map[int64]bool
}

// changesOf builds the panel; nil when the registry is not set up.
func (u *UI) changesOf(r *http.Request, v *view, inc *incident.Incident, events []incident.Event) (*changesPanel, error) {
	if u.Changes == nil {
		return nil, nil
	}
	cv, err := u.Changes.Around(r.Context(), inc) // renderIncident checked the viewer may see inc
	if err != nil {
		return nil, err
	}
	p := &changesPanel{IncidentView: cv, CanChange: u.Incidents.Decide(v.User, incident.Change, inc).Allowed, Suspected: map[int64]bool{}}
	for _, ev := range events {
		if ev.Kind == change.EventSuspected {
			p.Suspected[eventChangeID(ev)] = true
		}
	}
	return p, nil
}

// eventChangeID reads the change id of a change event; numbers come back
// from the database's JSON as float64.
func eventChangeID(ev incident.Event) int64 {
	switch x := ev.Data["change_id"].(type) {
	case float64:
		return int64(x)
	case int64:
		return x
	}
	return 0
}

func (u *UI) suspectChange(w http.ResponseWriter, r *http.Request, v *view) {
	u.act(w, r, v, func(id int64) error {
		changeID, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		_, err := u.Changes.Suspect(r.Context(), v.User, id, max(changeID, 0))
		return err
	})
}

// mitigate records when the impact stopped: the time typed, read in the
// viewer's zone, or now.
func (u *UI) mitigate(w http.ResponseWriter, r *http.Request, v *view) {
	u.act(w, r, v, func(id int64) error {
		var at *time.Time
		if s := strings.TrimSpace(r.PostFormValue("mitigated_at")); s != "" {
			t, err := time.ParseInLocation("2006-01-02T15:04", s, v.Zone)
			if err != nil {
				return fail.Field("mitigated_at", "must be a date and time such as 2026-12-05T10:42; got %q", s)
			}
			at = &t
		}
		_, err := u.Incidents.Mitigate(r.Context(), v.User, id, at)
		return err
	})
}

// ChangeKind names a change's kind in the viewer's language.
func (v *view) ChangeKind(k change.Kind) string { return v.T("chg.kind." + string(k)) }

// ChangeReason says why a change cannot be rolled back, in the viewer's
// language where the rules decided it; a reason a person gave is shown as
// they wrote it.
func (v *view) ChangeReason(verdict change.Verdict, kind change.Kind) string {
	switch {
	case verdict.Label != "":
		return v.T("chg.reason_label", prNumber(verdict.PR), verdict.Label)
	case strings.HasPrefix(verdict.Reason, "changes of kind "):
		return v.T("chg.reason_kind", v.ChangeKind(kind))
	}
	return verdict.Reason
}

// BlockReason says why a service's newest deploy may not be rolled back.
func (v *view) BlockReason(ls change.LastSafe) string {
	return v.ChangeReason(change.Verdict{Reason: ls.Reason, Label: ls.Label, PR: ls.Link}, change.KindDeploy)
}

// prNumber turns a pull request link into "PR #12" ("the pull request"
// when the link has no number).
func prNumber(link string) string {
	if i := strings.LastIndex(link, "/pull/"); i >= 0 {
		return "PR #" + link[i+len("/pull/"):]
	}
	return "PR"
}

// changeEventText describes the registry's and mitigation's timeline events.
func (v *view) changeEventText(ev incident.Event) (string, bool) {
	s := func(k string) string { x, _ := ev.Data[k].(string); return x }
	what := func() string {
		name := strings.TrimSpace(v.ChangeKind(change.Kind(s("kind"))) + " " + s("version"))
		if t := s("title"); t != "" && t != s("version") {
			name += " — " + t
		}
		if svc := s("services"); svc != "" {
			name += " (" + svc + ")"
		}
		if ok, _ := ev.Data["rollbackable"].(bool); !ok && s("reason") != "" {
			name += "; " + v.T("chg.not_rollbackable") + ": " + v.ChangeReason(change.Verdict{Reason: s("reason"), Label: s("label"), PR: s("pr")},
				change.Kind(s("kind")))
		}
		return name
	}
	switch ev.Kind {
	case change.EventLanded:
		return v.T("ev.change_landed", what()), true
	case change.EventSuspected:
		return v.T("ev.change_suspected", what()), true
	case incident.EventMitigated:
		at, err := time.Parse(time.RFC3339, s("at"))
		if err != nil {
			return v.T("ev.mitigated", s("at")), true
		}
		return v.T("ev.mitigated", v.Time(at)), true
	}
	return "", false
}

// ChangeCount says how many changes the panel lists, for its heading.
func (p *changesPanel) ChangeCount() string { return fmt.Sprint(len(p.Changes)) }
