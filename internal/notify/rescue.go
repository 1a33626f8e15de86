package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// RescueArgs asks for a look for deliveries whose worker died.
type RescueArgs struct{}

// Kind names the job in the queue.
func (RescueArgs) Kind() string { return "notify.rescue" }

// InsertOpts keeps at most one look waiting.
func (RescueArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// RescueEvery is how often the elected leader looks for dead deliveries.
const RescueEvery = 15 * time.Second

// stuckAfter is when a running delivery cannot be alive any more: its
// worker would have given up at deliverTimeout. The queue's own rescue of
// stuck jobs waits much longer, too long for telling people of an incident.
const stuckAfter = deliverTimeout + 10*time.Second

// RescueWorker returns the worker that re-enqueues the delivery of every
// message whose delivery job is still "running" long after any worker would
// have finished it: a server that was killed mid-delivery. The message may
// then go out twice (the receiver sees the same idempotency key), never not
// at all.
func (o *Outbox) RescueWorker() river.Worker[RescueArgs] { return &rescueWorker{o: o} }

type rescueWorker struct {
	river.WorkerDefaults[RescueArgs]
	o *Outbox
}

func (w *rescueWorker) Work(ctx context.Context, _ *river.Job[RescueArgs]) error {
	client, err := river.ClientFromContextSafely[*sql.Tx](ctx)
	if err != nil {
		return err
	}
	_, err = w.o.rescue(ctx, client)
	return err
}

// jobClient is the part of the queue client a rescue uses.
type jobClient interface {
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// rescue re-enqueues dead deliveries and returns how many.
func (o *Outbox) rescue(ctx context.Context, client jobClient) (int, error) {
	res, err := client.JobList(ctx, river.NewJobListParams().Kinds(DeliverArgs{}.Kind()).
		States(rivertype.JobStateRunning).First(500))
	if err != nil {
		return 0, fmt.Errorf("list running deliveries: %w", err)
	}
	n := 0
	cutoff := o.Now().Add(-stuckAfter)
	for _, job := range res.Jobs {
		if job.AttemptedAt == nil || job.AttemptedAt.After(cutoff) {
			continue
		}
		var args DeliverArgs
		if err := json.Unmarshal(job.EncodedArgs, &args); err != nil {
			continue
		}
		m, err := o.store.Message(ctx, args.MessageID)
		if err != nil || m.Status != Pending {
			continue
		}
		r, err := client.Insert(ctx, DeliverArgs{MessageID: args.MessageID, Rescues: job.ID}, nil)
		if err != nil {
			return n, fmt.Errorf("rescue delivery of message %d: %w", args.MessageID, err)
		}
		if !r.UniqueSkippedAsDuplicate {
			o.Log.Warn("delivery rescued after its worker died", "message", args.MessageID, "job", job.ID)
			n++
		}
	}
	return n, nil
}
