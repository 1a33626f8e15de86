package review

import (
	"context"
	"fmt"
	"github.com/firebreak-oss/firebreak/internal/textrule"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Notice is a reminder to an item's owner before its due date, or an
// escalation of an overdue item to the lead of the owner's team.
type Notice struct {
	ItemID     int64
	IncidentID int64
	// Kind is "reminder" or "escalation"; Key makes each one given once
	// per due date ("reminder:72h0m0s:2026-02-03T23:59:59Z",
	// "escalation:2026-02-03T23:59:59Z"), so an item whose due date is
	// moved is reminded and escalated again for the new one.
	Kind string
	Key  string
	// DueAt is the due date the notice is given for.
	DueAt time.Time
	// To is the user told; "" for an escalation with no one to escalate to
	// (the owner leads every team the item belongs to, or it has none),
	// which is recorded on the timeline only.
	To string
	// Fallback is an address to use when the user has none in Firebreak
	// (an escalation falls back to the team's list).
	Fallback string
	// Subject and Text are the message, in English and Korean.
	Subject string
	Text    string
}

// The notice kinds.
const (
	NoticeReminder   = "reminder"
	NoticeEscalation = "escalation"
)

// dueBatch is one page of the due check; a run reads every page.
const dueBatch = 500

// SendDueNotices reminds owners of items coming due and escalates overdue
// items to their team's lead, each once per due date, and returns how many
// it gave. Items already escalated for their due date are left out in the
// query, and the rest is read a page at a time, so however many overdue
// items pile up, none waits behind them.
func (s *Service) SendDueNotices(ctx context.Context, now time.Time) (int, error) {
	horizon := now
	for _, d := range s.cfg.RemindBefore {
		horizon = maxTime(horizon, now.Add(d))
	}
	given := 0
	for after := int64(0); ; {
		items, err := s.store.ListItems(ctx, ItemFilter{Statuses: []ItemStatus{ItemOpen, ItemInProgress}, DueBefore: &horizon,
			NotEscalated: true, AfterID: after, Limit: dueBatch})
		if err != nil {
			return given, err
		}
		for _, it := range items {
			n, err := s.giveNotices(ctx, it, now)
			given += n
			if err != nil {
				return given, err
			}
		}
		if len(items) < dueBatch {
			return given, nil
		}
		after = items[len(items)-1].ID
	}
}

// DueDate is an open item's due date, and whether the item changed since
// the time asked about.
type DueDate struct {
	Due     time.Time
	Changed bool
}

// changeSlack is how far before the last look SweepNeeded looks for
// changed items. A change in it asks for a sweep at every look for that
// long; the sweep gives each notice once.
const changeSlack = time.Minute

// SweepNeeded tells whether a sweep at now could do what the sweeps up to
// since could not: a reminder or escalation of an open item fell due in
// between, an item changed, or an incident changed in the last window is
// not checked for recurrence. It is two small reads; an idle server asks
// it each period instead of starting its job queue for a sweep
// (docs/benchmarks.md, "Idle cost"). The windows of successive calls meet
// without a gap, so each reminder time falls in exactly one.
func (s *Service) SweepNeeded(ctx context.Context, since, now time.Time, window time.Duration) (bool, error) {
	var ahead time.Duration
	for _, d := range s.cfg.RemindBefore {
		ahead = max(ahead, d)
	}
	// A change is looked for a little before since: an item's update time
	// is taken before its transaction commits, and another replica's
	// clock may run a little behind, so a change stamped just before the
	// last look may have become visible only after it.
	dues, err := s.store.DueDatesNear(ctx, since, now.Add(ahead), since.Add(-changeSlack))
	if err != nil {
		return true, err
	}
	for _, d := range dues {
		// An escalation is given once now is after the due date, a
		// reminder once now is at or after due-d (noticesFor).
		if d.Changed || (!d.Due.Before(since) && d.Due.Before(now)) {
			return true, nil
		}
		for _, before := range s.cfg.RemindBefore {
			if at := d.Due.Add(-before); at.After(since) && !at.After(now) {
				return true, nil
			}
		}
	}
	incs, err := s.store.IncidentsToCheck(ctx, now.Add(-window), 1)
	return len(incs) > 0 || err != nil, err
}

// giveNotices records what is due for one item now.
func (s *Service) giveNotices(ctx context.Context, it *ActionItem, now time.Time) (int, error) {
	given := 0
	for _, n := range s.noticesFor(ctx, it, now) {
		ev := incident.Event{IncidentID: it.IncidentID, At: now, Actor: "firebreak", Data: map[string]any{
			"item": it.ID, "item_title": it.Title, "to": n.To, "due_at": it.DueAt.Format(time.RFC3339), "key": n.Key}}
		ev.Kind = EventItemReminder
		if n.Kind == NoticeEscalation {
			ev.Kind = EventItemEscalated
			ev.Data["owner"] = it.Owner
			if n.To == "" {
				ev.Data["no_one"] = true
			}
		}
		ok, err := s.store.RecordNotice(ctx, n, ev)
		if err != nil {
			return given, err
		}
		if ok {
			given++
		}
	}
	return given, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// noticesFor lists what is due for one item now: the reminders whose time
// has come (only the nearest, so a late start does not send three at once)
// and, once overdue, the escalation.
func (s *Service) noticesFor(ctx context.Context, it *ActionItem, now time.Time) []Notice {
	if it.DueAt == nil {
		return nil
	}
	ref := incident.FormatRef(it.IncidentID)
	due := it.DueAt.Format("2006-01-02")
	dueKey := it.DueAt.UTC().Format(time.RFC3339)
	if now.After(*it.DueAt) {
		to, fallback := s.escalateTo(ctx, it)
		return []Notice{{ItemID: it.ID, IncidentID: it.IncidentID, Kind: NoticeEscalation, Key: NoticeEscalation + ":" + dueKey,
			DueAt: *it.DueAt, To: to, Fallback: fallback,
			Subject: fmt.Sprintf("[Firebreak] Overdue action item of %s: %s / 기한이 지난 후속 조치", ref, it.Title),
			Text: fmt.Sprintf("The action item \"%s\" of %s, owned by %s, was due on %s and is still %s.\n%s의 후속 조치 \"%s\"(담당 %s)의 기한 %s이 지났지만 아직 완료되지 않았습니다.\n",
				it.Title, ref, it.Owner, due, it.Status, ref, it.Title, it.Owner, due)}}
	}
	before := slices.Clone(s.cfg.RemindBefore)
	sort.Slice(before, func(i, j int) bool { return before[i] < before[j] })
	for _, d := range before {
		if now.Add(d).Before(*it.DueAt) {
			continue
		}
		return []Notice{{ItemID: it.ID, IncidentID: it.IncidentID, Kind: NoticeReminder, Key: NoticeReminder + ":" + d.String() + ":" + dueKey,
			DueAt: *it.DueAt, To: it.Owner,
			Subject: fmt.Sprintf("[Firebreak] Action item due %s: %s / 후속 조치 기한 안내", due, it.Title),
			Text: fmt.Sprintf("Your action item \"%s\" of %s is due on %s.\n%s의 후속 조치 \"%s\"의 기한은 %s입니다.\n",
				it.Title, ref, due, ref, it.Title, due)}}
	}
	return nil
}

// escalateTo names who hears of an overdue item: the lead of the owner's
// team, else the lead of the team owning the incident's first service, and
// never the owner: escalating to the owner would only repeat the reminder.
// With no such lead it returns "": the escalation is recorded on the
// timeline, with no one to tell.
func (s *Service) escalateTo(ctx context.Context, it *ActionItem) (to, fallback string) {
	inc, err := s.incidents.Get(ctx, auth.User{Name: "firebreak", Role: auth.Admin}, it.IncidentID)
	if err != nil {
		inc = nil
	}
	var teams []catalog.Team
	for _, t := range s.catalog.Teams() {
		if t.Lead == it.Owner || slices.Contains(t.Members, it.Owner) {
			teams = append(teams, t)
		}
	}
	if inc != nil && len(inc.Services) > 0 {
		if svc, ok := s.catalog.Service(inc.Services[0]); ok {
			if t, ok := s.catalog.Team(svc.Team); ok {
				teams = append(teams, t)
			}
		}
	}
	for _, t := range teams {
		if t.Lead != "" && t.Lead != it.Owner {
			return t.Lead, t.Email
		}
	}
	return "", ""
}

// TeamOf returns the team an item belongs to: the team the owner is a
// member or lead of, else the team owning the incident's first service.
func (s *Service) TeamOf(ctx context.Context, it *ActionItem) (catalog.Team, bool) {
	inc, err := s.incidents.Get(ctx, auth.User{Name: "firebreak", Role: auth.Admin}, it.IncidentID)
	if err != nil {
		inc = nil
	}
	return s.teamOf(it, inc)
}

func (s *Service) teamOf(it *ActionItem, inc *incident.Incident) (catalog.Team, bool) {
	for _, t := range s.catalog.Teams() {
		if t.Lead == it.Owner || slices.Contains(t.Members, it.Owner) {
			return t, true
		}
	}
	if inc != nil && len(inc.Services) > 0 {
		if svc, ok := s.catalog.Service(inc.Services[0]); ok {
			return s.catalog.Team(svc.Team)
		}
	}
	return catalog.Team{}, false
}

// BoardGroup is one group of the long-term board.
type BoardGroup struct {
	Name  string       `json:"name"` // team or task force
	Items []*BoardItem `json:"items"`
}

// BoardItem is an open long-term item with its age.
type BoardItem struct {
	*ActionItem
	Incident string        `json:"incident"`
	Team     string        `json:"team"`
	Age      time.Duration `json:"-"`
	AgeDays  int           `json:"age_days"`
	Overdue  bool          `json:"overdue"`
}

// Board lists every open long-term item, oldest first within each group,
// grouped by team ("team") or by task force ("task_force"; items in none
// fall under the empty name).
func (s *Service) Board(ctx context.Context, by auth.User, groupBy string) ([]BoardGroup, error) {
	now := s.now()
	if groupBy == "" {
		groupBy = "team"
	}
	if groupBy != "team" && groupBy != "task_force" {
		return nil, failField("group", "must be team or task_force; got %q", groupBy)
	}
	var all []*ActionItem
	var after int64
	for { // the board is every open long-term item; read it a page at a time
		page, err := s.store.ListItems(ctx, ItemFilter{Statuses: []ItemStatus{ItemOpen, ItemInProgress}, Term: Long, AfterID: after, Limit: maxListed,
			VisibleTo: visibleTo(by)})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < maxListed || len(all) >= 5000 {
			break
		}
		after = page[len(page)-1].ID
	}
	groups := map[string]*BoardGroup{}
	var order []string
	items, incs, err := s.visible(ctx, by, all)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		team, _ := s.teamOf(it, incs[it.IncidentID])
		bi := &BoardItem{ActionItem: it, Incident: incident.FormatRef(it.IncidentID), Team: team.Name, Age: now.Sub(it.CreatedAt), Overdue: it.Overdue(now)}
		bi.AgeDays = int(bi.Age.Hours() / 24)
		key := bi.Team
		if groupBy == "task_force" {
			key = it.TaskForce
		}
		g, ok := groups[key]
		if !ok {
			g = &BoardGroup{Name: key, Items: []*BoardItem{}}
			groups[key] = g
			order = append(order, key)
		}
		g.Items = append(g.Items, bi)
	}
	sort.Slice(order, func(i, j int) bool {
		if (order[i] == "") != (order[j] == "") {
			return order[j] == "" // the ungrouped come last
		}
		return strings.Compare(order[i], order[j]) < 0
	})
	out := []BoardGroup{}
	for _, k := range order {
		g := groups[k]
		sort.SliceStable(g.Items, func(i, j int) bool { return g.Items[i].CreatedAt.Before(g.Items[j].CreatedAt) })
		out = append(out, *g)
	}
	return out, nil
}

// maxTaskForce bounds the items one request puts into a task force.
const maxTaskForce = 500

// AssignTaskForce puts items into a named task force ("" takes them out).
// Every item is checked first (it exists, the user may change it), then all
// are changed in one transaction: a refused request changes nothing.
func (s *Service) AssignTaskForce(ctx context.Context, by auth.User, name string, itemIDs []int64) ([]*ActionItem, error) {
	name = strings.TrimSpace(name)
	switch {
	case len(itemIDs) == 0:
		return nil, failField("items", "name at least one action item")
	case len(itemIDs) > maxTaskForce:
		return nil, failField("items", "names %d action items; at most %d at once", len(itemIDs), maxTaskForce)
	case utf8.RuneCountInString(name) > 100:
		return nil, failField("name", "is longer than 100 characters")
	case textrule.Problem(name, false, false) != "":
		return nil, textrule.Line("name", name)
	}
	var ids []int64
	for i, id := range itemIDs {
		field := fmt.Sprintf("items[%d]", i)
		it, err := s.store.GetItem(ctx, id)
		if fail.CodeOf(err) == fail.NotFound {
			return nil, &fail.Error{Code: fail.NotFound, Field: field, Message: fmt.Sprintf("action item %d not found", id)}
		} else if err != nil {
			return nil, err
		}
		if err := s.canChange(ctx, by, it.IncidentID); fail.CodeOf(err) == fail.NotFound {
			return nil, &fail.Error{Code: fail.NotFound, Field: field, Message: fmt.Sprintf("action item %d not found", id)}
		} else if err != nil {
			return nil, err
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	now := s.now().UTC()
	return s.store.UpdateItems(ctx, ids, func(it *ActionItem) (*incident.Event, bool, error) {
		if it.TaskForce == name {
			return nil, false, nil
		}
		it.TaskForce, it.UpdatedAt = name, now
		return &incident.Event{Kind: EventItemChanged, Actor: by.Name, At: now, IncidentID: it.IncidentID, Data: map[string]any{
			"item": it.ID, "item_title": it.Title, "task_force": name}}, false, nil
	})
}

// DetectRecurrence compares an incident with earlier ones (by start time)
// and stores the new matches, recording them on its timeline; it returns
// the new matches. Reports are compared whole, with the incidents'
// services and tags (see RankRecurrences).
func (s *Service) DetectRecurrence(ctx context.Context, inc *incident.Incident, now time.Time) ([]Match, error) {
	earlier, err := s.store.RecurrenceCandidates(ctx, inc, inc.StartedAt.Add(-s.cfg.Lookback), 500)
	if err != nil {
		return nil, err
	}
	ids := []int64{inc.ID}
	for _, e := range earlier {
		ids = append(ids, e.ID)
	}
	reports, err := s.store.ReportTexts(ctx, ids)
	if err != nil {
		return nil, err
	}
	docs := make([]RecurrenceDoc, len(earlier))
	for i, e := range earlier {
		docs[i] = RecurrenceDoc{Incident: e, Report: reports[e.ID]}
	}
	th := Thresholds{SameService: DefaultThresholds.SameService, Any: s.cfg.MinSimilarity}
	found := RankRecurrences(RecurrenceDoc{Incident: inc, Report: reports[inc.ID]}, docs, th)
	if len(found) == 0 {
		return nil, nil
	}
	return s.store.SaveMatches(ctx, inc.ID, found, func(fresh []Match) incident.Event {
		refs, reasons := []string{}, []string{}
		for _, m := range fresh {
			refs = append(refs, m.Earlier)
			reasons = append(reasons, m.Reason)
		}
		return incident.Event{IncidentID: inc.ID, At: now, Actor: "firebreak", Kind: EventRecurrenceMatch,
			Data: map[string]any{"incidents": refs, "reasons": reasons}}
	})
}

// DetectRecent runs DetectRecurrence over incidents changed since the
// given time (their services or cause tags may just have been set) and not
// checked since they changed.
func (s *Service) DetectRecent(ctx context.Context, since, now time.Time) (int, error) {
	incs, err := s.store.IncidentsToCheck(ctx, since, 200)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, inc := range incs {
		ms, err := s.DetectRecurrence(ctx, inc, now)
		if err != nil {
			return n, err
		}
		if err := s.store.MarkChecked(ctx, inc); err != nil {
			return n, err
		}
		n += len(ms)
	}
	return n, nil
}

// recurrencesWithItems returns the stored matches of an incident whose
// earlier incidents the user may see, each with its action items still open.
func (s *Service) recurrencesWithItems(ctx context.Context, by auth.User, incidentID int64) ([]Match, error) {
	all, err := s.store.Matches(ctx, incidentID)
	if err != nil || len(all) == 0 {
		return []Match{}, err
	}
	ids := make([]int64, len(all))
	for i, m := range all {
		ids[i] = m.EarlierID
	}
	earlier, err := s.store.IncidentsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	ms := []Match{} // only the earlier incidents the user may see
	for _, m := range all {
		if slices.ContainsFunc(earlier, func(e *incident.Incident) bool { return e.ID == m.EarlierID && incident.CanSee(by, e) }) {
			ms = append(ms, m)
		}
	}
	items, err := s.store.ListItems(ctx, ItemFilter{IncidentIDs: ids, Statuses: []ItemStatus{ItemOpen, ItemInProgress}, Limit: maxListed})
	if err != nil {
		return nil, err
	}
	for i := range ms {
		ms[i].OpenItems = []*ActionItem{}
		for _, it := range items {
			if it.IncidentID == ms[i].EarlierID {
				ms[i].OpenItems = append(ms[i].OpenItems, it)
			}
		}
	}
	return ms, nil
}

// ApplyTrackerState takes an issue's status as its tracker reports it (by
// webhook or poll): a closed issue closes its open item as done or dropped
// (closed says which), a reopened one reopens it. A closed item stays as it
// is while its issue is closed: Jira cannot tell dropped from done, so its
// done would otherwise undo a drop. Nothing changes when they already
// agree, nor while a status change made in Firebreak is still to be
// pushed: the tracker's status is the older one then, and the push will
// overwrite it.
func (s *Service) ApplyTrackerState(ctx context.Context, t Tracker, key, state string, closed ItemStatus) (*ActionItem, error) {
	it, err := s.store.ItemByTrackerKey(ctx, t, key)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	return s.store.UpdateItem(ctx, it.ID, func(it *ActionItem) (*incident.Event, bool, error) {
		if it.Link.Pending > 0 {
			return nil, false, nil
		}
		it.Link.State, it.Link.Error, it.Link.SyncedAt = state, "", &now
		want := it.Status
		switch {
		case closed != "" && !it.Status.Closed():
			want = closed
		case closed == "" && it.Status.Closed():
			want = ItemOpen
		}
		if want == it.Status {
			return nil, false, nil
		}
		setStatus(it, want, now)
		it.UpdatedAt = now
		return &incident.Event{Kind: EventItemChanged, Actor: string(t), At: now, IncidentID: it.IncidentID, Data: map[string]any{
			"item": it.ID, "item_title": it.Title, "status": string(want), "tracker": string(t), "key": key, "state": state,
		}}, false, nil
	})
}

// CheckRecurrence compares one incident, as it stands now, with earlier
// ones and records the check; an incident that no longer exists is done.
func (s *Service) CheckRecurrence(ctx context.Context, incidentID int64, now time.Time) error {
	incs, err := s.store.IncidentsByID(ctx, []int64{incidentID})
	if err != nil || len(incs) == 0 {
		return err
	}
	if _, err := s.DetectRecurrence(ctx, incs[0], now); err != nil {
		return err
	}
	return s.store.MarkChecked(ctx, incs[0])
}
