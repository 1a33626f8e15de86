package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// TrackerSyncArgs asks to file an action item's issue ("create") or to pass
// its status on ("push"). It is stored in the transaction that changed the
// item, so the intent survives a crash before the tracker is called.
type TrackerSyncArgs struct {
	ItemID int64  `json:"item_id"`
	Op     string `json:"op"`
}

// Kind names the job in the queue.
func (TrackerSyncArgs) Kind() string { return "review.tracker_sync" }

// TrackerSyncer is what the tracker jobs call (review.Syncer).
type TrackerSyncer interface {
	Create(ctx context.Context, itemID int64) error
	Push(ctx context.Context, itemID int64) error
	Poll(ctx context.Context) (int, error)
}

// TrackerSyncWorker runs tracker sync jobs; a failure is retried with
// backoff, and the item shows the error meanwhile.
type TrackerSyncWorker struct {
	river.WorkerDefaults[TrackerSyncArgs]
	Syncer TrackerSyncer
}

// Work runs one sync.
func (w *TrackerSyncWorker) Work(ctx context.Context, j *river.Job[TrackerSyncArgs]) error {
	switch j.Args.Op {
	case "create":
		return w.Syncer.Create(ctx, j.Args.ItemID)
	case "push":
		return w.Syncer.Push(ctx, j.Args.ItemID)
	}
	return river.JobCancel(fmt.Errorf("unknown tracker sync op %q", j.Args.Op))
}

// singleton keeps at most one such job waiting or running.
func singleton() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// TrackerPollArgs asks for a poll of linked issues, for the changes a
// webhook did not bring.
type TrackerPollArgs struct{}

// Kind names the job in the queue.
func (TrackerPollArgs) Kind() string { return "review.tracker_poll" }

// InsertOpts keeps one poll at a time.
func (TrackerPollArgs) InsertOpts() river.InsertOpts { return singleton() }

// TrackerPollWorker polls the trackers.
type TrackerPollWorker struct {
	river.WorkerDefaults[TrackerPollArgs]
	Syncer TrackerSyncer
}

// Work runs one poll.
func (w *TrackerPollWorker) Work(ctx context.Context, _ *river.Job[TrackerPollArgs]) error {
	_, err := w.Syncer.Poll(ctx)
	return err
}

// ReviewSweepArgs asks for the review's periodic work: reminders and
// escalations of action items, and recurrence detection on recently
// changed incidents.
type ReviewSweepArgs struct{}

// Kind names the job in the queue.
func (ReviewSweepArgs) Kind() string { return "review.sweep" }

// InsertOpts keeps one sweep at a time.
func (ReviewSweepArgs) InsertOpts() river.InsertOpts { return singleton() }

// ReviewSweeper is what the sweep calls (review.Service).
type ReviewSweeper interface {
	SendDueNotices(ctx context.Context, now time.Time) (int, error)
	DetectRecent(ctx context.Context, since, now time.Time) (int, error)
}

// ReviewSweepWorker runs the sweep. Recurrence looks at incidents changed
// in the last Window, many sweeps' worth, so a late or missed run loses
// nothing; matches already stored are not recorded twice.
type ReviewSweepWorker struct {
	river.WorkerDefaults[ReviewSweepArgs]
	Review ReviewSweeper
	Now    func() time.Time
	Window time.Duration
}

// Work runs one sweep.
func (w *ReviewSweepWorker) Work(ctx context.Context, _ *river.Job[ReviewSweepArgs]) error {
	now := w.Now()
	if _, err := w.Review.SendDueNotices(ctx, now); err != nil {
		return err
	}
	_, err := w.Review.DetectRecent(ctx, now.Add(-w.Window), now)
	return err
}
