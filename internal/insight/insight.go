// Package insight measures how incidents are found and handled, from the
// data Firebreak already holds: time to detect, acknowledge, mitigate and
// resolve (median and p90) by grade, service, team, cause tag and detection
// source; incident counts by grade over time; how often incidents recur;
// how action items get done; and whether reviews are held in time.
//
// The store hands over one compact row per incident (and per action item
// and review) of the period, already narrowed to what the viewer may see;
// the measures are computed here, the same way for SQLite and PostgreSQL.
package insight

import (
	"context"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// IncidentRow is what the measures need of one incident.
type IncidentRow struct {
	ID             int64
	Grade          incident.Grade
	Services       []string
	CauseTags      []string
	StartedAt      time.Time
	DetectedAt     time.Time
	AcknowledgedAt *time.Time
	MitigatedAt    *time.Time
	ResolvedAt     *time.Time
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

// ReviewRow is one review stage of an incident that was resolved.
type ReviewRow struct {
	IncidentID int64
	Stage      string
	ResolvedAt time.Time
	HeldAt     *time.Time
}

// ItemCounts are the action items opened in a period, done in it, done in
// it with a due date, and done by that date.
type ItemCounts struct {
	Opened, Done, DoneDue, DoneOnTime int
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

// Store reads the rows of a period.
type Store interface {
	InsightIncidents(ctx context.Context, f Filter) ([]IncidentRow, error)
	InsightItemCounts(ctx context.Context, f Filter) (ItemCounts, error)
	InsightItems(ctx context.Context, f Filter) ([]ItemRow, error)
	InsightReviews(ctx context.Context, f Filter) ([]ReviewRow, error)
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
