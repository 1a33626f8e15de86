package report

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/textrule"
)

// Store keeps reports, their revisions and shares.
type Store interface {
	// GetReport returns the incident's report, or a fail.NotFound error.
	GetReport(ctx context.Context, incidentID int64) (*Report, error)
	// CreateReport stores a new report with its first revision; a
	// fail.Conflict error when the incident has one already.
	CreateReport(ctx context.Context, r *Report, first Revision) error
	// UpdateReport loads the report, lets change alter it, and stores the
	// report and what change returns in one transaction.
	UpdateReport(ctx context.Context, incidentID int64, change func(*Report) (Change, error)) (*Report, error)
	// ListRevisions returns up to limit revisions, newest first.
	ListRevisions(ctx context.Context, incidentID int64, limit int) ([]Revision, error)
	GetRevision(ctx context.Context, incidentID int64, number int) (*Revision, error)
	// ListShares returns up to limit shares, newest first.
	ListShares(ctx context.Context, incidentID int64, limit int) ([]Share, error)
	// ListPending returns a page of reports with TBD sections or a first
	// report not shared yet, in incident order.
	ListPending(ctx context.Context, q PendingQuery) ([]*Report, error)
	// ListUnstarted returns a page of incidents, in order, that are not
	// closed, have no report, and were declared before their grade's
	// cutoff (see overdueCutoffs): those whose first report may be late.
	// NotRemindedSince applies to their report_reminded events.
	ListUnstarted(ctx context.Context, q PendingQuery, cutoffs map[incident.Grade]time.Time) ([]int64, error)
	// RemindUnstarted reads what was told of an incident without a report
	// and stores what decide returns (mails and events only) in one
	// transaction. It does nothing if a report was started meanwhile.
	RemindUnstarted(ctx context.Context, incidentID int64, decide func(Unstarted) (Change, error)) error
	// TBDMarkers returns the TBD sections of each incident's report (how
	// many, since when), for those with a report that has any.
	TBDMarkers(ctx context.Context, incidentIDs []int64) (map[int64]TBDMarker, error)
}

// Change is what one update of a report writes besides the report itself.
type Change struct {
	Revision *Revision
	Share    *Share
	Mails    []Mail           // stored in the outbox, in the same transaction
	Events   []incident.Event // appended to the incident's timeline
}

// UserDirectory finds an owner's e-mail address.
type UserDirectory interface {
	UserByName(ctx context.Context, name string) (auth.User, error)
}

// The timeline events reports write.
const (
	EventStarted  incident.EventKind = "report_started"
	EventShared   incident.EventKind = "report_shared"
	EventOverdue  incident.EventKind = "report_overdue"
	EventReminded incident.EventKind = "report_reminded"
)

// Service states the rules for writing, sharing and tracking reports.
type Service struct {
	Store     Store
	Incidents *incident.Service
	Users     UserDirectory
	Config    *Config
	Policy    *policy.Policy
	Catalog   *catalog.Catalog
	// BaseURL is the server's public address, for links in e-mails.
	BaseURL string
	Now     func() time.Time
}

// Template is the configured template.
func (s *Service) Template() Template { return s.Config.Template }

// Zone is the organisation's time zone.
func (s *Service) Zone() *time.Location {
	if s.Policy == nil || s.Policy.Zone == nil {
		return time.UTC
	}
	return s.Policy.Zone
}

// Deadline is when the first report of an incident is due: by the grade's
// policy, counted from the declaration in the organisation's time zone.
func Deadline(p *policy.Policy, inc *incident.Incident) time.Time {
	return p.FirstReportDeadline(inc.Grade, inc.CreatedAt)
}

// Deadline is when the incident's first report is due under the current
// policy and the incident's current grade. It is computed on every read
// rather than stored, so raising or lowering the grade moves it.
func (s *Service) Deadline(inc *incident.Incident) time.Time { return Deadline(s.policy(), inc) }

// overdueCutoffs gives, for each grade, the declaration time before which
// an incident's first report is due by now. Both kinds of deadline grow
// with the declaration time, so "declared before the cutoff" is a filter a
// database can apply; the exact check is Deadline's.
func overdueCutoffs(p *policy.Policy, now time.Time) map[incident.Grade]time.Time {
	out := map[incident.Grade]time.Time{}
	for g := incident.SEV1; g <= incident.SEV5; g++ {
		fr := p.Grades[g].FirstReport
		if !fr.SameDay {
			out[g] = now.Add(-fr.Within).UTC()
			continue
		}
		// Due at the end of the declaration's day: late once that day is over.
		zone := p.Zone
		if zone == nil {
			zone = time.UTC
		}
		y, m, d := now.In(zone).Date()
		out[g] = time.Date(y, m, d, 0, 0, 0, 0, zone).UTC()
	}
	return out
}

// FirstOwner is who answers for an incident's first report while nobody
// has started it: the communicator, else the resolver, else the declarer.
func FirstOwner(inc *incident.Incident) string {
	for _, role := range []incident.Role{incident.Communicator, incident.Resolver} {
		if name := inc.Roles[role]; name != "" {
			return name
		}
	}
	return inc.CreatedBy
}

// Get returns an incident the user may see and its report (nil when none
// was started).
func (s *Service) Get(ctx context.Context, by auth.User, id int64) (*incident.Incident, *Report, error) {
	inc, err := s.Incidents.Get(ctx, by, id)
	if err != nil {
		return nil, nil, err
	}
	return s.withReport(ctx, inc)
}

// View is Get for a person opening the report (its page, resource or
// export): an admin who may read it only by the admin role is recorded in
// the audit log, as for opening the incident.
func (s *Service) View(ctx context.Context, by auth.User, id int64) (*incident.Incident, *Report, error) {
	inc, err := s.Incidents.Authorize(ctx, by, id, incident.Read, "report.read")
	if err != nil {
		return nil, nil, err
	}
	return s.withReport(ctx, inc)
}

func (s *Service) withReport(ctx context.Context, inc *incident.Incident) (*incident.Incident, *Report, error) {
	id := inc.ID
	r, err := s.Store.GetReport(ctx, id)
	if fail.CodeOf(err) == fail.NotFound {
		return inc, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	r.DueAt = s.Deadline(inc)
	return inc, r, nil
}

// StartOptions choose what pre-fill keeps.
type StartOptions struct {
	// Events are the timeline events the writer keeps; nil keeps the
	// default ones (see DefaultEvent).
	Events []int64
	Lang   string
}

// maxPrefillEvents bounds the timeline a report starts from.
const maxPrefillEvents = 500

// Start creates the incident's report, pre-filled from the incident, with
// the user as its owner.
func (s *Service) Start(ctx context.Context, by auth.User, id int64, o StartOptions) (*Report, error) {
	inc, err := s.Incidents.Authorize(ctx, by, id, incident.Change, "report.write")
	if err != nil {
		return nil, err
	}
	if o.Lang == "" {
		o.Lang = "en"
	}
	if o.Lang != "en" && o.Lang != "ko" {
		return nil, fail.Field("lang", "must be en or ko; got %q", o.Lang)
	}
	events, err := s.Incidents.Timeline(ctx, by, id, 0, maxPrefillEvents)
	if err != nil {
		return nil, err
	}
	kept, err := chooseEvents(events, o.Events)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	r := &Report{IncidentID: id, Owner: by.Name, Lang: o.Lang, Revision: 1,
		Sections: s.Template().Prefill(inc, kept, s.Zone(), o.Lang), TBDSince: map[string]time.Time{},
		DueAt: s.Deadline(inc), CreatedAt: now, UpdatedAt: now}
	s.Template().trackTBD(r, now)
	if err := s.Store.CreateReport(ctx, r, Revision{Number: 1, Author: by.Name, At: now, Sections: r.Sections}); err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Service) policy() *policy.Policy {
	if s.Policy == nil {
		return policy.DefaultPolicy()
	}
	return s.Policy
}

func chooseEvents(all []incident.Event, ids []int64) ([]incident.Event, error) {
	var out []incident.Event
	if ids == nil {
		for _, ev := range all {
			if DefaultEvent(ev) {
				out = append(out, ev)
			}
		}
		return out, nil
	}
	byID := map[int64]incident.Event{}
	for _, ev := range all {
		byID[ev.ID] = ev
	}
	for i, id := range ids {
		ev, ok := byID[id]
		if !ok {
			return nil, fail.Field(fmt.Sprintf("events[%d]", i), "event %d is not on this incident's timeline", id)
		}
		out = append(out, ev)
	}
	return out, nil
}

// maxSection bounds one section's text.
const maxSection = 100_000

// Save stores new section texts as the next revision. baseRevision is the
// revision the writer started from: if someone saved since, the save is
// refused rather than overwriting their work. Sections not named keep
// their text; saving what is already there makes no revision.
func (s *Service) Save(ctx context.Context, by auth.User, id int64, baseRevision int, sections map[string]string) (*Report, error) {
	if _, err := s.Incidents.Authorize(ctx, by, id, incident.Change, "report.write"); err != nil {
		return nil, err
	}
	if baseRevision < 0 {
		return nil, fail.Field("base_revision", "must be 0 or more; got %d", baseRevision)
	}
	if err := s.checkSections(sections); err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	return s.Store.UpdateReport(ctx, id, func(r *Report) (Change, error) {
		if baseRevision != 0 && baseRevision != r.Revision {
			return Change{}, fail.New(fail.Conflict, "the report changed since revision %d (now revision %d); reload it and apply your edits again", baseRevision, r.Revision)
		}
		next := map[string]string{}
		changed := false
		for k, v := range r.Sections {
			next[k] = v
		}
		for k, v := range sections {
			v = strings.ReplaceAll(v, "\r\n", "\n")
			if next[k] != v {
				next[k], changed = v, true
			}
		}
		if !changed {
			return Change{}, nil
		}
		r.Sections, r.Revision, r.UpdatedAt = next, r.Revision+1, now
		s.Template().trackTBD(r, now)
		return Change{Revision: &Revision{Number: r.Revision, Author: by.Name, At: now, Sections: next}}, nil
	})
}

func (s *Service) checkSections(sections map[string]string) error {
	keys := make([]string, 0, len(sections))
	for k := range sections {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := s.Template().Section(k); !ok {
			return fail.Field("sections."+k, "no such section in the report template")
		}
		if err := textrule.Text("sections."+k, sections[k]); err != nil {
			return err
		}
		if len(sections[k]) > maxSection {
			return fail.Field("sections."+k, "is longer than %d bytes", maxSection)
		}
	}
	return nil
}

// Import splits a Markdown report into the template's sections and saves
// it, starting the report when the incident has none.
func (s *Service) Import(ctx context.Context, by auth.User, id int64, baseRevision int, md, lang string) (*Report, Imported, error) {
	if baseRevision < 0 {
		return nil, Imported{}, fail.Field("base_revision", "must be 0 or more; got %d", baseRevision)
	}
	if strings.TrimSpace(md) == "" {
		return nil, Imported{}, fail.Field("markdown", "is empty")
	}
	if err := textrule.Text("markdown", md); err != nil {
		return nil, Imported{}, err
	}
	if len(md) > maxSection*4 {
		return nil, Imported{}, fail.Field("markdown", "is longer than %d bytes", maxSection*4)
	}
	imp := s.Template().Import(md)
	_, r, err := s.Get(ctx, by, id)
	if err != nil {
		return nil, imp, err
	}
	if r == nil {
		if _, err := s.Start(ctx, by, id, StartOptions{Lang: lang, Events: []int64{}}); err != nil {
			return nil, imp, err
		}
		baseRevision = 0
	}
	r, err = s.Save(ctx, by, id, baseRevision, imp.Sections)
	return r, imp, err
}

// maxRevisions bounds the history a page or call shows.
const maxRevisions = 200

// Revisions returns the report's revisions, newest first.
func (s *Service) Revisions(ctx context.Context, by auth.User, id int64) ([]Revision, error) {
	if _, err := s.Incidents.Get(ctx, by, id); err != nil {
		return nil, err
	}
	return s.Store.ListRevisions(ctx, id, maxRevisions)
}

// Revision returns one revision of the report.
func (s *Service) Revision(ctx context.Context, by auth.User, id int64, n int) (*Revision, error) {
	if _, err := s.Incidents.Get(ctx, by, id); err != nil {
		return nil, err
	}
	return s.Store.GetRevision(ctx, id, n)
}

// Diff returns what changed from revision from to revision to.
func (s *Service) Diff(ctx context.Context, by auth.User, id int64, from, to int, lang string) ([]SectionDiff, error) {
	if from < 1 {
		return nil, fail.Field("from", "must be a revision number (1 or more)")
	}
	if to < 1 {
		return nil, fail.Field("to", "must be a revision number (1 or more)")
	}
	a, err := s.Revision(ctx, by, id, from)
	if err != nil {
		return nil, err
	}
	b, err := s.Revision(ctx, by, id, to)
	if err != nil {
		return nil, err
	}
	return s.Template().Diff(a.Sections, b.Sections, lang), nil
}

// Shares returns the report's shares, newest first.
func (s *Service) Shares(ctx context.Context, by auth.User, id int64) ([]Share, error) {
	if _, err := s.Incidents.Get(ctx, by, id); err != nil {
		return nil, err
	}
	return s.Store.ListShares(ctx, id, maxRevisions)
}

// Recipients are the e-mail addresses the incident's grade names in the
// policy, with the language each reads. A restricted incident's report goes
// to its members' own addresses only, as its messages do.
func (s *Service) Recipients(ctx context.Context, inc *incident.Incident) ([]policy.Target, error) {
	cat := s.Catalog
	if cat == nil {
		cat = catalog.Empty()
	}
	scope := policy.Scope{Grade: inc.Grade, Services: inc.Services, Visibility: inc.Visibility}
	if inc.Visibility == incident.Restricted && s.Users != nil {
		for _, name := range inc.Members {
			u, err := s.Users.UserByName(ctx, name)
			if err != nil && fail.CodeOf(err) != fail.NotFound {
				return nil, err
			}
			scope.Members = append(scope.Members, policy.Person{Name: name, Email: u.Email})
		}
	}
	var out []policy.Target
	for _, t := range s.policy().Plan(cat, scope) {
		if t.Channel == policy.ChannelEmail {
			out = append(out, t)
		}
	}
	return out, nil
}

// Share sends the report by e-mail to the recipients the grade names: the
// whole report the first time, TBD sections and all; afterwards what
// changed since the last share. The mails are stored in the outbox in the
// same transaction as the share, so none is lost.
func (s *Service) Share(ctx context.Context, by auth.User, id int64) (Share, error) {
	inc, err := s.Incidents.Authorize(ctx, by, id, incident.Change, "report.share")
	if err != nil {
		return Share{}, err
	}
	targets, err := s.Recipients(ctx, inc)
	if err != nil {
		return Share{}, err
	}
	if len(targets) == 0 {
		return Share{}, fail.New(fail.Invalid, "the policy names no e-mail recipients for %s of %s; give the owning team an e-mail or add a department", inc.Grade, strings.Join(inc.Services, ", "))
	}
	now := s.Now().UTC()
	var sh Share
	var previous *Revision
	if r, err := s.Store.GetReport(ctx, id); err != nil {
		return Share{}, err
	} else if r.SharedRevision > 0 {
		if previous, err = s.Store.GetRevision(ctx, id, r.SharedRevision); err != nil {
			return Share{}, err
		}
	}
	_, err = s.Store.UpdateReport(ctx, id, func(r *Report) (Change, error) {
		r.DueAt = s.Deadline(inc)
		if r.SharedRevision == r.Revision {
			return Change{}, fail.New(fail.Conflict, "revision %d was shared already; nothing changed since", r.Revision)
		}
		var changed []SectionDiff
		if previous != nil {
			changed = s.Template().Diff(previous.Sections, r.Sections, r.Lang)
		}
		sh = Share{Revision: r.Revision, By: by.Name, At: now, Changes: len(changed)}
		if previous == nil {
			sh.Changes = len(s.Template().Sections)
		}
		var mails []Mail
		for _, t := range targets {
			sh.Recipients = append(sh.Recipients, t.Address)
			m := s.shareMail(inc, r, previous, changed, t.Lang)
			m.To, m.Lang = t.Address, t.Lang
			m.Key = ShareKey(id, r.Revision, t.Address)
			mails = append(mails, m)
		}
		if r.FirstSharedAt == nil {
			r.FirstSharedAt = &now
		}
		r.SharedRevision = r.Revision
		ev := incident.Event{Kind: EventShared, Actor: by.Name, At: now, Data: map[string]any{
			"revision": r.Revision, "recipients": sh.Recipients, "changes": sh.Changes, "late": now.After(r.DueAt) && previous == nil,
		}}
		return Change{Share: &sh, Mails: mails, Events: []incident.Event{ev}}, nil
	})
	sh.Deliveries = queuedDeliveries(sh.Recipients)
	return sh, err
}

// TBDMarkers returns how many TBD sections the reports of these incidents
// have and since when; incidents without a report, or whose report has
// none, are absent. The caller has checked that the user may see them (a
// list page).
func (s *Service) TBDMarkers(ctx context.Context, ids []int64) (map[int64]TBDMarker, error) {
	return s.Store.TBDMarkers(ctx, ids)
}
