package jobs

import (
	"context"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/firebreak-oss/firebreak/internal/store"
)

// singleton keeps at most one job of a kind (and arguments) waiting or
// running: a burst of requests for the same run, or a replica restarting,
// does not pile up duplicates. Its jobs are also worked one at a time
// (exclusive below): a periodic insert is unique by period instead
// (periodic.go), and River may rescue a job whose worker still runs, so
// the insert's uniqueness alone cannot promise it.
func singleton() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// singletonKinds are the kinds inserted with singleton(). Their workers
// assume no second run of the same kind at once: two routing runs could
// each declare an incident for one new group. A kind added to singleton()
// belongs here too.
var singletonKinds = map[string]bool{
	RouteSignalsArgs{}.Kind():    true,
	StaleCheckArgs{}.Kind():      true,
	RecurrenceCheckArgs{}.Kind(): true,
	FlagLeftArgs{}.Kind():        true,
	TrackerPollArgs{}.Kind():     true,
	ReviewSweepArgs{}.Kind():     true,
}

// exclusive works a singleton kind's job under a lock named by its kind,
// across replicas; a second run waits for the first, then runs. The lock
// ignores the arguments: a routing follow-up (RouteSignalsArgs.After) must
// wait for the run it follows, and recurrence checks are short.
type exclusive struct {
	river.MiddlewareDefaults
	db *store.DB
}

func (e *exclusive) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	if !singletonKinds[job.Kind] {
		return doInner(ctx)
	}
	return e.db.Exclusive(ctx, "job:"+job.Kind, doInner)
}
