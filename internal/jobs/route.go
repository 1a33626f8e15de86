package jobs

import (
	"context"

	"github.com/riverqueue/river"
)

// RouteSignalsArgs asks for a routing run over unrouted signals.
type RouteSignalsArgs struct{}

// Kind names the job in the queue.
func (RouteSignalsArgs) Kind() string { return "intake.route" }

// InsertOpts keeps at most one routing run waiting: a storm of accepted
// batches asks for routing many times, one run serves them all. Uniqueness
// also means one router at a time across replicas, so two signals of a new
// group cannot each declare an incident.
func (RouteSignalsArgs) InsertOpts() river.InsertOpts { return singleton() }

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
