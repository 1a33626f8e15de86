package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// A job that snoozes briefly (a delivery waiting for its channel's rate
// limit slot) stays "available" with a start time a moment ahead, and
// nothing tells the workers when that moment comes: they would find it at
// their next poll, seconds later. snoozeWaker sends the same notification an
// insert sends when the snooze ends, so the job runs on time while idle
// queues poll rarely.

// snoozeWakeMax is the longest snooze woken this way. Longer ones are made
// "scheduled" by River and released by its scheduler, which notifies.
const snoozeWakeMax = 5 * time.Second

type snoozeWaker struct {
	river.HookDefaults
	exec riverdriver.Executor
}

var _ rivertype.HookWorkEnd = (*snoozeWaker)(nil)

// WorkEnd passes the job's result on unchanged.
func (h *snoozeWaker) WorkEnd(_ context.Context, job *rivertype.JobRow, err error) error {
	var snooze *rivertype.JobSnoozeError
	if !errors.As(err, &snooze) || snooze.Duration > snoozeWakeMax {
		return err
	}
	queue := job.Queue
	// A little after the start time, so the fetch finds the job due.
	time.AfterFunc(snooze.Duration+10*time.Millisecond, func() { h.wake(queue) })
	return err
}

func (h *snoozeWaker) wake(queue string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// A failure (the database closed with the server) costs one poll.
	_ = h.exec.NotifyMany(ctx, &riverdriver.NotifyManyParams{
		Topic:   "river_insert", // River's insert notification topic
		Payload: []string{fmt.Sprintf(`{"queue": %q}`, queue)},
	})
}
