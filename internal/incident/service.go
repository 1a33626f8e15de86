package incident

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/textrule"
)

// Store keeps incidents and their timelines.
type Store interface {
	// CreateIncident stores inc and its first events in one transaction and
	// sets inc.ID.
	CreateIncident(ctx context.Context, inc *Incident, events []Event) error
	GetIncident(ctx context.Context, id int64) (*Incident, error)
	// GetVisibleIncident is GetIncident for viewer: a restricted incident
	// viewer is not a member of (unless seeAll) is not found, at the cost
	// of a missing one.
	GetVisibleIncident(ctx context.Context, id int64, viewer string, seeAll bool) (*Incident, error)
	// ChangeIncident loads the incident, lets change alter it and name the
	// events to append and the audit log entries to write, and stores all
	// in one transaction. An error from change rolls everything back.
	ChangeIncident(ctx context.Context, id int64, change func(*Incident) (Changes, error)) (*Incident, error)
	ListIncidents(ctx context.Context, f Filter) ([]*Incident, error)
	// ListEvents returns up to limit events with an id above after, oldest first.
	ListEvents(ctx context.Context, incidentID, after int64, limit int) ([]Event, error)
	// LatestEvents returns the newest limit events with an id below before
	// (any id when before is 0), oldest first.
	LatestEvents(ctx context.Context, incidentID, before int64, limit int) ([]Event, error)
}

// Changes is what one change of an incident appends: timeline events, and
// the audit log entries that must be stored with it.
type Changes struct {
	Events []Event
	Audit  []*auth.AuditEntry
}

// Directory answers whether the names an incident refers to exist.
type Directory interface {
	ServiceExists(name string) bool
	UserExists(ctx context.Context, name string) (bool, error)
}

// Filter selects incidents for a list. The store applies every field.
type Filter struct {
	Statuses []Status
	Grades   []Grade
	Service  string
	Since    time.Time // incidents started at or after
	BeforeID int64     // cursor: only incidents with a smaller id
	Text     string    // words the title or summary contains
	Member   string    // only incidents this user belongs to ("mine")
	Limit    int
	// VisibleTo is the user whose view this is; restricted incidents they are
	// not a member of are left out unless SeeAll.
	VisibleTo string
	SeeAll    bool
}

// Page is one page of a list, with the cursor for the next one ("" at the end).
type Page struct {
	Items      []*Incident
	NextCursor string
}

// Service states the rules for declaring and changing incidents.
type Service struct {
	store      Store
	dir        Directory
	owners     Owners // nil when dir knows no owners: then only team-less rules apply
	now        func() time.Time
	audit      Auditor
	closeCheck CloseCheck
}

// Auditor records what the audit log must hold: visibility changes and
// admin overrides.
type Auditor interface {
	Record(ctx context.Context, e *auth.AuditEntry) error
}

// NewService returns a Service over store that checks names against dir.
// When dir also implements Owners, team roles apply to its services.
func NewService(store Store, dir Directory, now func() time.Time) *Service {
	owners, _ := dir.(Owners)
	return &Service{store: store, dir: dir, owners: owners, now: now}
}

// AuditTo makes the service record visibility changes and admin overrides
// in a.
func (s *Service) AuditTo(a Auditor) { s.audit = a }

// Decide says whether u may do a to inc under the service's catalog; see
// the package function Decide.
func (s *Service) Decide(u auth.User, a Action, inc *Incident) Decision {
	return Decide(u, a, inc, s.owners)
}

// Declaration is what a person says when declaring an incident.
type Declaration struct {
	Title      string
	Summary    string
	Grade      Grade
	Services   []string
	Source     string
	Visibility Visibility
	Labels     map[string]string
	CauseTags  []string
	StartedAt  *time.Time
	DetectedAt *time.Time
	// Detection is how it was found; empty: taken from Source for intake
	// sources.
	Detection Detection
	Roles     map[Role]string
	Members   []string
}

// Limits on one request, each named in the error that enforces it.
const (
	MaxLabels     = 50  // labels on one incident
	MaxLabelValue = 256 // characters in one label value
	MaxCauseTags  = 20  // cause tags on one incident
	MaxMembers    = 100 // members named in one request
)

const (
	maxTitle   = 200
	maxSummary = 20000
	maxNote    = 20000
)

// Declare registers a new incident with status investigating.
func (s *Service) Declare(ctx context.Context, by auth.User, d Declaration) (*Incident, error) {
	if d := s.Decide(by, Declare, nil); !d.Allowed {
		return nil, fail.New(fail.Forbidden, "%s", d.Reason)
	}
	now := s.now().UTC()
	inc := &Incident{
		Status:     Investigating,
		Source:     d.Source,
		Visibility: d.Visibility,
		Labels:     d.Labels,
		CauseTags:  d.CauseTags,
		Roles:      map[Role]string{},
		CreatedBy:  by.Name,
		StartedAt:  now,
		DetectedAt: now,
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	if inc.Source == "" {
		inc.Source = "manual"
	}
	if inc.Visibility == "" {
		inc.Visibility = Internal
	}
	if inc.Labels == nil {
		inc.Labels = map[string]string{}
	}
	if d.StartedAt != nil {
		inc.StartedAt = d.StartedAt.UTC()
	}
	if d.DetectedAt != nil {
		inc.DetectedAt = d.DetectedAt.UTC()
	}
	inc.Detection = d.Detection
	if inc.Detection == Unknown {
		inc.Detection = DetectionOf(inc.Source)
	}
	if err := checkDetection(inc.Detection); err != nil {
		return nil, err
	}
	if err := s.setText(inc, d.Title, d.Summary); err != nil {
		return nil, err
	}
	if !d.Grade.Valid() {
		return nil, fail.Field("grade", "must be one of SEV1, SEV2, SEV3, SEV4, SEV5")
	}
	inc.Grade = d.Grade
	if !inc.Visibility.Valid() {
		return nil, fail.Field("visibility", "must be one of public, internal, restricted; got %q", inc.Visibility)
	}
	if err := s.checkServices(d.Services); err != nil {
		return nil, err
	}
	inc.Services = uniq(d.Services)
	if err := checkTags("cause_tags", inc.CauseTags); err != nil {
		return nil, err
	}
	inc.CauseTags = uniq(inc.CauseTags)
	if err := checkLabels(inc.Labels); err != nil {
		return nil, err
	}
	if inc.DetectedAt.Before(inc.StartedAt) {
		return nil, fail.Field("detected_at", "is before started_at")
	}
	if inc.DetectedAt.After(now.Add(time.Minute)) || inc.StartedAt.After(now.Add(time.Minute)) {
		return nil, fail.Field("started_at", "lies in the future")
	}
	declaredVis, err := s.checkDeclaredVisibility(by, inc)
	if err != nil {
		return nil, err
	}
	if !isTeamActor(by.Name) {
		inc.addMember(by.Name)
	}
	if len(d.Members) > MaxMembers {
		return nil, fail.Field("members", "names %d people; at most %d are allowed", len(d.Members), MaxMembers)
	}
	for i, m := range d.Members {
		if err := s.checkUser(ctx, fmt.Sprintf("members[%d]", i), m); err != nil {
			return nil, err
		}
		inc.addMember(m)
	}
	events := []Event{newEvent(EventDeclared, by.Name, now, map[string]any{
		"title": inc.Title, "grade": inc.Grade.String(), "services": inc.Services, "visibility": string(inc.Visibility),
	})}
	for role := range d.Roles {
		if !role.Valid() {
			return nil, fail.Field("roles."+string(role), "unknown role; known roles are resolver, communicator")
		}
	}
	for _, role := range Roles { // fixed order keeps the timeline stable
		user, ok := d.Roles[role]
		if !ok || user == "" {
			continue
		}
		ev, err := s.assign(ctx, inc, role, user, by.Name, now, "roles."+string(role))
		if err != nil {
			return nil, err
		}
		events = append(events, ev)
	}
	events = append(events, roleWarningEvent("", inc, by.Name, now)...)
	s.addOwningLeads(inc)
	if err := s.store.CreateIncident(ctx, inc, events); err != nil {
		return nil, fmt.Errorf("declare incident: %w", err)
	}
	if inc.Visibility != Internal {
		// Setting the visibility at declaration is audited like changing it.
		e := s.auditEntry(by, inc, "incident.visibility", declaredVis.Override, nil, map[string]any{"visibility": inc.Visibility})
		if err := s.record(ctx, e); err != nil {
			return inc, err
		}
	}
	return inc, nil
}

// Get returns an incident the user may see. One the user may not see is
// reported as not found, so its existence does not leak.
func (s *Service) Get(ctx context.Context, by auth.User, id int64) (*Incident, error) {
	inc, err := s.store.GetVisibleIncident(ctx, id, by.Name, by.IsAdmin())
	if fail.CodeOf(err) == fail.NotFound {
		return nil, notFound(id) // one message whatever the reason
	}
	if err != nil {
		return nil, err
	}
	if d := s.Decide(by, Read, inc); !d.Visible {
		return nil, notFound(id)
	} else if !d.Allowed {
		return nil, fail.New(fail.Forbidden, "%s", d.Reason)
	}
	return inc, nil
}

func notFound(id int64) error {
	return fail.New(fail.NotFound, "incident %s not found", FormatRef(id))
}

// View is Get for a person opening the incident itself (its page or its
// API resource, not a list or a live refresh): an admin who may see a
// restricted incident only by the admin role is recorded in the audit log.
func (s *Service) View(ctx context.Context, by auth.User, id int64) (*Incident, error) {
	return s.Authorize(ctx, by, id, Read, "incident.read")
}

// MaxPageSize bounds every list.
const MaxPageSize = 200

// List returns one page of incidents the user may see, newest first.
func (s *Service) List(ctx context.Context, by auth.User, f Filter, cursor string) (Page, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > MaxPageSize {
		return Page{}, fail.Field("limit", "must be at most %d", MaxPageSize)
	}
	if cursor != "" {
		id, err := decodeCursor(cursor)
		if err != nil {
			return Page{}, fail.Field("cursor", "is not a cursor this server issued")
		}
		f.BeforeID = id
	}
	f.VisibleTo, f.SeeAll = by.Name, by.IsAdmin()
	want := f.Limit
	f.Limit++ // one more tells whether there is a next page
	items, err := s.store.ListIncidents(ctx, f)
	if err != nil {
		return Page{}, fmt.Errorf("list incidents: %w", err)
	}
	var p Page
	if len(items) > want {
		items = items[:want]
		p.NextCursor = encodeCursor(items[want-1].ID)
	}
	p.Items = items
	return p, nil
}

func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("i:" + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "i:") {
		return 0, fmt.Errorf("bad cursor")
	}
	return strconv.ParseInt(string(b[2:]), 10, 64)
}

// Patch names the fields to change; nil fields stay as they are.
type Patch struct {
	Title          *string
	Summary        *string
	Grade          *Grade
	Services       *[]string
	Visibility     *Visibility
	Labels         *map[string]string
	CauseTags      *[]string
	Members        *[]string
	StartedAt      *time.Time
	DetectedAt     *time.Time
	AcknowledgedAt *time.Time
	MitigatedAt    *time.Time
	Detection      *Detection
}

// Update changes an incident's fields and records what changed.
func (s *Service) Update(ctx context.Context, by auth.User, id int64, p Patch) (*Incident, error) {
	if p.Members != nil {
		if len(*p.Members) > MaxMembers {
			return nil, fail.Field("members", "names %d people; at most %d are allowed", len(*p.Members), MaxMembers)
		}
		for i, m := range *p.Members {
			if err := s.checkUser(ctx, fmt.Sprintf("members[%d]", i), m); err != nil {
				return nil, err
			}
		}
	}
	if p.Visibility != nil && !p.Visibility.Valid() {
		return nil, fail.Field("visibility", "must be one of public, internal, restricted; got %q", *p.Visibility)
	}
	inc, err := s.changeAudited(ctx, by, id, func(inc *Incident, now time.Time) ([]Event, error) {
		return s.applyPatch(inc, p, by.Name, now)
	}, func(inc *Incident) (*auth.AuditEntry, error) {
		if p.Visibility == nil || *p.Visibility == inc.Visibility {
			return nil, nil
		}
		d := s.Decide(by, ChangeVisibility, inc)
		if !d.Allowed {
			return nil, fail.New(fail.Forbidden, "%s", d.Reason)
		}
		return s.auditEntry(by, inc, "incident.visibility", d.Override,
			map[string]any{"visibility": inc.Visibility}, map[string]any{"visibility": *p.Visibility}), nil
	})
	return inc, err
}

func (s *Service) applyPatch(inc *Incident, p Patch, actor string, now time.Time) ([]Event, error) {
	var events []Event
	changed := map[string]any{}
	title, summary := inc.Title, inc.Summary
	if p.Title != nil {
		title = *p.Title
	}
	if p.Summary != nil {
		summary = *p.Summary
	}
	if err := s.setText(inc, title, summary); err != nil {
		return nil, err
	}
	if p.Title != nil {
		changed["title"] = inc.Title
	}
	if p.Summary != nil {
		changed["summary"] = inc.Summary
	}
	if p.Grade != nil && *p.Grade != inc.Grade {
		if !p.Grade.Valid() {
			return nil, fail.Field("grade", "must be one of SEV1, SEV2, SEV3, SEV4, SEV5")
		}
		events = append(events, newEvent(EventGradeChanged, actor, now, map[string]any{"from": inc.Grade.String(), "to": p.Grade.String()}))
		inc.Grade = *p.Grade
	}
	if p.Services != nil {
		if err := s.checkServices(*p.Services); err != nil {
			return nil, err
		}
		inc.Services = uniq(*p.Services)
		changed["services"] = inc.Services
	}
	if p.Visibility != nil {
		if !p.Visibility.Valid() {
			return nil, fail.Field("visibility", "must be one of public, internal, restricted; got %q", *p.Visibility)
		}
		inc.Visibility = *p.Visibility
		changed["visibility"] = string(inc.Visibility)
	}
	if p.Labels != nil {
		if err := checkLabels(*p.Labels); err != nil {
			return nil, err
		}
		inc.Labels = *p.Labels
		changed["labels"] = inc.Labels
	}
	if p.CauseTags != nil {
		if err := checkTags("cause_tags", *p.CauseTags); err != nil {
			return nil, err
		}
		inc.CauseTags = uniq(*p.CauseTags)
		changed["cause_tags"] = inc.CauseTags
	}
	if p.Members != nil {
		for _, m := range *p.Members {
			inc.addMember(m)
		}
		changed["members"] = inc.Members
	}
	if p.StartedAt != nil {
		inc.StartedAt = p.StartedAt.UTC()
		changed["started_at"] = inc.StartedAt
	}
	if p.DetectedAt != nil {
		inc.DetectedAt = p.DetectedAt.UTC()
		changed["detected_at"] = inc.DetectedAt
	}
	if p.AcknowledgedAt != nil {
		t := p.AcknowledgedAt.UTC()
		inc.AcknowledgedAt = &t
		changed["acknowledged_at"] = t
	}
	if p.MitigatedAt != nil {
		t := p.MitigatedAt.UTC()
		if t.Before(inc.StartedAt) || t.After(now) {
			return nil, fail.Field("mitigated_at", "must lie between the incident's start and now")
		}
		inc.MitigatedAt = &t
		changed["mitigated_at"] = t
	}
	if p.Detection != nil {
		if err := checkDetection(*p.Detection); err != nil {
			return nil, err
		}
		inc.Detection = *p.Detection
		changed["detection"] = string(inc.Detection)
	}
	if p.DetectedAt != nil || p.StartedAt != nil {
		if err := checkDetectedAt(inc, now); err != nil {
			return nil, err
		}
	}
	if inc.DetectedAt.Before(inc.StartedAt) {
		return nil, fail.Field("detected_at", "is before started_at")
	}
	if len(changed) > 0 {
		events = append(events, newEvent(EventFieldsChanged, actor, now, changed))
	}
	if len(events) == 0 {
		return nil, fail.Field("", "the request changes nothing")
	}
	return events, nil
}

// SetStatus moves an incident to a new status, with an optional message.
func (s *Service) SetStatus(ctx context.Context, by auth.User, id int64, to Status, message string) (*Incident, error) {
	return s.setStatus(ctx, by, id, to, message, "")
}

// setStatus changes the status; a non-empty override is an admin's reason
// to close although the close check names something missing.
func (s *Service) setStatus(ctx context.Context, by auth.User, id int64, to Status, message, override string) (*Incident, error) {
	if !to.Valid() {
		return nil, fail.Field("status", "must be one of investigating, identified, monitoring, resolved, closed; got %q", to)
	}
	if utf8.RuneCountInString(message) > maxNote {
		return nil, fail.Field("message", "is longer than %d characters", maxNote)
	}
	if err := textrule.Text("message", message); err != nil {
		return nil, err
	}
	return s.change(ctx, by, id, func(inc *Incident, now time.Time) ([]Event, error) {
		from := inc.Status
		if !from.CanBecome(to) {
			return nil, &fail.Error{Code: fail.Conflict, Field: "status", Message: transitionHelp(from, to)}
		}
		var extra []Event
		if to == Closed {
			ev, err := s.checkClose(ctx, inc, by.Name, now, override)
			if err != nil {
				return nil, err
			}
			extra = ev
		}
		inc.Status = to
		stamp := func(t **time.Time) {
			if *t == nil {
				*t = &now
			}
		}
		switch to {
		case Identified:
			stamp(&inc.AcknowledgedAt)
		case Monitoring:
			stamp(&inc.AcknowledgedAt)
			stamp(&inc.MitigatedAt)
		case Resolved:
			stamp(&inc.AcknowledgedAt)
			stamp(&inc.MitigatedAt)
			inc.ResolvedAt = &now
		case Closed:
			inc.ClosedAt = &now
		case Investigating: // reopened or stepped back: the incident is not resolved any more
			inc.ResolvedAt = nil
		}
		data := map[string]any{"from": string(from), "to": string(to)}
		if message != "" {
			data["message"] = message
		}
		return append([]Event{newEvent(EventStatusChanged, by.Name, now, data)}, extra...), nil
	})
}

func transitionHelp(from, to Status) string {
	next := from.NextStatuses()
	if len(next) == 0 {
		return fmt.Sprintf("cannot change from %s to %s: a %s incident is final", from, to, from)
	}
	names := make([]string, len(next))
	for i, n := range next {
		names[i] = string(n)
	}
	return fmt.Sprintf("cannot change from %s to %s; from %s the allowed statuses are: %s", from, to, from, strings.Join(names, ", "))
}

// Assign gives a role to a user, or takes it away when user is "".
func (s *Service) Assign(ctx context.Context, by auth.User, id int64, role Role, user string) (*Incident, error) {
	if !role.Valid() {
		return nil, fail.Field("role", "must be one of resolver, communicator; got %q", role)
	}
	if user != "" {
		if err := s.checkUser(ctx, "user", user); err != nil {
			return nil, err
		}
	}
	return s.change(ctx, by, id, func(inc *Incident, now time.Time) ([]Event, error) {
		ev, err := s.assignChecked(inc, role, user, by.Name, now)
		if err != nil {
			return nil, err
		}
		return []Event{ev}, nil
	})
}

func (s *Service) assign(ctx context.Context, inc *Incident, role Role, user, actor string, now time.Time, field string) (Event, error) {
	if err := s.checkUser(ctx, field, user); err != nil {
		return Event{}, err
	}
	return s.assignChecked(inc, role, user, actor, now)
}

func (s *Service) assignChecked(inc *Incident, role Role, user, actor string, now time.Time) (Event, error) {
	prev := inc.Roles[role]
	if prev == user {
		return Event{}, fail.Field("user", "%s already holds the %s role", displayUser(user), role)
	}
	if user == "" {
		delete(inc.Roles, role)
	} else {
		inc.Roles[role] = user
		inc.addMember(user)
		if inc.AcknowledgedAt == nil {
			inc.AcknowledgedAt = &now // someone has taken it on
		}
	}
	data := map[string]any{"role": string(role), "user": user}
	if prev != "" {
		data["previous"] = prev
	}
	return newEvent(EventRoleAssigned, actor, now, data), nil
}

func displayUser(u string) string {
	if u == "" {
		return "nobody"
	}
	return u
}

// AddNote appends a note to the timeline.
func (s *Service) AddNote(ctx context.Context, by auth.User, id int64, text string) (Event, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Event{}, fail.Field("text", "must not be empty")
	}
	if utf8.RuneCountInString(text) > maxNote {
		return Event{}, fail.Field("text", "is longer than %d characters", maxNote)
	}
	if err := textrule.Text("text", text); err != nil {
		return Event{}, err
	}
	var ev Event
	_, err := s.change(ctx, by, id, func(inc *Incident, now time.Time) ([]Event, error) {
		ev = newEvent(EventNote, by.Name, now, map[string]any{"text": text})
		return []Event{ev}, nil
	})
	return ev, err
}

// Timeline returns up to limit events after the given event id, oldest first.
func (s *Service) Timeline(ctx context.Context, by auth.User, id, after int64, limit int) ([]Event, error) {
	if _, err := s.Get(ctx, by, id); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	if limit > 500 {
		return nil, fail.Field("limit", "must be at most 500")
	}
	return s.store.ListEvents(ctx, id, after, limit)
}

// RecentTimeline returns the newest limit events before the given event id
// (0: the newest of all), oldest first, for a page that shows the latest
// events and links to earlier ones.
func (s *Service) RecentTimeline(ctx context.Context, by auth.User, id, before int64, limit int) ([]Event, error) {
	if _, err := s.Get(ctx, by, id); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		return nil, fail.Field("limit", "must be 1-500")
	}
	return s.store.LatestEvents(ctx, id, before, limit)
}

// change runs one read-modify-write of an incident inside a store transaction,
// after checking that the user may change it. An admin override is written
// to the audit log in the same transaction.
func (s *Service) change(ctx context.Context, by auth.User, id int64, fn func(*Incident, time.Time) ([]Event, error)) (*Incident, error) {
	return s.changeAudited(ctx, by, id, fn, nil)
}

// changeAudited is change with audit, which looks at the incident before fn
// alters it and names an audit entry for the change (or nil), or refuses it.
func (s *Service) changeAudited(ctx context.Context, by auth.User, id int64, fn func(*Incident, time.Time) ([]Event, error),
	audit func(*Incident) (*auth.AuditEntry, error)) (*Incident, error) {
	now := s.now().UTC()
	return s.store.ChangeIncident(ctx, id, func(inc *Incident) (Changes, error) {
		d := s.Decide(by, Change, inc)
		if !d.Visible {
			return Changes{}, notFound(id)
		}
		if !d.Allowed {
			return Changes{}, fail.New(fail.Forbidden, "%s", d.Reason)
		}
		var c Changes
		if d.Override {
			c.Audit = append(c.Audit, s.auditEntry(by, inc, "incident.change", true, nil, nil))
		}
		if audit != nil {
			e, err := audit(inc)
			if err != nil {
				return Changes{}, err
			}
			if e != nil {
				c.Audit = append(c.Audit, e)
			}
		}
		if s.audit == nil {
			c.Audit = nil // a service without an audit log (unit tests) records none
		}
		if inc.Roles == nil {
			inc.Roles = map[Role]string{}
		}
		warned := RoleWarning(inc)
		events, err := fn(inc, now)
		if err != nil {
			return Changes{}, err
		}
		inc.UpdatedAt = now
		c.Events = append(events, roleWarningEvent(warned, inc, by.Name, now)...)
		return c, nil
	})
}

func (s *Service) setText(inc *Incident, title, summary string) error {
	title = strings.TrimSpace(title)
	switch {
	case title == "":
		return fail.Field("title", "must not be empty")
	case utf8.RuneCountInString(title) > maxTitle:
		return fail.Field("title", "is longer than %d characters", maxTitle)
	case utf8.RuneCountInString(summary) > maxSummary:
		return fail.Field("summary", "is longer than %d characters", maxSummary)
	}
	if err := textrule.Title("title", title); err != nil {
		return err
	}
	if err := textrule.Text("summary", summary); err != nil {
		return err
	}
	inc.Title, inc.Summary = title, summary
	return nil
}

func (s *Service) checkServices(names []string) error {
	for i, n := range names {
		if !s.dir.ServiceExists(n) {
			return fail.Field(fmt.Sprintf("services[%d]", i), "unknown service %q", n)
		}
	}
	return nil
}

func (s *Service) checkUser(ctx context.Context, field, name string) error {
	ok, err := s.dir.UserExists(ctx, name)
	if err != nil {
		return err
	}
	if !ok {
		return fail.Field(field, "unknown user %q", name)
	}
	return nil
}

func checkTags(field string, tags []string) error {
	if len(tags) > MaxCauseTags {
		return fail.Field(field, "holds %d tags; at most %d are allowed", len(tags), MaxCauseTags)
	}
	if err := textrule.Lines(field, tags); err != nil {
		return err
	}
	for i, t := range tags {
		if strings.TrimSpace(t) == "" || utf8.RuneCountInString(t) > 64 {
			return fail.Field(fmt.Sprintf("%s[%d]", field, i), "must be 1-64 characters")
		}
	}
	return nil
}

func checkLabels(labels map[string]string) error {
	if len(labels) > MaxLabels {
		return fail.Field("labels", "holds %d labels; at most %d are allowed", len(labels), MaxLabels)
	}
	for _, k := range slices.Sorted(maps.Keys(labels)) { // sorted: the same input names the same field
		v := labels[k]
		if k == "" || utf8.RuneCountInString(k) > 64 {
			return fail.Field("labels."+k, "keys must be 1-64 characters")
		}
		if utf8.RuneCountInString(v) > MaxLabelValue {
			return fail.Field("labels."+k, "is %d characters; a label value may have at most %d", utf8.RuneCountInString(v), MaxLabelValue)
		}
		if err := textrule.Line("labels."+k, k); err != nil {
			return err
		}
		if err := textrule.Line("labels."+k, v); err != nil {
			return err
		}
	}
	return nil
}

func uniq(xs []string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
