// Package insight measures how incidents are found and handled, from the
// data Firebreak already holds: time to detect, acknowledge, mitigate and
// resolve (median and p90) by grade, service, team, cause tag and detection
// source; incident counts by grade over time; how often incidents recur;
// how action items get done; and whether reviews are held in time.
//
// The store hands over one narrow row per incident of the period (durations
// as integers, from a table kept current with every change to the
// incident), SQL aggregates of the action items, and the review stages, all
// narrowed to what the viewer may see; the percentiles are computed here,
// the same way for SQLite and PostgreSQL.
package insight

import (
	"context"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// IncidentRow is what the measures need of one incident: the store keeps
// it as a narrow row of integers (the insight facts), written with every
// change to the incident.
type IncidentRow struct {
	ID        int64
	Grade     incident.Grade
	Services  []string
	CauseTags []string
	StartedAt time.Time
	// Took is the incident's duration of each measure, in the order of
	// Measures, in whole seconds; Has says which it has (no end time yet,
	// or times out of order, and the measure leaves it out).
	Took [4]time.Duration
	Has  [4]bool
	// Detection is how the incident was found; empty when never said.
	Detection incident.Detection
	// Recurs is set when the incident is linked to an earlier one.
	Recurs bool
}

// ItemRow is what the measures need of one action item.
type ItemRow struct {
	ID         int64
	IncidentID int64
	Title      string
	Owner      string
	Category   string
	Term       string
	Status     string
	CreatedAt  time.Time
	DueAt      *time.Time
	DoneAt     *time.Time
}

// ReviewCounts are the review stages of the incidents resolved in a
// period: all of them, those held, and those held in time.
type ReviewCounts struct {
	Stages, Held, InTime int
}

// ItemCounts are the action items opened in a period, done in it, done in
// it with a due date, and done by that date.
type ItemCounts struct {
	Opened, Done, DoneDue, DoneOnTime int
}

// OpenItem is what the measures need of an action item still open (open or
// in progress): the store reads one such narrow row per item, and the
// groups, median ages and lists are worked out here.
type OpenItem struct {
	ID             int64
	Term, Category string
	CreatedAt      time.Time
	DueAt          *time.Time
}

// Filter narrows what the store returns. Incidents are those started in
// [From, To); items those still open and created before To; reviews those
// of incidents resolved in it.
type Filter struct {
	From, To time.Time
	Grades   []incident.Grade
	// Services keeps incidents touching any of them (a team's services, or
	// the one asked for); nil keeps all.
	Services []string
	// Viewer sees restricted incidents only where a member; SeeAll sees all.
	Viewer string
	SeeAll bool
	// Limit bounds the rows of each kind.
	Limit int
}

// Store reads the rows of a period. The incident, item and review rows are
// narrowed to what the viewer may see in the query itself.
type Store interface {
	InsightIncidents(ctx context.Context, f Filter) ([]IncidentRow, error)
	InsightItemCounts(ctx context.Context, f Filter) (ItemCounts, error)
	// InsightOpenItems returns the items still open and created before the
	// period's end, of the incidents the filter keeps, in no order.
	InsightOpenItems(ctx context.Context, f Filter) ([]OpenItem, error)
	// InsightItems returns the items with the given ids, in no order.
	InsightItems(ctx context.Context, ids []int64) ([]ItemRow, error)
	InsightReviews(ctx context.Context, f Filter, within time.Duration) (ReviewCounts, error)
}

// MaxRows bounds each kind of row read for one question; a period with more
// is measured on the first MaxRows and says so (Report.Truncated).
const MaxRows = 50000

// detectionSource names how an incident was detected, for grouping. It is
// kept in one place so the detection source field (issue #16) is read here
// once it exists; until then every incident is "unknown".
func detectionSource(r IncidentRow) string {
	if r.Detection == incident.Unknown {
		return "unknown"
	}
	return string(r.Detection)
}
