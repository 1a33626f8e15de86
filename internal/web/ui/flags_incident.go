package ui

import (
	"context"
	"net/http"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// incidentFlagRoutes serve flipping a kill switch from an incident's page.
func (u *UI) incidentFlagRoutes(signedIn func(string, func(http.ResponseWriter, *http.Request, *view))) {
	if u.Switches == nil {
		return
	}
	signedIn("POST /incidents/{ref}/flags/{key}/flip", u.flipFromIncident)
}

// flagsPanel is the incident page's kill switch section.
type flagsPanel struct {
	Items []flagRow
}

// flagRow is one switch on the incident page, with what the forms offer.
type flagRow struct {
	flag.IncidentSwitch
	Targeting string
	// Choices are the states it may be flipped to: the variants it does
	// not serve now, and "default" when it is flipped.
	Choices []string
}

// incidentFlags builds the section for an incident's page; nil when
// switches are not set up.
func (u *UI) incidentFlags(ctx context.Context, v *view, inc *incident.Incident) (*flagsPanel, error) {
	if u.Switches == nil {
		return nil, nil
	}
	_, items, err := u.Switches.List(ctx, v.User, inc.ID)
	if err != nil {
		return nil, err
	}
	p := &flagsPanel{Items: make([]flagRow, len(items))}
	for i, it := range items {
		p.Items[i] = flagRow{IncidentSwitch: it, Targeting: flag.TargetingSummary(it.Switch), Choices: flipChoices(it.Switch)}
	}
	return p, nil
}

func flipChoices(sw flag.Switch) []string {
	var out []string
	if sw.Flipped() {
		out = append(out, flag.Default)
	}
	for _, name := range sw.VariantNames() {
		if name != sw.State {
			out = append(out, name)
		}
	}
	return out
}

func (u *UI) flipFromIncident(w http.ResponseWriter, r *http.Request, v *view) {
	u.act(w, r, v, func(id int64) error {
		_, _, err := u.Switches.Flip(r.Context(), v.User, id, r.PathValue("key"), r.PostFormValue("to"), r.PostFormValue("reason"))
		return err
	})
}

// flagEventText describes a flip on the timeline.
func (v *view) flagEventText(ev incident.Event) string {
	s := func(k string) string { x, _ := ev.Data[k].(string); return x }
	return v.T("ev.flag_flipped", s("key"), v.StateName(s("from")), v.StateName(s("to")), s("reason"))
}

// StateName is a switch state in the viewer's language: a variant as it
// is named, "default" as words.
func (v *view) StateName(state string) string {
	if state == flag.Default || state == "" {
		return v.T("sw.to_default")
	}
	return state
}

// liveSwitches re-renders the incident page's switch section for the live
// stream when events may have changed it: a flip, or a status change (which
// may bring the flip-back offer). ok is false when there is nothing to send.
func (u *UI) liveSwitches(ctx context.Context, v *view, inc *incident.Incident, events []incident.Event) (html string, ok bool, err error) {
	if u.Switches == nil {
		return "", false, nil
	}
	for _, ev := range events {
		if ev.Kind == flag.EventFlipped || ev.Kind == incident.EventStatusChanged {
			ok = true
		}
	}
	if !ok {
		return "", false, nil
	}
	panel, err := u.incidentFlags(ctx, v, inc)
	if err != nil {
		return "", false, err
	}
	html, err = u.fragment("incident_flags", v, incidentPage{Inc: inc, Flags: panel})
	return strings.TrimSpace(html), err == nil && html != "", err
}
