package review

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// The timeline events the review writes on an incident.
const (
	EventReviewSaved     incident.EventKind = "review_saved"
	EventReviewHeld      incident.EventKind = "review_held"
	EventItemAdded       incident.EventKind = "action_item_added"
	EventItemChanged     incident.EventKind = "action_item_changed"
	EventItemLinked      incident.EventKind = "action_item_linked"
	EventItemReminder    incident.EventKind = "action_item_reminder"
	EventItemEscalated   incident.EventKind = "action_item_escalated"
	EventRecurrenceMatch incident.EventKind = "recurrence_matched"
	maxText                                 = 20000
	maxTitle                                = 200
	maxListed                               = 200
	defaultListed                           = 50
)

// Store keeps retrospectives, action items and recurrence matches. Writes
// that concern an incident append their timeline event in the same
// transaction; item writes that a tracker must hear of store that intent
// (a sync job) in the same transaction too.
type Store interface {
	Retrospectives(ctx context.Context, incidentID int64) ([]Retrospective, error)
	SaveRetrospective(ctx context.Context, r *Retrospective, ev incident.Event) error
	CreateItem(ctx context.Context, it *ActionItem, ev incident.Event) error
	// UpdateItem loads the item, lets change alter it and name the event to
	// append (nil: none) and whether the tracker must be told, and stores
	// all of it in one transaction.
	UpdateItem(ctx context.Context, id int64, change func(*ActionItem) (ev *incident.Event, push bool, err error)) (*ActionItem, error)
	// UpdateItems does the same to several items in one transaction.
	UpdateItems(ctx context.Context, ids []int64, change func(*ActionItem) (ev *incident.Event, push bool, err error)) ([]*ActionItem, error)
	GetItem(ctx context.Context, id int64) (*ActionItem, error)
	ListItems(ctx context.Context, f ItemFilter) ([]*ActionItem, error)
	ItemByTrackerKey(ctx context.Context, t Tracker, key string) (*ActionItem, error)
	SetTrackerLink(ctx context.Context, id int64, link TrackerLink, ev *incident.Event) error
	// Pushed records a push that passed on the item's status as it stood
	// with pushed changes pending; changes made since stay pending.
	Pushed(ctx context.Context, id int64, link TrackerLink, pushed int) error
	CommonItems(ctx context.Context, category Category, limit int) ([]Suggestion, error)
	// RecurrenceCandidates returns earlier incidents to compare with inc:
	// the latest since the given time, and those of any age that share a
	// service and a cause tag with it.
	RecurrenceCandidates(ctx context.Context, inc *incident.Incident, since time.Time, limit int) ([]*incident.Incident, error)
	// ReportTexts returns the report text of those of the incidents that
	// have a report.
	ReportTexts(ctx context.Context, ids []int64) (map[int64]string, error)
	// SaveMatches stores the matches not yet stored and appends ev (with
	// the new ones) when there are any; it returns the new ones.
	SaveMatches(ctx context.Context, incidentID int64, ms []Match, ev func([]Match) incident.Event) ([]Match, error)
	Matches(ctx context.Context, incidentID int64) ([]Match, error)
	// RecordNotice stores that a reminder or escalation was given and its
	// timeline event, together with the message to send; false when it was
	// already given.
	RecordNotice(ctx context.Context, n Notice, ev incident.Event) (bool, error)
	// IncidentsToCheck returns incidents changed since the given time that
	// have not been checked for recurrence since; MarkChecked records a check.
	IncidentsToCheck(ctx context.Context, since time.Time, limit int) ([]*incident.Incident, error)
	// DueDatesNear returns the due dates of open items due at or before
	// until, due after from or changed after changed.
	DueDatesNear(ctx context.Context, from, until, changed time.Time) ([]DueDate, error)
	MarkChecked(ctx context.Context, inc *incident.Incident) error
	// IncidentsByID loads the named incidents (those that exist).
	IncidentsByID(ctx context.Context, ids []int64) ([]*incident.Incident, error)
}

// Incidents is what the review needs from the incident core.
type Incidents interface {
	Get(ctx context.Context, by auth.User, id int64) (*incident.Incident, error)
	// Authorize is Get for doing a to the incident; see
	// incident.Service.Authorize.
	Authorize(ctx context.Context, by auth.User, id int64, a incident.Action, what string) (*incident.Incident, error)
}

// ItemFilter selects action items. The store applies every field.
type ItemFilter struct {
	IncidentIDs []int64
	Statuses    []ItemStatus
	Term        Term
	Category    Category
	Owner       string
	TaskForce   string
	Tracker     Tracker // only items linked to this tracker
	DueBefore   *time.Time
	// NotEscalated leaves out items escalated already for their current
	// due date.
	NotEscalated bool
	AfterID      int64 // cursor
	Limit        int
	// VisibleTo, when set, keeps only items of incidents that user may see:
	// restricted incidents only for their members. Empty keeps every item,
	// for the system's own jobs and for admins.
	VisibleTo string
}

// Suggestion is an action item title earlier reviews used, with how often.
type Suggestion struct {
	Category Category `json:"category"`
	Title    string   `json:"title"`
	Count    int      `json:"count"`
}

// Service states the rules of reviews and action items.
type Service struct {
	store     Store
	incidents Incidents
	catalog   *catalog.Catalog
	cfg       *Config
	vague     *VagueChecker
	now       func() time.Time
	users     func(ctx context.Context, name string) (bool, error)
}

// NewService returns the review rules over store. userExists checks owner,
// facilitator and attendee names.
func NewService(store Store, incidents Incidents, cat *catalog.Catalog, cfg *Config, userExists func(ctx context.Context, name string) (bool, error), now func() time.Time) (*Service, error) {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	vc, err := NewVagueChecker(cfg.VagueRules)
	if err != nil {
		return nil, err
	}
	return &Service{store: store, incidents: incidents, catalog: cat, cfg: cfg, vague: vc, now: now, users: userExists}, nil
}

// Config returns the review section in force.
func (s *Service) Config() *Config { return s.cfg }

// Vague returns the vague-item checker.
func (s *Service) Vague() *VagueChecker { return s.vague }

// State is an incident's whole review: both stages, what closing still
// needs, the action items and the earlier incidents it repeats.
type State struct {
	Incident    *incident.Incident `json:"-"`
	Stages      []Retrospective    `json:"stages"`
	Required    []Stage            `json:"required_stages"`
	Missing     []Stage            `json:"missing_stages"`
	Items       []*ActionItem      `json:"action_items"`
	Recurrences []Match            `json:"recurrences"`
}

// Get returns the incident's review state.
func (s *Service) Get(ctx context.Context, by auth.User, incidentID int64) (*State, error) {
	inc, err := s.incidents.Get(ctx, by, incidentID)
	if err != nil {
		return nil, err
	}
	retros, err := s.store.Retrospectives(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	st := &State{Incident: inc, Required: nonNilStages(s.cfg.Required(inc.Grade))}
	for _, stage := range Stages {
		r := Retrospective{IncidentID: incidentID, Stage: stage, Attendees: []string{}}
		for _, x := range retros {
			if x.Stage == stage {
				r = x
			}
		}
		st.Stages = append(st.Stages, r)
	}
	st.Missing = missing(st.Required, retros)
	if st.Items, err = s.store.ListItems(ctx, ItemFilter{IncidentIDs: []int64{incidentID}, Limit: maxListed}); err != nil {
		return nil, err
	}
	if st.Recurrences, err = s.recurrencesWithItems(ctx, by, incidentID); err != nil {
		return nil, err
	}
	return st, nil
}

func nonNilStages(xs []Stage) []Stage {
	if xs == nil {
		return []Stage{}
	}
	return xs
}

func missing(required []Stage, retros []Retrospective) []Stage {
	out := []Stage{}
	for _, st := range required {
		held := slices.ContainsFunc(retros, func(r Retrospective) bool { return r.Stage == st && r.HeldAt != nil })
		if !held {
			out = append(out, st)
		}
	}
	return out
}

// MissingForClose names the required stages an incident has not held; the
// incident core asks it before closing.
func (s *Service) MissingForClose(ctx context.Context, inc *incident.Incident) ([]string, error) {
	retros, err := s.store.Retrospectives(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, st := range missing(s.cfg.Required(inc.Grade), retros) {
		out = append(out, string(st)+" review")
	}
	return out, nil
}

// RetroInput is what a person records about one stage.
type RetroInput struct {
	ScheduledAt *time.Time
	Facilitator string
	Attendees   []string
	Notes       string
	Narrative   Narrative
	Held        bool // the review took place
}

// SaveRetrospective records one stage of the review.
func (s *Service) SaveRetrospective(ctx context.Context, by auth.User, incidentID int64, stage Stage, in RetroInput) (*Retrospective, error) {
	if !stage.Valid() {
		return nil, fail.Field("stage", "must be team or developer; got %q", stage)
	}
	if err := s.canChange(ctx, by, incidentID); err != nil {
		return nil, err
	}
	if in.Facilitator != "" {
		if err := s.checkUser(ctx, "facilitator", in.Facilitator); err != nil {
			return nil, err
		}
	}
	attendees := []string{}
	for i, a := range in.Attendees {
		a = strings.TrimSpace(a)
		if a == "" || slices.Contains(attendees, a) {
			continue
		}
		if err := s.checkUser(ctx, fmt.Sprintf("attendees[%d]", i), a); err != nil {
			return nil, err
		}
		attendees = append(attendees, a)
	}
	for field, v := range map[string]string{"notes": in.Notes, "narrative.background": in.Narrative.Background,
		"narrative.trigger": in.Narrative.Trigger, "narrative.chain": in.Narrative.Chain, "narrative.impact": in.Narrative.Impact} {
		if utf8.RuneCountInString(v) > maxText {
			return nil, fail.Field(field, "is longer than %d characters", maxText)
		}
	}
	if err := checkRetroText(in); err != nil {
		return nil, err
	}
	if in.Held && in.Facilitator == "" {
		return nil, fail.Field("facilitator", "is required once the review has been held")
	}
	now := s.now().UTC()
	r := &Retrospective{IncidentID: incidentID, Stage: stage, ScheduledAt: utcPtr(in.ScheduledAt), Facilitator: in.Facilitator,
		Attendees: attendees, Notes: in.Notes, Narrative: in.Narrative, UpdatedBy: by.Name, CreatedAt: now, UpdatedAt: now}
	kind := EventReviewSaved
	if in.Held {
		r.HeldAt = &now
		kind = EventReviewHeld
	}
	data := map[string]any{"stage": string(stage), "facilitator": in.Facilitator}
	if r.ScheduledAt != nil {
		data["scheduled_at"] = r.ScheduledAt.Format(time.RFC3339)
	}
	ev := incident.Event{Kind: kind, Actor: by.Name, At: now, IncidentID: incidentID, Data: data}
	if err := s.store.SaveRetrospective(ctx, r, ev); err != nil {
		return nil, fmt.Errorf("save review: %w", err)
	}
	return r, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// canChange checks that the user may see and change the incident: its
// review and action items are the incident's to change.
func (s *Service) canChange(ctx context.Context, by auth.User, incidentID int64) error {
	_, err := s.incidents.Authorize(ctx, by, incidentID, incident.Change, "review.change")
	return err
}

func (s *Service) checkUser(ctx context.Context, field, name string) error {
	ok, err := s.users(ctx, name)
	if err != nil {
		return err
	}
	if !ok {
		return fail.Field(field, "unknown user %q", name)
	}
	return nil
}

func failField(field, format string, args ...any) error { return fail.Field(field, format, args...) }
