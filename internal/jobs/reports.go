package jobs

import (
	"context"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// ReportRemindArgs asks for a reminder run: owners of reports with TBD
// sections or an overdue first report are e-mailed.
type ReportRemindArgs struct{}

// Kind names the job in the queue.
func (ReportRemindArgs) Kind() string { return "report.remind" }

// InsertOpts keeps at most one pending run.
func (ReportRemindArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		"available", "pending", "running", "retryable", "scheduled",
	}}}
}

// ReportRemindWorker runs the reminders.
type ReportRemindWorker struct {
	river.WorkerDefaults[ReportRemindArgs]
	Remind func(ctx context.Context) (int, error)
}

// Work runs one reminder pass.
func (w *ReportRemindWorker) Work(ctx context.Context, _ *river.Job[ReportRemindArgs]) error {
	_, err := w.Remind(ctx)
	return err
}

// SearchBackfillArgs asks for incidents that predate the search index to be
// indexed.
type SearchBackfillArgs struct{}

// Kind names the job in the queue.
func (SearchBackfillArgs) Kind() string { return "search.backfill" }

// InsertOpts keeps at most one pending run.
func (SearchBackfillArgs) InsertOpts() river.InsertOpts { return ReportRemindArgs{}.InsertOpts() }

// SearchIndexer is what the backfill needs from the search index.
type SearchIndexer interface {
	Unindexed(ctx context.Context, limit int) ([]int64, error)
	Reindex(ctx context.Context, ids []int64) error
}

// SearchBackfillWorker indexes a batch of unindexed incidents per run.
type SearchBackfillWorker struct {
	river.WorkerDefaults[SearchBackfillArgs]
	Index SearchIndexer
}

// backfillBatch bounds one run; later runs take the rest.
const backfillBatch = 500

// Work indexes one batch.
func (w *SearchBackfillWorker) Work(ctx context.Context, _ *river.Job[SearchBackfillArgs]) error {
	ids, err := w.Index.Unindexed(ctx, backfillBatch)
	if err != nil || len(ids) == 0 {
		return err
	}
	return w.Index.Reindex(ctx, ids)
}
