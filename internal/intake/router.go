package intake

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// RouterStore is what routing needs from the store.
type RouterStore interface {
	UnroutedSignals(ctx context.Context, limit int) ([]*Signal, error)
	GroupIncident(ctx context.Context, key string) (int64, error)
	SetGroupIncident(ctx context.Context, key string, incidentID int64) error
	// SaveRoutings stores where each signal went and appends the events of
	// those that joined an incident, all in one transaction.
	SaveRoutings(ctx context.Context, routed []Routed) error
}

// Routed is one routing decision: the signal with its routing fields set,
// and the timeline event when it joined an incident.
type Routed struct {
	Signal *Signal
	Event  *incident.Event
}

// System is the actor of what Firebreak does by rule.
var System = auth.User{Name: "firebreak", Role: auth.Admin}

// Router sends signals to incidents or the triage inbox by the configured
// routes. Only one router runs at a time (the job queue sees to that), so
// two signals of a new group cannot both declare an incident.
type Router struct {
	Store     RouterStore
	Incidents Incidents
	Config    *Config
	Now       func() time.Time
	// Suppressor, when set, keeps signals that fall in a maintenance
	// window or silence out of incidents and the triage inbox.
	Suppressor Suppressor
}

// Suppressor tells whether a signal arriving at at falls in an active
// maintenance window or silence. It runs for every new signal on the
// intake's fast path, so it must answer from memory.
type Suppressor interface {
	Suppressed(service string, labels map[string]string, at time.Time) (by string, until time.Time, ok bool)
}

// routeBatch bounds one run; the next run takes the rest.
const routeBatch = 500

// RouteAll routes every unrouted signal and returns how many it routed.
// A batch's decisions are stored in one transaction: in a storm, routing
// must not take the database's writer away from intake once per signal.
func (r *Router) RouteAll(ctx context.Context) (int, error) {
	n := 0
	open := map[string]int64{} // group → its open incident, for this run
	for {
		sigs, err := r.Store.UnroutedSignals(ctx, routeBatch)
		if err != nil {
			return n, err
		}
		routed := make([]Routed, 0, len(sigs))
		for _, s := range sigs {
			ev, err := r.route(ctx, s, open)
			if err != nil {
				return n, fmt.Errorf("route signal %d: %w", s.ID, err)
			}
			routed = append(routed, Routed{Signal: s, Event: ev})
		}
		if err := r.Store.SaveRoutings(ctx, routed); err != nil {
			return n, err
		}
		n += len(sigs)
		if len(sigs) < routeBatch {
			return n, nil
		}
	}
}

// route decides where one signal goes, declaring an incident when its route
// says so and its group has none open. It returns the join event, if any.
func (r *Router) route(ctx context.Context, s *Signal, open map[string]int64) (*incident.Event, error) {
	lookup := func(ctx context.Context, key string) (int64, error) {
		id, cached := open[key]
		if !cached {
			var err error
			if id, err = r.openGroupIncident(ctx, key); err != nil {
				return 0, err
			}
			open[key] = id
		}
		return id, nil
	}
	s.Routed = true
	declare, err := r.place(ctx, s, lookup)
	if err != nil || !declare {
		return r.joined(s), err
	}
	d := incident.Declaration{Title: s.Title, Summary: s.Summary, Grade: s.Grade, Source: s.Source,
		Labels: map[string]string{"signal_group": s.GroupKey}}
	if s.Service != "" {
		d.Services = []string{s.Service}
	}
	detectedFrom(s, &d, r.Now())
	inc, err := r.Incidents.Declare(ctx, System, d)
	if err != nil {
		if fail.CodeOf(err) == fail.Invalid { // e.g. a route naming a service the catalog lost
			s.Triage, s.TriageReason = TriagePending, "could not declare: "+err.Error()
			return nil, nil
		}
		return nil, err
	}
	if err := r.Store.SetGroupIncident(ctx, s.GroupKey, inc.ID); err != nil {
		return nil, err
	}
	open[s.GroupKey] = inc.ID
	s.IncidentID = inc.ID
	return r.joined(s), nil
}

// OpenGroupIncident returns the open incident a routing group feeds, or 0.
type OpenGroupIncident func(ctx context.Context, groupKey string) (int64, error)

// place sets s's routing fields by the routes: its service, grade and
// group, and then the incident its group feeds (open finds it) or the
// triage inbox. It reports true when s should declare an incident: its
// route says so and its group has none open.
func (r *Router) place(ctx context.Context, s *Signal, open OpenGroupIncident) (declare bool, err error) {
	rule, action, ok := r.match(s)
	if r.suppress(s, rule.Service) {
		if ok {
			s.Service, s.Grade = rule.Service, rule.Grade
		}
		return false, nil
	}
	if !ok {
		s.Triage, s.TriageReason = TriagePending, "no route matched"
		return false, nil
	}
	s.Service, s.Grade = rule.Service, rule.Grade
	s.GroupKey = groupKey(rule, s)
	id, err := open(ctx, s.GroupKey)
	if err != nil {
		return false, err
	}
	switch {
	case id != 0:
		s.IncidentID = id
		return false, nil
	case action == ActionDeclare:
		return true, nil
	default:
		s.Triage = TriagePending
		return false, nil
	}
}

// PlaceOnArrival routes a new signal in the transaction that stores it,
// when that needs no declaration: into its group's open incident, or to
// the triage inbox. It reports whether it did; a signal that must declare
// an incident is left unrouted for RouteAll, the one router that declares
// (the job queue runs one at a time), so a group never opens two. open
// must read the store inside that transaction.
func (r *Router) PlaceOnArrival(ctx context.Context, s *Signal, open OpenGroupIncident) (bool, error) {
	declare, err := r.place(ctx, s, open)
	if err != nil || declare {
		s.Service, s.Grade, s.GroupKey, s.IncidentID, s.Triage, s.TriageReason = "", 0, "", 0, "", ""
		s.SuppressedBy, s.SuppressedUntil = "", nil
		return false, err
	}
	s.Routed = true
	return true, nil
}

// JoinedEvent returns the timeline event of a signal placed into an
// incident, once the signal has its ID.
func (r *Router) JoinedEvent(s *Signal) incident.Event {
	return JoinEvent(s, s.IncidentID, r.Now().UTC())
}

// match finds the rule for a signal: mail by sender and subject, everything
// else by labels.
func (r *Router) match(s *Signal) (rule Route, action Action, ok bool) {
	if s.Source == "email" {
		if m, ok := r.Config.MailRoute(s.Labels["from"], s.Title); ok {
			return Route{Service: m.Service, Grade: m.Grade, Action: m.Action, GroupBy: []string{"from"}, Line: -m.Line}, m.Action, true
		}
	}
	rt, ok := r.Config.Route(s.Labels)
	return rt, rt.Action, ok
}

func (r *Router) openGroupIncident(ctx context.Context, key string) (int64, error) {
	id, err := r.Store.GroupIncident(ctx, key)
	if err != nil || id == 0 {
		return 0, err
	}
	inc, err := r.Incidents.Get(ctx, System, id)
	if err != nil {
		return 0, err
	}
	if !inc.Status.Open() {
		return 0, nil // a resolved incident's group starts afresh
	}
	return id, nil
}

// joined returns the join event of s, if it joined an incident.
func (r *Router) joined(s *Signal) *incident.Event {
	if s.IncidentID == 0 {
		return nil
	}
	ev := r.JoinedEvent(s)
	return &ev
}

// groupKey names the group a signal belongs to: its route and the values of
// the route's group_by labels.
func groupKey(rt Route, s *Signal) string {
	var b strings.Builder
	fmt.Fprintf(&b, "route@%d", rt.Line) // mail rules have negative lines
	by := rt.GroupBy
	if len(by) == 0 {
		by = []string{"alertname"}
	}
	for _, l := range by {
		fmt.Fprintf(&b, "|%s=%s", l, s.Labels[l])
	}
	return b.String()
}

// suppress marks s when an active maintenance window or silence covers
// it (service is its route's service, if any). A suppressed signal is
// routed but joins no incident and waits in no inbox, so no one is told.
// It is judged at its arrival, not when routing gets to it.
func (r *Router) suppress(s *Signal, service string) bool {
	if r.Suppressor == nil {
		return false
	}
	by, until, ok := r.Suppressor.Suppressed(service, s.Labels, s.LastSeen)
	if !ok {
		return false
	}
	s.SuppressedBy, s.SuppressedUntil = by, &until
	return true
}
