package flag

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// The audit log's actions for a switch.
const (
	ActionCreate = "flag.create"
	ActionUpdate = "flag.update"
	ActionFlip   = "flag.flip"
)

// Revision kinds.
const (
	KindCreate = "create"
	KindUpdate = "update"
	KindFlip   = "flip"
	KindConfig = "config" // the config file changed the definition at start
)

// Revision is one change of a switch: who, when, why, from what to what.
// For a flip From and To are states ("default" or a variant); for other
// changes they are the definition as JSON.
type Revision struct {
	ID       int64     `json:"id"`
	Key      string    `json:"key"`
	Version  int64     `json:"version"`
	Kind     string    `json:"kind"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Reason   string    `json:"reason,omitempty"`
	Incident string    `json:"incident,omitempty"`
	From     string    `json:"from"`
	To       string    `json:"to"`
}

// Change is what a store asks of a change to a switch: the new switch, and
// its revision and audit entry, made from the switch as stored.
type Change func(cur Switch) (next Switch, rev *Revision, audit *auth.AuditEntry, err error)

// Store keeps switches and their revisions. Each change writes the switch,
// its revision and its audit entry in one transaction and tells other
// replicas (see Snapshot).
type Store interface {
	// CreateSwitch stores a new switch at version 1; a key in use is a
	// conflict. rev and audit are stored with it.
	CreateSwitch(ctx context.Context, s *Switch, rev *Revision, audit *auth.AuditEntry) error
	// UpdateSwitch locks the switch, applies change and stores what it
	// returns with the version one up; no switch: not found.
	UpdateSwitch(ctx context.Context, key string, change Change) (Switch, Revision, error)
	// GetSwitch returns one switch; no switch: not found.
	GetSwitch(ctx context.Context, key string) (Switch, error)
	// ListSwitches returns the switches of the services (all when
	// services is nil), by key, at most limit.
	ListSwitches(ctx context.Context, services []string, limit int) ([]Switch, error)
	// ListFlipped returns the switches that serve one variant to everyone
	// and were flipped during an incident, at most limit.
	ListFlipped(ctx context.Context, limit int) ([]Switch, error)
	// Revisions returns the switch's newest revisions first, at most limit.
	Revisions(ctx context.Context, key string, limit int) ([]Revision, error)
	// ChangeMark returns a number that grows with every change of any
	// switch: a cheap poll for changes made by another process.
	ChangeMark(ctx context.Context) (int64, error)
}

// Incidents tells the service of incidents a flip names.
type Incidents interface {
	// IncidentState returns the incident's canonical reference ("INC-7")
	// and whether it is closed; an unknown or unseen one: not found.
	IncidentState(ctx context.Context, by auth.User, ref string) (canonical string, closed bool, err error)
}

// MaxSwitches bounds every list and the snapshot: a bulk evaluation
// answers with all switches at once.
const MaxSwitches = 2000

// MaxRevisions bounds the revisions one page shows.
const MaxRevisions = 200

// MaxReason bounds the reason of a change.
const MaxReason = 1000

// Service states the rules for changing switches.
type Service struct {
	Store Store
	Now   func() time.Time
	// TeamOf names the team that owns a service ("" when none does).
	TeamOf func(service string) string
	// ServiceExists reports whether a service is in the catalog; nil
	// accepts any.
	ServiceExists func(name string) bool
	// Incidents checks the incident a flip names; nil accepts none.
	Incidents Incidents
	// Changed, when set, is told of every switch stored, so this process
	// serves it at once (other replicas learn through the snapshot's
	// watch).
	Changed func(Switch)
}

// MayChange reports whether the user may create, change and flip switches
// of the service: the owning team's responders and managers, and admins,
// with the write scope.
func (s *Service) MayChange(by auth.User, service string) bool {
	team := ""
	if s.TeamOf != nil {
		team = s.TeamOf(service)
	}
	return by.HasScope(auth.ScopeWrite) && by.HasTeamRole(auth.TeamResponder, team)
}

func (s *Service) mayChange(by auth.User, service string) error {
	if !s.MayChange(by, service) {
		return fail.New(fail.Forbidden, "changing the switches of service %s needs the responder role of its owning team (or the admin role) and the write scope", service)
	}
	return nil
}

func (s *Service) now() time.Time { return s.Now().UTC() }

func (s *Service) changed(sw Switch) {
	if s.Changed != nil {
		s.Changed(sw)
	}
}

// Definition is what people give to create or change a switch.
type Definition struct {
	Key            string         `json:"key"`
	Service        string         `json:"service"`
	Description    string         `json:"description"`
	Type           Type           `json:"type"`
	Variants       map[string]any `json:"variants"`
	DefaultVariant string         `json:"default_variant"`
	Rules          []Rule         `json:"rules"`
	// Enabled defaults to true.
	Enabled *bool `json:"enabled,omitempty"`
}

func (d Definition) apply(sw *Switch) {
	sw.Service, sw.Description, sw.Type = strings.TrimSpace(d.Service), d.Description, d.Type
	sw.Variants, sw.DefaultVariant, sw.Rules = d.Variants, d.DefaultVariant, d.Rules
	if sw.Rules == nil {
		sw.Rules = []Rule{}
	}
	sw.Enabled = d.Enabled == nil || *d.Enabled
}

func (s *Service) checkService(name string) error {
	if s.ServiceExists != nil && strings.TrimSpace(name) != "" && !s.ServiceExists(name) {
		return fail.Field("service", "unknown service %q", name)
	}
	return nil
}

// definitionText is a switch's definition as a revision records it.
func definitionText(sw Switch) string {
	d := struct {
		Service        string         `json:"service"`
		Description    string         `json:"description"`
		Type           Type           `json:"type"`
		Variants       map[string]any `json:"variants"`
		DefaultVariant string         `json:"default_variant"`
		Rules          []Rule         `json:"rules"`
		Enabled        bool           `json:"enabled"`
	}{sw.Service, sw.Description, sw.Type, sw.Variants, sw.DefaultVariant, sw.Rules, sw.Enabled}
	b, _ := json.Marshal(d)
	return string(b)
}

func target(key string) string { return "flag:" + key }

// Create stores a new switch made in the UI, API or CLI.
func (s *Service) Create(ctx context.Context, by auth.User, d Definition) (Switch, error) {
	sw := Switch{Key: strings.TrimSpace(d.Key), Source: SourceAPI}
	d.apply(&sw)
	if err := sw.Check(); err != nil {
		return Switch{}, err
	}
	if err := s.checkService(sw.Service); err != nil {
		return Switch{}, err
	}
	if err := s.mayChange(by, sw.Service); err != nil {
		return Switch{}, err
	}
	// Every switch is served in each bulk answer and held in memory: the
	// set is bounded, and a switch past the bound would not be served.
	if all, err := s.Store.ListSwitches(ctx, nil, MaxSwitches); err != nil {
		return Switch{}, err
	} else if len(all) >= MaxSwitches {
		return Switch{}, fail.New(fail.Conflict, "there are %d switches already, the most Firebreak serves", MaxSwitches)
	}
	now := s.now()
	sw.Version, sw.UpdatedAt, sw.UpdatedBy = 1, now, by.Name
	rev := &Revision{Key: sw.Key, Version: 1, Kind: KindCreate, At: now, Actor: by.Name, To: definitionText(sw)}
	audit := auth.NewAuditEntry(now, by.Name, ActionCreate, target(sw.Key), nil, sw)
	if err := s.Store.CreateSwitch(ctx, &sw, rev, audit); err != nil {
		return Switch{}, err
	}
	s.changed(sw)
	return sw, nil
}

// Update replaces the definition of a switch made in the UI, API or CLI;
// its state stays, unless it names a variant that is gone (then the switch
// serves its definition again). Switches from the config file are changed
// there.
func (s *Service) Update(ctx context.Context, by auth.User, key string, d Definition, reason string) (Switch, error) {
	if err := checkReason(reason, false); err != nil {
		return Switch{}, err
	}
	if err := s.checkService(d.Service); err != nil {
		return Switch{}, err
	}
	now := s.now()
	sw, _, err := s.Store.UpdateSwitch(ctx, key, func(cur Switch) (Switch, *Revision, *auth.AuditEntry, error) {
		if err := s.mayChange(by, cur.Service); err != nil {
			return Switch{}, nil, nil, err
		}
		if cur.Source == SourceConfig {
			return Switch{}, nil, nil, fail.New(fail.Conflict, "switch %s is defined in the config file; change it there (flipping it is allowed)", key)
		}
		next := cur.Clone()
		d.apply(&next)
		next.State, next.Incident = "", ""
		if err := next.Check(); err != nil {
			return Switch{}, nil, nil, err
		}
		if _, ok := next.Variants[cur.State]; ok {
			next.State, next.Incident = cur.State, cur.Incident
		}
		if err := s.mayChange(by, next.Service); err != nil {
			return Switch{}, nil, nil, err
		}
		next.UpdatedAt, next.UpdatedBy = now, by.Name
		rev := &Revision{Key: key, Kind: KindUpdate, At: now, Actor: by.Name, Reason: reason,
			From: definitionText(cur), To: definitionText(next)}
		return next, rev, auth.NewAuditEntry(now, by.Name, ActionUpdate, target(key), cur, next), nil
	})
	if err != nil {
		return Switch{}, err
	}
	s.changed(sw)
	sw.Incident, err = s.incidentSeer(by)(ctx, sw.Incident)
	return sw, err
}

func checkReason(reason string, required bool) error {
	if required && strings.TrimSpace(reason) == "" {
		return fail.Field("reason", "is required: say why")
	}
	if utf8.RuneCountInString(reason) > MaxReason {
		return fail.Field("reason", "is longer than %d characters", MaxReason)
	}
	return nil
}

// FlipRequest asks to serve one variant of a switch to everyone, or with To
// "default" to serve its definition again.
type FlipRequest struct {
	To       string `json:"to"`
	Reason   string `json:"reason"`
	Incident string `json:"incident,omitempty"`
}

// Flip changes the state of a switch and returns it and the revision that
// records the flip. A reason is required; the incident, when named, must
// be one the user sees.
func (s *Service) Flip(ctx context.Context, by auth.User, key string, req FlipRequest) (Switch, Revision, error) {
	to := strings.TrimSpace(req.To)
	if to == "" {
		return Switch{}, Revision{}, fail.Field("to", "name a variant, or %q to serve the definition again", Default)
	}
	if err := checkReason(req.Reason, true); err != nil {
		return Switch{}, Revision{}, err
	}
	incident := strings.TrimSpace(req.Incident)
	if incident != "" {
		if s.Incidents == nil {
			return Switch{}, Revision{}, fail.Field("incident", "incidents cannot be named here")
		}
		canon, _, err := s.Incidents.IncidentState(ctx, by, incident)
		if fail.CodeOf(err) == fail.NotFound {
			return Switch{}, Revision{}, fail.Field("incident", "no incident %q", incident)
		}
		if err != nil {
			return Switch{}, Revision{}, err
		}
		incident = canon
	}
	now := s.now()
	sw, rev, err := s.Store.UpdateSwitch(ctx, key, func(cur Switch) (Switch, *Revision, *auth.AuditEntry, error) {
		if err := s.mayChange(by, cur.Service); err != nil {
			return Switch{}, nil, nil, err
		}
		state := to
		if to == Default {
			state = ""
		} else if _, ok := cur.Variants[to]; !ok {
			return Switch{}, nil, nil, fail.Field("to", "must be %q or one of the variants (%s); got %q", Default, strings.Join(cur.VariantNames(), ", "), to)
		}
		if state == cur.State {
			return Switch{}, nil, nil, &fail.Error{Code: fail.Conflict, Field: "to", Message: fmt.Sprintf("switch %s is %s already", key, cur.StateName())}
		}
		next := cur.Clone()
		next.State, next.Incident = state, incident
		next.UpdatedAt, next.UpdatedBy = now, by.Name
		rev := &Revision{Key: key, Kind: KindFlip, At: now, Actor: by.Name, Reason: req.Reason, Incident: incident,
			From: cur.StateName(), To: next.StateName()}
		before := map[string]any{"state": cur.StateName(), "incident": cur.Incident}
		after := map[string]any{"state": next.StateName(), "incident": incident, "reason": req.Reason}
		return next, rev, auth.NewAuditEntry(now, by.Name, ActionFlip, target(key), before, after), nil
	})
	if err != nil {
		return Switch{}, Revision{}, err
	}
	s.changed(sw)
	return sw, rev, nil
}

// List returns the switches of the services with their state (all
// switches when services is empty). Switches are no secret: everyone
// signed in reads them.
func (s *Service) List(ctx context.Context, by auth.User, services []string) ([]Switch, error) {
	if len(services) == 0 {
		services = nil
	}
	list, err := s.Store.ListSwitches(ctx, services, MaxSwitches)
	if err != nil {
		return nil, err
	}
	seen := s.incidentSeer(by)
	for i := range list {
		if list[i].Incident, err = seen(ctx, list[i].Incident); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// incidentSeer returns a function that keeps an incident reference the
// user may see and blanks one they may not: even the number of a
// restricted incident is for its members and admins only.
func (s *Service) incidentSeer(by auth.User) func(ctx context.Context, ref string) (string, error) {
	known := map[string]bool{}
	return func(ctx context.Context, ref string) (string, error) {
		if ref == "" {
			return "", nil
		}
		visible, ok := known[ref]
		if !ok {
			if s.Incidents == nil {
				return "", nil
			}
			_, _, err := s.Incidents.IncidentState(ctx, by, ref)
			switch {
			case err == nil:
				visible = true
			case fail.CodeOf(err) != fail.NotFound && fail.CodeOf(err) != fail.Forbidden:
				return "", err
			}
			known[ref] = visible
		}
		if !visible {
			return "", nil
		}
		return ref, nil
	}
}

// Get returns a switch and its newest revisions.
func (s *Service) Get(ctx context.Context, by auth.User, key string) (Switch, []Revision, error) {
	sw, err := s.Store.GetSwitch(ctx, key)
	if err != nil {
		return Switch{}, nil, err
	}
	revs, err := s.Store.Revisions(ctx, key, MaxRevisions)
	if err != nil {
		return Switch{}, nil, err
	}
	seen := s.incidentSeer(by)
	if sw.Incident, err = seen(ctx, sw.Incident); err != nil {
		return Switch{}, nil, err
	}
	for i := range revs {
		if revs[i].Incident, err = seen(ctx, revs[i].Incident); err != nil {
			return Switch{}, nil, err
		}
	}
	return sw, revs, nil
}

// LeftFlipped returns the switches still flipped after the incident they
// were flipped during was closed: each should be flipped back or its new
// state made the definition.
func (s *Service) LeftFlipped(ctx context.Context) ([]Switch, error) {
	if s.Incidents == nil {
		return nil, nil
	}
	flipped, err := s.Store.ListFlipped(ctx, MaxSwitches)
	if err != nil {
		return nil, err
	}
	var out []Switch
	for _, sw := range flipped {
		_, closed, err := s.Incidents.IncidentState(ctx, auth.User{Name: auth.SystemActor, Role: auth.Admin}, sw.Incident)
		if fail.CodeOf(err) == fail.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if closed {
			out = append(out, sw)
		}
	}
	return out, nil
}
