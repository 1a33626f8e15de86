package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// RecurrenceCheckArgs asks for one incident to be compared with earlier
// ones. It is stored in the transaction that declared or changed the
// incident (or its report), so the check is never lost; one waits per
// incident at a time, and a rerun stores no match twice.
type RecurrenceCheckArgs struct {
	IncidentID int64 `json:"incident_id"`
}

// Kind names the job in the queue.
func (RecurrenceCheckArgs) Kind() string { return "review.recurrence" }

// InsertOpts keeps one check per incident waiting or running: changes made
// while one waits are seen by it, as it reads the incident when it runs. A
// change made while one runs is left to the periodic sweep, which checks
// every incident changed since its last check.
func (RecurrenceCheckArgs) InsertOpts() river.InsertOpts { return singleton() }

// RecurrenceChecker is what the check calls (review.Service).
type RecurrenceChecker interface {
	CheckRecurrence(ctx context.Context, incidentID int64, now time.Time) error
}

// RecurrenceCheckWorker runs the check.
type RecurrenceCheckWorker struct {
	river.WorkerDefaults[RecurrenceCheckArgs]
	Review RecurrenceChecker
	Now    func() time.Time
}

// Work runs one check.
func (w *RecurrenceCheckWorker) Work(ctx context.Context, j *river.Job[RecurrenceCheckArgs]) error {
	return w.Review.CheckRecurrence(ctx, j.Args.IncidentID, w.Now())
}
