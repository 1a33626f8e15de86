package review

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// ItemInput is a new action item.
type ItemInput struct {
	Stage       Stage
	Title       string
	Description string
	Category    Category
	Term        Term
	Owner       string
	DueAt       *time.Time
	TaskForce   string
	// Tracker is where to file it; "" takes the configured default, and
	// "none" keeps it in Firebreak only.
	Tracker string
}

// Added is a new item with the vague-item check's advice on it.
type Added struct {
	Item  *ActionItem    `json:"action_item"`
	Vague []VagueFinding `json:"vague"`
}

// AddItem creates an action item on an incident. When a tracker is in
// force, the intent to file the issue is stored with the item, and a job
// files it. The vague-item check advises; it never refuses.
func (s *Service) AddItem(ctx context.Context, by auth.User, incidentID int64, in ItemInput, lang string) (*Added, error) {
	inc, err := s.incidents.Authorize(ctx, by, incidentID, incident.Change, "review.change")
	if err != nil {
		return nil, err
	}
	it := &ActionItem{IncidentID: incidentID, Stage: in.Stage, Title: strings.TrimSpace(in.Title), Description: in.Description,
		Category: in.Category, Term: in.Term, Owner: strings.TrimSpace(in.Owner), DueAt: utcPtr(in.DueAt), Status: ItemOpen,
		TaskForce: strings.TrimSpace(in.TaskForce), CreatedBy: by.Name}
	if err := s.checkItem(ctx, it); err != nil {
		return nil, err
	}
	switch t := Tracker(in.Tracker); {
	case in.Tracker == "":
		it.Link.Tracker = s.cfg.DefaultTracker
	case in.Tracker == "none":
	case t == Jira && s.cfg.Jira.Enabled(), t == GitHub && s.cfg.GitHub.Enabled():
		it.Link.Tracker = t
	default:
		return nil, fail.Field("tracker", "must be a configured tracker (%s) or none; got %q", s.configuredTrackers(), in.Tracker)
	}
	now := s.now().UTC()
	it.CreatedAt, it.UpdatedAt = now, now
	ev := incident.Event{Kind: EventItemAdded, Actor: by.Name, At: now, IncidentID: incidentID, Data: map[string]any{
		"title": it.Title, "category": string(it.Category), "term": string(it.Term), "owner": it.Owner,
	}}
	if err := s.store.CreateItem(ctx, it, ev); err != nil {
		return nil, fmt.Errorf("add action item: %w", err)
	}
	return &Added{Item: it, Vague: s.vague.CheckItem(it.Title, it.Description, lang, inc.Services)}, nil
}

func (s *Service) configuredTrackers() string {
	var names []string
	if s.cfg.Jira.Enabled() {
		names = append(names, "jira")
	}
	if s.cfg.GitHub.Enabled() {
		names = append(names, "github")
	}
	if len(names) == 0 {
		return "none configured"
	}
	return strings.Join(names, ", ")
}

func (s *Service) checkItem(ctx context.Context, it *ActionItem) error {
	switch {
	case it.Title == "":
		return fail.Field("title", "must not be empty")
	case utf8.RuneCountInString(it.Title) > maxTitle:
		return fail.Field("title", "is longer than %d characters", maxTitle)
	case utf8.RuneCountInString(it.Description) > maxText:
		return fail.Field("description", "is longer than %d characters", maxText)
	case !it.Category.Valid():
		return fail.Field("category", "must be prevent, detect or handle; got %q", it.Category)
	case !it.Term.Valid():
		return fail.Field("term", "must be short or long; got %q", it.Term)
	case it.Stage != "" && !it.Stage.Valid():
		return fail.Field("stage", "must be team, developer or empty; got %q", it.Stage)
	case it.Owner == "":
		return fail.Field("owner", "is required: every action item has an owner")
	case it.DueAt == nil:
		return fail.Field("due_at", "is required: every action item has a due date")
	case utf8.RuneCountInString(it.TaskForce) > 100:
		return fail.Field("task_force", "is longer than 100 characters")
	}
	if err := checkDue(*it.DueAt, s.now()); err != nil {
		return err
	}
	if err := checkItemText(it); err != nil {
		return err
	}
	return s.checkUser(ctx, "owner", it.Owner)
}

// ItemPatch names the fields of an item to change; nil fields stay.
type ItemPatch struct {
	Title       *string
	Description *string
	Category    *Category
	Term        *Term
	Owner       *string
	DueAt       *time.Time
	Status      *ItemStatus
	TaskForce   *string
}

// UpdateItem changes an action item and records what changed on its
// incident's timeline. A status change of a linked item is passed on to its
// tracker by a job stored in the same transaction.
func (s *Service) UpdateItem(ctx context.Context, by auth.User, id int64, p ItemPatch) (*ActionItem, error) {
	cur, err := s.store.GetItem(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.canChange(ctx, by, cur.IncidentID); fail.CodeOf(err) == fail.NotFound {
		return nil, itemNotFound(id) // as for an item that does not exist
	} else if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	return s.store.UpdateItem(ctx, id, func(it *ActionItem) (*incident.Event, bool, error) {
		changed := map[string]any{}
		set := func(name string, v any) { changed[name] = v }
		if p.Title != nil {
			it.Title = strings.TrimSpace(*p.Title)
			set("title", it.Title)
		}
		if p.Description != nil {
			it.Description = *p.Description
			set("description", "…")
		}
		if p.Category != nil {
			it.Category = *p.Category
			set("category", string(it.Category))
		}
		if p.Term != nil {
			it.Term = *p.Term
			set("term", string(it.Term))
		}
		if p.Owner != nil {
			it.Owner = strings.TrimSpace(*p.Owner)
			set("owner", it.Owner)
		}
		if p.DueAt != nil {
			it.DueAt = utcPtr(p.DueAt)
			set("due_at", it.DueAt.Format(time.RFC3339))
		}
		if p.TaskForce != nil {
			it.TaskForce = strings.TrimSpace(*p.TaskForce)
			set("task_force", it.TaskForce)
		}
		push := false
		if p.Status != nil && *p.Status != it.Status {
			if !p.Status.Valid() {
				return nil, false, fail.Field("status", "must be open, in_progress, done or dropped; got %q", *p.Status)
			}
			set("status", string(*p.Status))
			setStatus(it, *p.Status, now)
			push = it.Link.Key != "" || it.Link.Tracker != ""
		}
		if len(changed) == 0 {
			return nil, false, fail.Field("", "the request changes nothing")
		}
		if err := s.checkItem(ctx, it); err != nil {
			return nil, false, err
		}
		it.UpdatedAt = now
		changed["item"] = it.ID
		changed["item_title"] = it.Title
		return &incident.Event{Kind: EventItemChanged, Actor: by.Name, At: now, IncidentID: it.IncidentID, Data: changed}, push, nil
	})
}

func setStatus(it *ActionItem, st ItemStatus, now time.Time) {
	it.Status = st
	if st.Closed() {
		it.DoneAt = &now
	} else {
		it.DoneAt = nil
	}
}

// GetItem returns one action item whose incident the user may see.
func (s *Service) GetItem(ctx context.Context, by auth.User, id int64) (*ActionItem, error) {
	it, err := s.store.GetItem(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.incidents.Get(ctx, by, it.IncidentID); fail.CodeOf(err) == fail.NotFound {
		return nil, itemNotFound(id)
	} else if err != nil {
		return nil, err
	}
	return it, nil
}

// ListItems returns one page of items whose incidents the user may see,
// oldest first, with the cursor for the next page (0 at the end).
func (s *Service) ListItems(ctx context.Context, by auth.User, f ItemFilter) ([]*ActionItem, int64, error) {
	if f.Limit <= 0 {
		f.Limit = defaultListed
	}
	if f.Limit > maxListed {
		return nil, 0, fail.Field("limit", "must be at most %d", maxListed)
	}
	want := f.Limit
	f.Limit++
	f.VisibleTo = visibleTo(by)
	items, err := s.store.ListItems(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(items) > want {
		items = items[:want]
		next = items[want-1].ID
	}
	items, _, err = s.visible(ctx, by, items)
	return items, next, err
}

// visibleTo is the ItemFilter.VisibleTo for the user: none for an admin,
// who sees every incident.
func visibleTo(by auth.User) string {
	if by.IsAdmin() {
		return ""
	}
	return by.Name
}

// visible drops items of incidents the user may not see, and returns the
// incidents of the rest, read in one batch.
func (s *Service) visible(ctx context.Context, by auth.User, items []*ActionItem) ([]*ActionItem, map[int64]*incident.Incident, error) {
	var ids []int64
	for _, it := range items {
		if !slices.Contains(ids, it.IncidentID) {
			ids = append(ids, it.IncidentID)
		}
	}
	incs, err := s.store.IncidentsByID(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	seen := map[int64]*incident.Incident{}
	for _, inc := range incs {
		if incident.CanSee(by, inc) {
			seen[inc.ID] = inc
		}
	}
	out := []*ActionItem{}
	for _, it := range items {
		if seen[it.IncidentID] != nil {
			out = append(out, it)
		}
	}
	return out, seen, nil
}

// Suggestions returns, per category, the item titles earlier reviews used
// most, for someone adding an item.
func (s *Service) Suggestions(ctx context.Context, category Category) ([]Suggestion, error) {
	cats := Categories
	if category != "" {
		if !category.Valid() {
			return nil, fail.Field("category", "must be prevent, detect or handle; got %q", category)
		}
		cats = []Category{category}
	}
	out := []Suggestion{}
	for _, c := range cats {
		// A vague title is never offered for reuse, however often it was
		// written: ask for more than are shown, and keep the concrete ones.
		sg, err := s.store.CommonItems(ctx, c, 4*suggestionsShown)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, g := range sg {
			if n < suggestionsShown && !s.vague.IsVague(g.Title) {
				out = append(out, g)
				n++
			}
		}
	}
	return out, nil
}

// suggestionsShown is how many earlier titles each category offers.
const suggestionsShown = 5

// itemNotFound is the answer about an item that does not exist, and about
// one whose incident the user may not see.
func itemNotFound(id int64) error { return fail.New(fail.NotFound, "action item %d not found", id) }
