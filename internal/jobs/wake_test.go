package jobs_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/store"
)

type wakeArgs struct{ N int }

func (wakeArgs) Kind() string { return "test_wake" }

type wakeWorker struct {
	river.WorkerDefaults[wakeArgs]
	done atomic.Int64
}

func (w *wakeWorker) Work(context.Context, *river.Job[wakeArgs]) error {
	w.done.Add(1)
	return nil
}

// TestInsertWakesTheWorkers: with the poll an hour apart, jobs inserted
// alone, inside a committed transaction, and (on PostgreSQL) by another
// client, as another replica would, all run: only the insert's notification
// can have woken the workers. A job of a rolled-back transaction never runs.
func TestInsertWakesTheWorkers(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := &wakeWorker{}
		client, err := jobs.New(db, time.Now, jobs.Config{
			PollInterval:    time.Hour,
			StaleCheckEvery: time.Hour,
			Register:        func(ws *river.Workers) { river.AddWorker(ws, w) },
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = client.Stop(context.Background()) })
		// The first fetch at start is not a wake-up; let it pass.
		time.Sleep(time.Second)

		if _, err := client.Insert(ctx, wakeArgs{N: 1}, nil); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the job inserted alone to run", func() bool { return w.done.Load() == 1 })

		tx, err := db.SQL.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.InsertTx(ctx, tx, wakeArgs{N: 2}, nil); err != nil {
			t.Fatal(err)
		}
		// Still uncommitted: the workers must not find it yet, and must
		// find it once it commits.
		time.Sleep(300 * time.Millisecond)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the job inserted in a transaction to run", func() bool { return w.done.Load() == 2 })

		tx, err = db.SQL.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.InsertTx(ctx, tx, wakeArgs{N: 3}, nil); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}

		if db.Dialect == store.Postgres {
			// A second client that works no queue stands for another replica.
			other, err := jobs.New(db, time.Now, jobs.Config{PollInterval: time.Hour,
				Register: func(ws *river.Workers) { river.AddWorker(ws, &wakeWorker{}) }})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := other.Insert(ctx, wakeArgs{N: 4}, nil); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the job another client inserted to run", func() bool { return w.done.Load() == 3 })
		}
		time.Sleep(500 * time.Millisecond)
		want := int64(2)
		if db.Dialect == store.Postgres {
			want = 3
		}
		if got := w.done.Load(); got != want {
			t.Fatalf("%d jobs ran, want %d (the rolled-back one must not)", got, want)
		}
	})
}

type snoozeArgs struct{}

func (snoozeArgs) Kind() string { return "test_snooze" }

type snoozeWorker struct {
	river.WorkerDefaults[snoozeArgs]
	tries atomic.Int64
}

func (w *snoozeWorker) Work(context.Context, *river.Job[snoozeArgs]) error {
	if w.tries.Add(1) == 1 {
		return river.JobSnooze(300 * time.Millisecond) // as a delivery waiting for its rate-limit slot
	}
	return nil
}

// TestShortSnoozeWakesTheWorkers: a job that snoozes for a moment runs again
// when the snooze ends, though the workers poll only once an hour.
func TestShortSnoozeWakesTheWorkers(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := &snoozeWorker{}
		client, err := jobs.New(db, time.Now, jobs.Config{
			PollInterval: time.Hour, StaleCheckEvery: time.Hour,
			Register: func(ws *river.Workers) { river.AddWorker(ws, w) },
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = client.Stop(context.Background()) })
		time.Sleep(time.Second)
		if _, err := client.Insert(ctx, snoozeArgs{}, nil); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the snoozed job to run again", func() bool { return w.tries.Load() == 2 })
	})
}
