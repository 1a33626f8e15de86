// Package propagate tells people of incidents as the communication policy
// says. When an event that must be told is appended to a timeline — a
// declaration, a raised grade, a wider scope, a status update — a job is
// enqueued in the same transaction; the job plans the targets, renders one
// message per target and stores them all in the outbox, which delivers them.
// Nothing accepted is lost between the commit and the send.
package propagate

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/policy"
)

// Incidents is what propagation reads.
type Incidents interface {
	GetIncident(ctx context.Context, id int64) (*incident.Incident, error)
	ListEvents(ctx context.Context, incidentID, after int64, limit int) ([]incident.Event, error)
}

// TeamTargets gives the targets teams added themselves, by team.
type TeamTargets interface {
	ForTeams(ctx context.Context, teams []string) (map[string][]policy.TeamTarget, error)
}

// People finds a user's e-mail address: restricted incidents are told to
// their members only, each at their own address.
type People interface {
	UserByName(ctx context.Context, name string) (auth.User, error)
}

// Timeline appends an event together with what follows from it.
type Timeline interface {
	AppendEventWith(ctx context.Context, ev *incident.Event, also func(ctx context.Context, tx *sql.Tx) error) error
}

// EventNotTold is the timeline event that names members of a restricted
// incident who could not be told of an event, for want of an e-mail address.
const EventNotTold incident.EventKind = "member_not_told"

// Propagator turns timeline events into stored messages.
type Propagator struct {
	Policy    *policy.Policy
	Catalog   *catalog.Catalog
	Incidents Incidents
	Outbox    *notify.Outbox
	DB        *sql.DB // transactions for storing a plan's messages
	// Queue enqueues the propagation jobs; set once the job queue exists.
	Queue notify.Queue
	// TeamTargets, People and Timeline may be nil (a preview from the
	// config file alone): then no team adds targets, no member has an
	// address, and nothing is noted on timelines.
	TeamTargets TeamTargets
	People      People
	Timeline    Timeline
	Now         func() time.Time
}

// Args asks for the propagation of one timeline event.
type Args struct {
	IncidentID int64 `json:"incident_id"`
	EventID    int64 `json:"event_id"`
}

// Kind names the job in the queue.
func (Args) Kind() string { return "propagate.event" }

// InsertOpts runs propagation in the notify queue, which looks for work
// often, so the messages are planned moments after the event.
func (Args) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: notify.QueueName} }

// AfterEvents enqueues a propagation job for each event in events that must
// be told. The store calls it inside the transaction that appends them.
func (p *Propagator) AfterEvents(ctx context.Context, tx *sql.Tx, inc *incident.Incident, events []incident.Event) error {
	var params []river.InsertManyParams
	declared := slices.ContainsFunc(events, func(ev incident.Event) bool { return ev.Kind == incident.EventDeclared })
	for _, ev := range events {
		if declared && ev.Kind != incident.EventDeclared && ev.Kind != incident.EventStatusUpdate {
			continue // roles given at the declaration: the declaration tells them
		}
		if tells(inc, ev) {
			params = append(params, river.InsertManyParams{Args: Args{IncidentID: inc.ID, EventID: ev.ID}})
		}
	}
	if len(params) == 0 {
		return nil
	}
	if p.Queue == nil {
		return fmt.Errorf("propagate: no job queue set")
	}
	_, err := p.Queue.InsertManyTx(ctx, tx, params)
	return err
}

// change says whether ev may bring new targets in, and how to tell them
// why; empty for the declaration itself.
func change(ev incident.Event) (func(lang string) string, bool) {
	switch ev.Kind {
	case incident.EventDeclared:
		return func(string) string { return "" }, true
	case incident.EventGradeChanged:
		from, _ := incident.ParseGrade(fmt.Sprint(ev.Data["from"]))
		to, err := incident.ParseGrade(fmt.Sprint(ev.Data["to"]))
		if err != nil || to >= from {
			return nil, false // lowered: nobody new
		}
		return func(lang string) string {
			if lang == "ko" {
				return "등급이 " + i18n.Particle(to.String(), "으로") + " 상향되었습니다"
			}
			return "the grade was raised to " + to.String()
		}, true
	case incident.EventFieldsChanged:
		_, services := ev.Data["services"]
		_, vis := ev.Data["visibility"]
		if !services && !vis {
			return nil, false
		}
		return func(lang string) string {
			if lang == "ko" {
				return "영향 범위가 넓어졌습니다"
			}
			return "the affected scope widened"
		}, true
	}
	return nil, false
}

// Worker returns the job worker that propagates events.
func (p *Propagator) Worker() river.Worker[Args] { return &worker{p: p} }

type worker struct {
	river.WorkerDefaults[Args]
	p *Propagator
}

func (w *worker) Work(ctx context.Context, job *river.Job[Args]) error {
	return w.p.Propagate(ctx, job.Args.IncidentID, job.Args.EventID)
}

// Propagate plans and stores the messages of one event. Storing is
// idempotent (each message's key names the incident, the event or first
// contact, and the target), so running it twice sends nothing twice.
func (p *Propagator) Propagate(ctx context.Context, incidentID, eventID int64) error {
	inc, err := p.Incidents.GetIncident(ctx, incidentID)
	if err != nil {
		return err
	}
	evs, err := p.Incidents.ListEvents(ctx, incidentID, eventID-1, 1)
	if err != nil {
		return err
	}
	if len(evs) == 0 || evs[0].ID != eventID {
		return fmt.Errorf("propagate: event %d of %s not found", eventID, inc.Ref())
	}
	scope, err := p.Scope(ctx, inc)
	if err != nil {
		return err
	}
	msgs, err := p.messages(inc, evs[0], p.Policy.Plan(p.Catalog, scope))
	if err != nil {
		return err
	}
	if notTold := notTold(scope, inc, evs[0]); len(notTold) > 0 && p.Timeline != nil {
		noted, err := p.noted(ctx, inc.ID, eventID)
		if err != nil {
			return err
		}
		if !noted {
			note := &incident.Event{IncidentID: inc.ID, At: p.now(), Actor: "firebreak", Kind: EventNotTold,
				Data: map[string]any{"users": notTold, "event_id": eventID, "reason": "no e-mail address"}}
			return p.Timeline.AppendEventWith(ctx, note, func(ctx context.Context, tx *sql.Tx) error {
				return p.Outbox.Store(ctx, tx, msgs...)
			})
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	tx, err := p.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := p.Outbox.Store(ctx, tx, msgs...); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (p *Propagator) now() time.Time {
	if p.Now == nil {
		return time.Now().UTC()
	}
	return p.Now().UTC()
}

// tells reports whether ev of inc is told to anyone.
func tells(inc *incident.Incident, ev incident.Event) bool {
	_, first := firstContact(inc, ev)
	return first || ev.Kind == incident.EventStatusUpdate
}

// firstContact is change, plus: people who join a restricted incident (a
// role given, members added) are its targets from then on, and hear of it
// as the others did at the declaration.
func firstContact(inc *incident.Incident, ev incident.Event) (func(lang string) string, bool) {
	if why, ok := change(ev); ok {
		return why, true
	}
	if inc.Visibility != incident.Restricted || len(joined(ev)) == 0 {
		return nil, false
	}
	return func(lang string) string {
		if lang == "ko" {
			return "장애 구성원으로 추가되었습니다"
		}
		return "you were added to the incident"
	}, true
}

// joined names the users ev makes members of its incident.
func joined(ev incident.Event) []string {
	switch ev.Kind {
	case incident.EventRoleAssigned:
		if u, _ := ev.Data["user"].(string); u != "" {
			return []string{u}
		}
	case incident.EventFieldsChanged:
		switch ms := ev.Data["members"].(type) {
		case []string: // as appended
			return ms
		case []any: // as read back
			var out []string
			for _, m := range ms {
				out = append(out, fmt.Sprint(m))
			}
			return out
		}
	}
	return nil
}

// notTold are the members ev should reach but cannot, for want of an
// address: all of them for what everyone is told, only those who joined
// for a role or membership given (the others were named before).
func notTold(scope policy.Scope, inc *incident.Incident, ev incident.Event) []string {
	if !tells(inc, ev) {
		return nil
	}
	all := policy.Unreachable(scope)
	if _, ok := change(ev); ok || ev.Kind == incident.EventStatusUpdate {
		return all
	}
	var out []string
	for _, u := range all {
		if slices.Contains(joined(ev), u) {
			out = append(out, u)
		}
	}
	return out
}

// maxNoteLookahead bounds the search for an earlier note of the same event:
// the note follows its event closely, so a retried job finds it there.
const maxNoteLookahead = 200

// noted reports whether the timeline already says who could not be told of
// event eventID, so that a retried job does not say it twice.
func (p *Propagator) noted(ctx context.Context, incidentID, eventID int64) (bool, error) {
	evs, err := p.Incidents.ListEvents(ctx, incidentID, eventID, maxNoteLookahead)
	if err != nil {
		return false, err
	}
	for _, ev := range evs {
		if ev.Kind == EventNotTold && fmt.Sprint(ev.Data["event_id"]) == strconv.FormatInt(eventID, 10) {
			return true, nil
		}
	}
	return false, nil
}

// Scope gathers what planning needs beyond the incident itself: for a
// restricted incident its members' e-mail addresses, otherwise the targets
// the teams concerned added themselves.
func (p *Propagator) Scope(ctx context.Context, inc *incident.Incident) (policy.Scope, error) {
	sc := policy.Scope{Grade: inc.Grade, Services: inc.Services, Visibility: inc.Visibility}
	if inc.Visibility == incident.Restricted {
		for _, name := range inc.Members {
			person := policy.Person{Name: name}
			if p.People != nil {
				u, err := p.People.UserByName(ctx, name)
				if err != nil && fail.CodeOf(err) != fail.NotFound {
					return sc, fmt.Errorf("find member %s: %w", name, err)
				}
				person.Email = u.Email
			}
			sc.Members = append(sc.Members, person)
		}
		return sc, nil
	}
	if p.TeamTargets == nil {
		return sc, nil
	}
	var teams []string
	addTeam := func(service string) {
		if svc, ok := p.Catalog.Service(service); ok && svc.Team != "" && !slices.Contains(teams, svc.Team) {
			teams = append(teams, svc.Team)
		}
	}
	for _, s := range inc.Services {
		addTeam(s)
		for _, dep := range p.Catalog.Dependants(s) {
			addTeam(dep)
		}
	}
	var err error
	sc.TeamTargets, err = p.TeamTargets.ForTeams(ctx, teams)
	return sc, err
}

// Messages renders the messages ev calls for, one per target.
func (p *Propagator) Messages(ctx context.Context, inc *incident.Incident, ev incident.Event) ([]notify.Message, error) {
	scope, err := p.Scope(ctx, inc)
	if err != nil {
		return nil, err
	}
	return p.messages(inc, ev, p.Policy.Plan(p.Catalog, scope))
}

func (p *Propagator) messages(inc *incident.Incident, ev incident.Event, targets []policy.Target) ([]notify.Message, error) {
	kind := policy.KindDeclared
	why, first := firstContact(inc, ev)
	if !first {
		if ev.Kind != incident.EventStatusUpdate {
			return nil, nil
		}
		kind = policy.KindUpdate
		if public, _ := ev.Data["public"].(bool); !public {
			targets = internalOnly(targets) // partners hear only what is public
		}
	}
	out := make([]notify.Message, 0, len(targets))
	for _, t := range targets {
		d := p.Data(inc, t)
		d.Kind = string(kind)
		if first {
			d.Change = why(t.Lang)
		} else {
			d.Update, _ = ev.Data["text"].(string)
		}
		r, err := p.Policy.Templates.Render(kind, t.Lang, d)
		if err != nil {
			return nil, fmt.Errorf("render %s message for %s: %w", kind, t.Name, err)
		}
		m, err := p.message(inc, ev, t, kind, r)
		if err != nil {
			return nil, err
		}
		if first {
			// First contact is once per incident and target, whichever
			// event brings the target in.
			m.Key = "inc:" + strconv.FormatInt(inc.ID, 10) + ":first:" + t.Key
		}
		out = append(out, m)
	}
	return out, nil
}

// internalOnly leaves out partners; a team's own webhooks are inside.
func internalOnly(ts []policy.Target) []policy.Target {
	out := ts[:0:0]
	for _, t := range ts {
		if !strings.HasPrefix(t.Key, "partner:") {
			out = append(out, t)
		}
	}
	return out
}

// Data is what the templates see of inc, for target t.
func (p *Propagator) Data(inc *incident.Incident, t policy.Target) policy.MessageData {
	zone := p.Policy.Zone
	if zone == nil {
		zone = time.UTC
	}
	const layout = "2006-01-02 15:04 MST"
	declared := inc.CreatedAt
	if declared.IsZero() {
		declared = time.Now()
	}
	guide := p.Policy.Grades[inc.Grade].Guide[t.Lang]
	if guide == "" {
		guide = p.Policy.Grades[inc.Grade].Guide["en"]
	}
	d := policy.MessageData{
		Ref: inc.Ref(), Title: inc.Title, Summary: inc.Summary, Grade: inc.Grade.String(), Guide: guide,
		Status: string(inc.Status), Services: inc.Services, Visibility: string(inc.Visibility),
		DeclaredBy: inc.CreatedBy, Resolver: inc.Roles[incident.Resolver], Communicator: inc.Roles[incident.Communicator],
		StartedAt:      inc.StartedAt.In(zone).Format(layout),
		FirstReportDue: p.Policy.FirstReportDeadline(inc.Grade, declared).In(zone).Format(layout),
		Target:         t.Name, Reason: t.ReasonIn(t.Lang),
	}
	if d.Services == nil {
		d.Services = []string{}
	}
	if p.Policy.BaseURL != "" && inc.ID != 0 {
		d.URL = p.Policy.BaseURL + "/incidents/" + strconv.FormatInt(inc.ID, 10)
	}
	return d
}

// Planned is one message a declaration would send, as it would be stored.
type Planned struct {
	Target  policy.Target   `json:"target"`
	Subject string          `json:"subject,omitempty"`
	Text    string          `json:"text"`
	HTML    string          `json:"html,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Draft is a declaration not yet made, for a preview.
type Draft struct {
	Title, Summary         string
	Grade                  incident.Grade
	Services               []string
	Visibility             incident.Visibility
	Resolver, Communicator string
	By                     string
	// Members are others the declaration would add (restricted
	// incidents are told to their members).
	Members []string
}

// PreviewResult is what declaring a draft would do.
type PreviewResult struct {
	Messages []Planned `json:"messages"`
	Warnings []string  `json:"warnings"`
	// NotTold are members of a restricted draft who have no e-mail address.
	NotTold []string `json:"not_told,omitempty"`
}

// Preview checks a draft as a declaration would and renders the messages
// declaring it would send, without storing anything: the exact targets and
// texts.
func (p *Propagator) Preview(ctx context.Context, d Draft) (*PreviewResult, error) {
	if !d.Grade.Valid() {
		return nil, fail.Field("grade", "must be one of SEV1, SEV2, SEV3, SEV4, SEV5")
	}
	if d.Visibility == "" {
		d.Visibility = incident.Internal
	}
	if !d.Visibility.Valid() {
		return nil, fail.Field("visibility", "must be one of public, internal, restricted; got %q", d.Visibility)
	}
	for i, s := range d.Services {
		if _, ok := p.Catalog.Service(s); !ok {
			return nil, fail.Field(fmt.Sprintf("services[%d]", i), "unknown service %q", s)
		}
	}
	if strings.TrimSpace(d.Title) == "" {
		d.Title = "(title)"
	}
	now := time.Now().UTC()
	inc := &incident.Incident{Title: d.Title, Summary: d.Summary, Grade: d.Grade, Status: incident.Investigating,
		Services: d.Services, Visibility: d.Visibility, CreatedBy: d.By, StartedAt: now, DetectedAt: now, CreatedAt: now,
		Roles: map[incident.Role]string{incident.Resolver: d.Resolver, incident.Communicator: d.Communicator}}
	for _, m := range append([]string{d.By, d.Resolver, d.Communicator}, d.Members...) {
		if m != "" && !slices.Contains(inc.Members, m) {
			inc.Members = append(inc.Members, m)
		}
	}
	scope, err := p.Scope(ctx, inc)
	if err != nil {
		return nil, err
	}
	targets := p.Policy.Plan(p.Catalog, scope)
	msgs, err := p.messages(inc, incident.Event{Kind: incident.EventDeclared}, targets)
	if err != nil {
		return nil, err
	}
	out := &PreviewResult{Messages: make([]Planned, len(msgs)), Warnings: []string{}, NotTold: policy.Unreachable(scope)}
	for i, m := range msgs {
		out.Messages[i] = Planned{Target: targets[i], Subject: m.Subject, Text: m.Text, HTML: m.HTML, Payload: m.Payload}
	}
	if w := incident.RoleWarning(inc); w != "" {
		out.Warnings = append(out.Warnings, w)
	}
	return out, nil
}
