package jobs

import (
	"context"

	"github.com/riverqueue/river"
)

// InsightDigestArgs asks for a digest run: each team lead whose monthly
// digest is due and not yet stored gets it through the outbox.
type InsightDigestArgs struct{}

// Kind names the job in the queue.
func (InsightDigestArgs) Kind() string { return "insights.digest" }

// InsertOpts keeps at most one pending run.
func (InsightDigestArgs) InsertOpts() river.InsertOpts { return ReportRemindArgs{}.InsertOpts() }

// InsightDigestWorker runs the digests. Periodic jobs run on the leader
// only, and the outbox key per team and month makes a second run harmless.
type InsightDigestWorker struct {
	river.WorkerDefaults[InsightDigestArgs]
	Send func(ctx context.Context) (int, error)
}

// Work runs one digest pass.
func (w *InsightDigestWorker) Work(ctx context.Context, _ *river.Job[InsightDigestArgs]) error {
	_, err := w.Send(ctx)
	return err
}
