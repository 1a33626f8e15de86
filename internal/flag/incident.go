package flag

import (
	"context"
	"fmt"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// EventFlipped is the timeline event of a switch flipped from an incident:
// data key, service, from, to, reason and version.
const EventFlipped incident.EventKind = "flag_flipped"

// EventStore changes a switch and appends an incident's timeline event in
// one transaction (see Store.UpdateSwitch for change). event makes the
// event from the switch and revision as stored; nil appends none.
type EventStore interface {
	UpdateSwitchWithEvent(ctx context.Context, key string, change Change,
		event func(Switch, Revision) *incident.Event) (Switch, Revision, error)
}

// IncidentSwitches are the switches seen from an incident: those of its
// affected services, flipped during it and recorded on its timeline.
type IncidentSwitches struct {
	Flags     *Service
	Incidents *incident.Service
	// Events is the flag store, writing a flip and its timeline event
	// together.
	Events EventStore
}

// IncidentSwitch is one switch as an incident's page shows it.
type IncidentSwitch struct {
	Switch
	// MayFlip: the viewer may flip it (an owning team's responder, or an
	// admin).
	MayFlip bool `json:"may_flip"`
	// FlippedHere: it serves one variant since a flip made during this
	// incident.
	FlippedHere bool `json:"flipped_here"`
	// OfferBack: it was flipped here, the incident is mitigated, and the
	// viewer may flip it back to its definition.
	OfferBack bool `json:"offer_back"`
}

// Mitigated reports whether an incident's impact is over, so that switches
// flipped during it should go back to their definition. Kept in one place
// so that every screen and the left-flipped check agree.
func Mitigated(inc *incident.Incident) bool {
	if inc.MitigatedAt != nil {
		return true
	}
	switch inc.Status {
	case incident.Monitoring, incident.Resolved, incident.Closed:
		return true
	}
	return false
}

// List returns the incident (as the user may see it) and the switches of
// its affected services.
func (s *IncidentSwitches) List(ctx context.Context, by auth.User, id int64) (*incident.Incident, []IncidentSwitch, error) {
	inc, err := s.Incidents.Get(ctx, by, id)
	if err != nil {
		return nil, nil, err
	}
	if len(inc.Services) == 0 {
		return inc, []IncidentSwitch{}, nil
	}
	sws, err := s.Flags.List(ctx, by, inc.Services)
	if err != nil {
		return nil, nil, err
	}
	out := make([]IncidentSwitch, len(sws))
	for i, sw := range sws {
		out[i] = s.view(by, inc, sw)
	}
	return inc, out, nil
}

func (s *IncidentSwitches) view(by auth.User, inc *incident.Incident, sw Switch) IncidentSwitch {
	v := IncidentSwitch{Switch: sw, MayFlip: s.Flags.MayChange(by, sw.Service)}
	v.FlippedHere = sw.Flipped() && sw.Incident == inc.Ref()
	v.OfferBack = v.FlippedHere && v.MayFlip && Mitigated(inc)
	return v
}

// Flip flips a switch during an incident, records the incident on its
// revision and puts the flip on the incident's timeline, all in one
// transaction with the audit entry. to is a variant or "default"; a reason
// is required. Any switch may be flipped, not only those of the affected
// services: a dependency's switch may be the one that helps; who may flip
// it is its owning team's rule.
func (s *IncidentSwitches) Flip(ctx context.Context, by auth.User, id int64, key, to, reason string) (Switch, Revision, error) {
	inc, err := s.Incidents.Get(ctx, by, id)
	if err != nil {
		return Switch{}, Revision{}, err
	}
	// The flag service's rules, over a store that also writes the event.
	svc := *s.Flags
	svc.Store = eventStore{Store: s.Flags.Store, events: s.Events, event: func(sw Switch, rev Revision) *incident.Event {
		return &incident.Event{IncidentID: inc.ID, Kind: EventFlipped, Actor: by.Name, At: rev.At, Data: map[string]any{
			"key":     sw.Key,
			"service": sw.Service,
			"from":    rev.From,
			"to":      rev.To,
			"reason":  reason,
			"version": rev.Version,
		}}
	}}
	return svc.Flip(ctx, by, key, FlipRequest{To: to, Reason: reason, Incident: inc.Ref()})
}

// eventStore is a Store whose changes append an event in their
// transaction.
type eventStore struct {
	Store
	events EventStore
	event  func(Switch, Revision) *incident.Event
}

func (e eventStore) UpdateSwitch(ctx context.Context, key string, change Change) (Switch, Revision, error) {
	return e.events.UpdateSwitchWithEvent(ctx, key, change, e.event)
}

// FlipNamed flips a switch as Service.Flip does; when the request names an
// incident, through Flip, so that the flip is on that incident's timeline
// whichever edge (API, CLI) asked for it.
func (s *IncidentSwitches) FlipNamed(ctx context.Context, by auth.User, key string, req FlipRequest) (Switch, Revision, error) {
	ref := strings.TrimSpace(req.Incident)
	if ref == "" {
		return s.Flags.Flip(ctx, by, key, req)
	}
	id, ok := incident.ParseRef(ref)
	if !ok {
		return Switch{}, Revision{}, fail.Field("incident", "must be an incident id such as INC-7; got %q", ref)
	}
	if _, err := s.Incidents.Get(ctx, by, id); fail.CodeOf(err) == fail.NotFound {
		// Named in the body, not the path: a problem naming the field.
		return Switch{}, Revision{}, fail.Field("incident", "no incident %q", ref)
	}
	return s.Flip(ctx, by, id, key, req.To, req.Reason)
}

// TargetingSummary says in one line who the definition serves what: the
// rules in order, then the default. Operators and attributes stay as
// written: they are what the config file and API use.
func TargetingSummary(sw Switch) string {
	if !sw.Enabled {
		return "disabled: " + sw.DefaultVariant + " for everyone"
	}
	var parts []string
	for _, r := range sw.Rules {
		conds := make([]string, len(r.Conditions))
		for i, c := range r.Conditions {
			val := c.Value
			if len(c.Values) > 0 {
				val = "[" + strings.Join(c.Values, ", ") + "]"
			}
			conds[i] = fmt.Sprintf("%s %s %s", c.Attribute, c.Op, val)
		}
		parts = append(parts, strings.Join(conds, " and ")+" → "+r.Variant)
	}
	parts = append(parts, "else → "+sw.DefaultVariant)
	return strings.Join(parts, "; ")
}
