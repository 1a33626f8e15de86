// Package statuspage decides what Firebreak's status page tells: which
// incidents, which of their updates, and the state of each affected service.
// The public page shows public incidents and their public updates only; the
// staff page adds internal incidents and all their updates. Neither ever
// shows a restricted incident. It knows no HTTP and no SQL.
package statuspage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Audience is who reads the page.
type Audience int

// The audiences.
const (
	Public Audience = iota // anyone, no sign-in
	Staff                  // signed-in users
)

// Visibilities are the incident visibilities the audience may see.
// Restricted incidents are left out for everyone: the status page is a
// broadcast, and restricted incidents are told only to their members.
func (a Audience) Visibilities() []incident.Visibility {
	if a == Staff {
		return []incident.Visibility{incident.Public, incident.Internal}
	}
	return []incident.Visibility{incident.Public}
}

// State is how a service is doing.
type State string

// The states, from best to worst.
const (
	Operational State = "operational"
	Degraded    State = "degraded"
	Outage      State = "outage"
)

func (s State) rank() int { return slices.Index([]State{Operational, Degraded, Outage}, s) }

// Impact is the state an open incident puts its services in: SEV1 and SEV2
// mean an outage, SEV3 to SEV5 a degradation, and an incident whose fix is
// in and being watched (monitoring) at worst a degradation. A resolved or
// closed incident puts them in no worse state than operational.
func Impact(inc *incident.Incident) State {
	switch {
	case !inc.Status.Open():
		return Operational
	case inc.Status == incident.Monitoring || inc.Grade > incident.SEV2:
		return Degraded
	}
	return Outage
}

// Entry is one incident on the page with the updates its audience may read,
// newest first.
type Entry struct {
	Incident *incident.Incident
	Impact   State
	Updates  []incident.Event
	// Updated is when the entry last changed for its audience: its newest
	// update, its resolution or its declaration. Internal changes (notes,
	// role changes) do not count, so they do not show through.
	Updated time.Time
}

// Service is one service's state on the page, with the open incidents that
// affect it.
type Service struct {
	Name      string
	State     State
	Incidents []string
}

// Page is everything the status page shows.
type Page struct {
	Audience Audience
	Services []Service // the services listed, worst first
	Open     []Entry   // open incidents, newest first
	Resolved []Entry   // recently resolved incidents, latest resolution first
	Updated  time.Time // the newest Entry.Updated, or the zero time
}

// Worst is the worst state of the listed services (operational when none).
func (p *Page) Worst() State {
	worst := Operational
	for _, s := range p.Services {
		if s.State.rank() > worst.rank() {
			worst = s.State
		}
	}
	return worst
}

// Query selects incidents for the page; the store applies every field.
type Query struct {
	Visibilities []incident.Visibility
	Open         bool      // open incidents; otherwise resolved and closed ones
	ResolvedFrom time.Time // with !Open: resolved at or after
	Limit        int
}

// Store reads what the page needs, in a bounded number of queries.
type Store interface {
	// StatusIncidents returns matching incidents with their services:
	// open ones newest first, resolved ones by latest resolution.
	StatusIncidents(ctx context.Context, q Query) ([]*incident.Incident, error)
	// StatusUpdates returns up to perIncident newest status updates of each
	// incident, newest first; only public ones when publicOnly.
	StatusUpdates(ctx context.Context, ids []int64, publicOnly bool, perIncident int) (map[int64][]incident.Event, error)
}

// Bounds of one page: the page is read on every request, so every query has
// a limit.
const (
	MaxOpen          = 100
	MaxResolved      = 20
	UpdatesPerEntry  = 30
	ResolvedLookback = 14 * 24 * time.Hour
)

// Build reads the page for the audience. services lists every service the
// catalog knows: the staff page shows them all, the public page only those
// its incidents name (the catalog itself is not public).
func Build(ctx context.Context, st Store, a Audience, services []string, now time.Time) (*Page, error) {
	open, err := st.StatusIncidents(ctx, Query{Visibilities: a.Visibilities(), Open: true, Limit: MaxOpen})
	if err != nil {
		return nil, fmt.Errorf("status page: %w", err)
	}
	resolved, err := st.StatusIncidents(ctx, Query{Visibilities: a.Visibilities(), ResolvedFrom: now.Add(-ResolvedLookback), Limit: MaxResolved})
	if err != nil {
		return nil, fmt.Errorf("status page: %w", err)
	}
	ids := make([]int64, 0, len(open)+len(resolved))
	for _, inc := range append(slices.Clip(open), resolved...) {
		ids = append(ids, inc.ID)
	}
	updates, err := st.StatusUpdates(ctx, ids, a == Public, UpdatesPerEntry)
	if err != nil {
		return nil, fmt.Errorf("status page: %w", err)
	}
	p := &Page{Audience: a}
	entry := func(inc *incident.Incident) Entry {
		e := Entry{Incident: inc, Impact: Impact(inc), Updates: updates[inc.ID], Updated: inc.CreatedAt}
		if end, ok := ending(inc); ok {
			e.Updates = append([]incident.Event{end}, e.Updates...)
		}
		if len(e.Updates) > 0 && e.Updates[0].At.After(e.Updated) {
			e.Updated = e.Updates[0].At
		}
		if r := inc.ResolvedAt; r != nil && !inc.Status.Open() && r.After(e.Updated) {
			e.Updated = *r
		}
		if e.Updated.After(p.Updated) {
			p.Updated = e.Updated
		}
		return e
	}
	for _, inc := range open {
		p.Open = append(p.Open, entry(inc))
	}
	for _, inc := range resolved {
		p.Resolved = append(p.Resolved, entry(inc))
	}
	p.Services = serviceStates(p.Open, a, services)
	return p, nil
}

// serviceStates gives each service the worst impact of the open incidents
// that name it, worst first and otherwise in catalog order.
func serviceStates(open []Entry, a Audience, catalog []string) []Service {
	byName := map[string]*Service{}
	var order []string
	add := func(name string) *Service {
		if s, ok := byName[name]; ok {
			return s
		}
		byName[name] = &Service{Name: name, State: Operational}
		order = append(order, name)
		return byName[name]
	}
	if a == Staff {
		for _, name := range catalog {
			add(name)
		}
	}
	for _, e := range open {
		for _, name := range e.Incident.Services {
			s := add(name)
			s.Incidents = append(s.Incidents, e.Incident.Ref())
			if e.Impact.rank() > s.State.rank() {
				s.State = e.Impact
			}
		}
	}
	out := make([]Service, len(order))
	for i, name := range order {
		out[i] = *byName[name]
	}
	slices.SortStableFunc(out, func(x, y Service) int { return y.State.rank() - x.State.rank() })
	return out
}
