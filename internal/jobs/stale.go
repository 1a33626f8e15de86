package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// StaleCheckArgs asks for a check of open incidents that have gone without an
// update for longer than their grade allows.
type StaleCheckArgs struct{}

// Kind names the job in the queue.
func (StaleCheckArgs) Kind() string { return "incident.stale_check" }

// InsertOpts keeps at most one pending check: a replica that restarts does not
// pile up duplicates.
func (StaleCheckArgs) InsertOpts() river.InsertOpts { return singleton() }

// OverdueStore is what the stale check needs from the store.
type OverdueStore interface {
	ListIncidents(ctx context.Context, f incident.Filter) ([]*incident.Incident, error)
	LatestEvent(ctx context.Context, incidentID int64, kind incident.EventKind) (*incident.Event, error)
	AppendEvent(ctx context.Context, ev *incident.Event) error
}

// StaleCheckWorker flags open incidents whose last update is older than their
// grade's update interval, once per silence: the flag goes on the timeline.
type StaleCheckWorker struct {
	river.WorkerDefaults[StaleCheckArgs]
	Incidents OverdueStore
	Now       func() time.Time
}

// staleBatch bounds one run; the next run picks up the rest.
const staleBatch = 500

// Work runs one check.
func (w *StaleCheckWorker) Work(ctx context.Context, _ *river.Job[StaleCheckArgs]) error {
	_, err := FlagOverdue(ctx, w.Incidents, w.Now())
	return err
}

// FlagOverdue appends an update_overdue event to every open incident that is
// overdue and not yet flagged since its last update, and returns how many it
// flagged.
func FlagOverdue(ctx context.Context, s OverdueStore, now time.Time) (int, error) {
	open, err := s.ListIncidents(ctx, incident.Filter{
		Statuses: []incident.Status{incident.Investigating, incident.Identified, incident.Monitoring},
		SeeAll:   true, Limit: staleBatch,
	})
	if err != nil {
		return 0, err
	}
	flagged := 0
	for _, inc := range open {
		if !incident.UpdateOverdue(inc, now) {
			continue
		}
		last, err := s.LatestEvent(ctx, inc.ID, incident.EventUpdateOverdue)
		if err != nil {
			return flagged, err
		}
		if last != nil && !last.At.Before(inc.UpdatedAt) {
			continue // already flagged for this silence
		}
		ev := incident.OverdueEvent(inc, now)
		if err := s.AppendEvent(ctx, &ev); err != nil {
			return flagged, err
		}
		flagged++
	}
	return flagged, nil
}
