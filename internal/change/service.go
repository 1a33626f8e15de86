package change

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// The timeline events the registry writes.
const (
	// EventLanded: a change to an affected service was recorded while the
	// incident was open.
	EventLanded incident.EventKind = "change_landed"
	// EventSuspected: someone marked a change as the suspected trigger.
	EventSuspected incident.EventKind = "change_suspected"
)

// Query selects changes. Services, when given, keeps those of any of them;
// Repository and Commit narrow further. Before is the cursor: only changes
// older than it (by time, then id).
type Query struct {
	Services   []string
	Kinds      []Kind
	Repository string
	Commit     string
	From, To   time.Time // inclusive; zero: unbounded
	Before     *Cursor
	Limit      int
}

// Cursor is a place in the newest-first order of changes.
type Cursor struct {
	At time.Time
	ID int64
}

// Store keeps changes.
type Store interface {
	// InsertChange stores c and sets its ID. A change with the source and
	// external id of a stored one is not stored again: c becomes the stored
	// one and inserted is false.
	InsertChange(ctx context.Context, c *Change) (inserted bool, err error)
	GetChange(ctx context.Context, id int64) (Change, error)
	// ListChanges returns up to q.Limit changes, newest first.
	ListChanges(ctx context.Context, q Query) ([]Change, error)
	// ListUnmapped returns changes with no service, newest first, with an
	// id below before (any when 0).
	ListUnmapped(ctx context.Context, before int64, limit int) ([]Change, error)
	// MapChange gives an unmapped change its services; a mapped one is a
	// conflict.
	MapChange(ctx context.Context, id int64, services []string) (Change, error)
}

// Catalog is what the registry needs of the catalog.
type Catalog interface {
	// ServiceExists reports whether the catalog has the service.
	ServiceExists(name string) bool
	// DependsOn names the services the service depends on directly.
	DependsOn(name string) []string
	// DirectDependants names the services that depend on the service directly.
	DirectDependants(name string) []string
	// ServicesOfRepo names the services the repository belongs to: those
	// whose path prefix matches one of paths, or every service of the
	// repository when paths is empty or none has a prefix.
	ServicesOfRepo(repo string, paths []string) []string
}

// Incidents is what the registry needs of incidents: the visibility rules,
// the open incidents of services, and the timeline.
type Incidents interface {
	Authorize(ctx context.Context, by auth.User, id int64, a incident.Action, what string) (*incident.Incident, error)
	// OpenIncidentsOf returns the ids of open incidents that affect any of
	// the services and had started by at.
	OpenIncidentsOf(ctx context.Context, services []string, at time.Time) ([]int64, error)
	// AppendEvent adds an event to an incident's timeline.
	AppendEvent(ctx context.Context, ev *incident.Event) error
}

// Service records changes, decides their verdicts and answers what changed
// around an incident.
type Service struct {
	Store     Store
	Catalog   Catalog
	Incidents Incidents
	Config    *Config
	Now       func() time.Time
	Log       *slog.Logger
}

// Record stores a change from any source: it maps it to services through
// the catalog when the source named none, decides its verdict (a deploy
// inherits the verdict of the pull requests it carries), stores it once per
// source and external id, and tells the open incidents of its services.
// inserted is false for a change stored already (a retried delivery).
func (s *Service) Record(ctx context.Context, c *Change) (inserted bool, err error) {
	if err := c.check(); err != nil {
		return false, err
	}
	if c.ExternalID == "" {
		c.ExternalID = randomID() // nothing to deduplicate on: every call is a change
	}
	if c.At.IsZero() {
		c.At = s.Now()
	}
	c.At, c.RecordedAt = c.At.UTC(), s.Now().UTC()
	if c.At.After(c.RecordedAt.Add(time.Hour)) {
		return false, fail.Field("at", "is more than an hour in the future")
	}
	if c.Links == nil {
		c.Links = []Link{}
	}
	s.mapServices(c)
	s.Config.Rules.Decide(c)
	if c.Kind == KindDeploy && c.Repository != "" {
		carried, err := s.carried(ctx, c)
		if err != nil {
			return false, err
		}
		Inherit(c, carried)
	}
	inserted, err = s.Store.InsertChange(ctx, c)
	if err != nil || !inserted || !c.Mapped() {
		return inserted, err
	}
	s.landed(ctx, c)
	return true, nil
}

// mapServices keeps the services the catalog knows and, when none is left,
// maps the repository; what matches nothing is kept as a hint for the admin.
func (s *Service) mapServices(c *Change) {
	var known, unknown []string
	for _, name := range c.Services {
		if s.Catalog.ServiceExists(name) {
			known = append(known, name)
		} else {
			unknown = append(unknown, name)
		}
	}
	if len(known) == 0 && c.Repository != "" {
		known = s.Catalog.ServicesOfRepo(c.Repository, c.Paths)
	}
	if len(known) == 0 {
		hint := []string{}
		if c.Repository != "" {
			hint = append(hint, "repository "+c.Repository)
		}
		if len(unknown) > 0 {
			hint = append(hint, "services "+strings.Join(unknown, ", "))
		}
		if c.Hint == "" {
			c.Hint = strings.Join(hint, "; ")
		}
	}
	slices.Sort(known)
	c.Services = slices.Compact(known)
}

// carried returns the pull requests a deploy brings: those of its
// repository merged since the repository's previous deploy, and the one
// whose merge commit it deploys.
func (s *Service) carried(ctx context.Context, d *Change) ([]Change, error) {
	prev, err := s.Store.ListChanges(ctx, Query{Repository: d.Repository, Kinds: []Kind{KindDeploy},
		To: d.At.Add(-time.Microsecond), Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("previous deploy: %w", err)
	}
	from := d.At.Add(-s.Config.Window) // with no earlier deploy, a window's worth
	if len(prev) > 0 {
		from = prev[0].At
	}
	out, err := s.Store.ListChanges(ctx, Query{Repository: d.Repository, Kinds: []Kind{KindCode}, From: from, To: d.At, Limit: 200})
	if err != nil {
		return nil, fmt.Errorf("carried changes: %w", err)
	}
	if d.Commit != "" {
		same, err := s.Store.ListChanges(ctx, Query{Repository: d.Repository, Kinds: []Kind{KindCode}, Commit: d.Commit, Limit: 5})
		if err != nil {
			return nil, fmt.Errorf("carried changes: %w", err)
		}
		out = append(same, out...)
	}
	return out, nil
}

// landed writes change_landed on the open incidents of the change's
// services and of the services that depend on them (an incident page lists
// its dependencies' changes too, so they land there as well). The change is stored already; a failure here is logged, not
// returned, so a sender's retry does not look like a lost change.
func (s *Service) landed(ctx context.Context, c *Change) {
	if s.Incidents == nil {
		return
	}
	affected := slices.Clone(c.Services)
	for _, name := range c.Services {
		for _, d := range s.Catalog.DirectDependants(name) {
			if !slices.Contains(affected, d) {
				affected = append(affected, d)
			}
		}
	}
	ids, err := s.Incidents.OpenIncidentsOf(ctx, affected, c.At) // a change from before an incident did not land during it
	if err == nil {
		for _, id := range ids {
			ev := incident.Event{IncidentID: id, At: c.RecordedAt, Actor: "firebreak", Kind: EventLanded, Data: eventData(c)}
			if err = s.Incidents.AppendEvent(ctx, &ev); err != nil {
				break
			}
		}
	}
	if err != nil && s.Log != nil {
		s.Log.ErrorContext(ctx, "tell open incidents of a change", "change", c.ID, "err", err)
	}
}

// eventData is what a timeline event keeps of a change, so the timeline
// reads on its own even if the change is mapped again later.
func eventData(c *Change) map[string]any {
	d := map[string]any{
		"change_id": c.ID, "kind": string(c.Kind), "title": c.Title, "version": c.Version,
		"services": strings.Join(c.Services, ", "), "rollbackable": c.Verdict.Rollbackable,
	}
	if !c.Verdict.Rollbackable {
		d["reason"], d["label"], d["pr"] = c.Verdict.Reason, c.Verdict.Label, c.Verdict.PR
	}
	if link := c.PRLink(); link != "" {
		d["link"] = link
	}
	return d
}

func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// MayRecord reports whether the user may record and map changes: anyone
// who responds somewhere, with a token that may write.
func MayRecord(u auth.User) bool {
	return u.HasScope(auth.ScopeWrite) && u.RespondsAnywhere()
}

// RecordAs is Record for a person or token through the API.
func (s *Service) RecordAs(ctx context.Context, by auth.User, c *Change) (bool, error) {
	if !MayRecord(by) {
		return false, fail.New(fail.Forbidden, "recording a change needs the responder role in a team and the write scope")
	}
	c.Source, c.RecordedBy = SourceAPI, by.Name
	return s.Record(ctx, c)
}

// MaxPage bounds one page of changes.
const MaxPage = 200

// List returns a page of the changes of a service (all mapped changes when
// service is ""), newest first, after the cursor.
func (s *Service) List(ctx context.Context, service string, before *Cursor, limit int) ([]Change, error) {
	if service != "" && !s.Catalog.ServiceExists(service) {
		return nil, fail.Field("service", "no service %q in the catalog", service)
	}
	if limit <= 0 {
		limit = 50
	}
	if limit > MaxPage {
		return nil, fail.Field("limit", "must be at most %d", MaxPage)
	}
	q := Query{Before: before, Limit: limit}
	if service != "" {
		q.Services = []string{service}
	}
	return s.Store.ListChanges(ctx, q)
}

// Unmapped returns the changes no service was found for, for an admin.
func (s *Service) Unmapped(ctx context.Context, by auth.User, before int64, limit int) ([]Change, error) {
	if !by.IsAdmin() {
		return nil, fail.New(fail.Forbidden, "unmapped changes are an admin's to see and map")
	}
	if limit <= 0 || limit > MaxPage {
		limit = 50
	}
	return s.Store.ListUnmapped(ctx, before, limit)
}

// Map gives an unmapped change its services (an admin's job); it then
// shows among their changes.
func (s *Service) Map(ctx context.Context, by auth.User, id int64, services []string) (Change, error) {
	if !by.IsAdmin() || !by.HasScope(auth.ScopeWrite) {
		return Change{}, fail.New(fail.Forbidden, "mapping a change needs the admin role and the write scope")
	}
	if len(services) == 0 {
		return Change{}, fail.Field("services", "name at least one service")
	}
	for i, name := range services {
		if !s.Catalog.ServiceExists(name) {
			return Change{}, fail.Field(fmt.Sprintf("services[%d]", i), "no service %q in the catalog", name)
		}
	}
	slices.Sort(services)
	return s.Store.MapChange(ctx, id, slices.Compact(services))
}
