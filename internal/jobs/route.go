package jobs

import (
	"context"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// RouteSignalsArgs asks for a routing run over unrouted signals.
type RouteSignalsArgs struct {
	// After, when set, names a routing run that was already running when
	// signals were stored: it may have read the unrouted signals before
	// them, and as a running job it keeps an identical insert out until its
	// completion is written. The follow-up is unique per run it follows,
	// and waits for it (singleton kinds run one at a time, unique.go).
	After int64 `json:"after,omitempty"`
}

// Kind names the job in the queue.
func (RouteSignalsArgs) Kind() string { return "intake.route" }

// InsertOpts keeps at most one routing run waiting: a storm of accepted
// batches asks for routing many times, one run serves them all. Uniqueness
// also means one router at a time across replicas, so two signals of a new
// group cannot each declare an incident.
func (RouteSignalsArgs) InsertOpts() river.InsertOpts { return singleton() }

// QueueRouting asks for a routing run over the signals stored so far. A
// run already waiting will read them. A run already running may have read
// the unrouted signals before them, and keeps an identical insert out
// until its completion is written; it is followed by one more run, or the
// signals would wait for the periodic catch-up.
func QueueRouting(ctx context.Context, client *Client) error {
	res, err := client.Insert(ctx, RouteSignalsArgs{}, nil)
	if err == nil && res.UniqueSkippedAsDuplicate && res.Job.State == rivertype.JobStateRunning {
		_, err = client.Insert(ctx, RouteSignalsArgs{After: res.Job.ID}, nil)
	}
	return err
}

// Router routes signals.
type Router interface {
	RouteAll(ctx context.Context) (int, error)
}

// RouteSignalsWorker runs the router.
type RouteSignalsWorker struct {
	river.WorkerDefaults[RouteSignalsArgs]
	Router Router
}

// Work runs one routing pass.
func (w *RouteSignalsWorker) Work(ctx context.Context, _ *river.Job[RouteSignalsArgs]) error {
	_, err := w.Router.RouteAll(ctx)
	return err
}
