// Package review holds what happens after an incident: the two-stage
// retrospective (the team review, then the cross-team developer review),
// categorised action items with owners and due dates, the vague-item check,
// recurrence detection and the suggestions drawn from earlier reviews. It
// knows no HTTP and no SQL; trackers and mail sit behind small interfaces.
package review

import (
	"time"
)

// Stage is one of the two retrospectives an incident may need.
type Stage string

// The stages, in the order they are held.
const (
	TeamStage      Stage = "team"      // the owning team's own review
	DeveloperStage Stage = "developer" // the cross-team developer review
)

// Stages lists every stage in order.
var Stages = []Stage{TeamStage, DeveloperStage}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return s == TeamStage || s == DeveloperStage }

// Narrative tells the incident as a scenario: what the situation was, why the
// work that set it off was done, how one event led to the next, and what it
// cost. Blameless: it is about the system, not about a person.
type Narrative struct {
	Background string `json:"background"`
	Trigger    string `json:"trigger"` // why the triggering work was done
	Chain      string `json:"chain"`   // how the events connected
	Impact     string `json:"impact"`
}

// Retrospective is one stage's review meeting of one incident.
type Retrospective struct {
	IncidentID  int64      `json:"-"`
	Stage       Stage      `json:"stage"`
	ScheduledAt *time.Time `json:"scheduled_at"`
	Facilitator string     `json:"facilitator"`
	Attendees   []string   `json:"attendees"`
	Notes       string     `json:"notes"`
	Narrative   Narrative  `json:"narrative"`
	// HeldAt is set when the review has taken place; only a held stage
	// counts towards closing the incident.
	HeldAt    *time.Time `json:"held_at"`
	UpdatedBy string     `json:"updated_by"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Category says what an action item improves.
type Category string

// The three categories of action item.
const (
	Prevent Category = "prevent" // prevent recurrence
	Detect  Category = "detect"  // detect sooner
	Handle  Category = "handle"  // handle better
)

// Categories lists every category.
var Categories = []Category{Prevent, Detect, Handle}

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return c == Prevent || c == Detect || c == Handle }

// Term says how long an action item is expected to take.
type Term string

// The terms.
const (
	Short Term = "short"
	Long  Term = "long"
)

// Valid reports whether t is a known term.
func (t Term) Valid() bool { return t == Short || t == Long }

// ItemStatus is where an action item stands.
type ItemStatus string

// The statuses of an action item. Done and dropped are final unless the item
// is reopened (by hand or by its tracker).
const (
	ItemOpen       ItemStatus = "open"
	ItemInProgress ItemStatus = "in_progress"
	ItemDone       ItemStatus = "done"
	ItemDropped    ItemStatus = "dropped"
)

// Valid reports whether s is a known status.
func (s ItemStatus) Valid() bool {
	return s == ItemOpen || s == ItemInProgress || s == ItemDone || s == ItemDropped
}

// Closed reports whether no more work is expected.
func (s ItemStatus) Closed() bool { return s == ItemDone || s == ItemDropped }

// Tracker names an issue tracker an item may be synced to.
type Tracker string

// The trackers Firebreak syncs with.
const (
	Jira   Tracker = "jira"
	GitHub Tracker = "github"
)

// Valid reports whether t is a known tracker.
func (t Tracker) Valid() bool { return t == Jira || t == GitHub }

// TrackerLink is an item's issue in a tracker and the state of its sync.
type TrackerLink struct {
	Tracker Tracker `json:"tracker"`
	Key     string  `json:"key"` // "OPS-12", or a GitHub issue number
	URL     string  `json:"url"`
	// State is the issue's own status as last seen ("To Do", "closed").
	State string `json:"state"`
	// Error is the last sync failure, kept until a sync succeeds; the sync
	// job keeps retrying meanwhile.
	Error    string     `json:"error"`
	SyncedAt *time.Time `json:"synced_at"`
	// Pending counts the item's status changes not yet passed to the
	// tracker. While any are, the tracker's status is older than the item's
	// and is not taken over.
	Pending int `json:"pending"`
}

// ActionItem is one piece of follow-up work from an incident.
type ActionItem struct {
	ID          int64      `json:"id"`
	IncidentID  int64      `json:"-"`
	Stage       Stage      `json:"stage,omitempty"` // the review it came from, if any
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Category    Category   `json:"category"`
	Term        Term       `json:"term"`
	Owner       string     `json:"owner"`
	DueAt       *time.Time `json:"due_at"`
	Status      ItemStatus `json:"status"`
	// TaskForce groups long-term items that one named group carries.
	TaskForce string      `json:"task_force"`
	Link      TrackerLink `json:"tracker"`
	CreatedBy string      `json:"created_by"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
	DoneAt    *time.Time  `json:"done_at"`
}

// Overdue reports whether the item is open past its due date.
func (a *ActionItem) Overdue(now time.Time) bool {
	return !a.Status.Closed() && a.DueAt != nil && now.After(*a.DueAt)
}
