package jobs_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// startRunner opens and starts a runner that pauses after a moment without
// work and never polls within a test: whatever wakes it is what the test
// is about.
func startRunner(t *testing.T, db *store.DB, cfg jobs.Config) *jobs.Runner {
	t.Helper()
	cfg.PollInterval = time.Hour
	cfg.IdleAfter = 100 * time.Millisecond
	if cfg.StaleCheckEvery == 0 {
		cfg.StaleCheckEvery = time.Hour
	}
	r, err := jobs.Open(db, time.Now, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := r.Stop(ctx); err != nil {
			t.Errorf("stop the runner: %v", err)
		}
	})
	return r
}

// waitPaused waits until the runner's client is stopped for the n-th time.
func waitPaused(t *testing.T, r *jobs.Runner, n int) {
	t.Helper()
	waitFor(t, "the job queue to pause", func() bool {
		paused, pauses := r.Paused()
		return paused && pauses >= n
	})
}

// TestPausedRunnerWakesOnInsert: once the queue has paused for want of work
// (its poll an hour away), a job inserted alone, one inserted in a committed
// transaction and, on PostgreSQL, one inserted by another client (another
// replica) each start it again and run; and it pauses again after each.
func TestPausedRunnerWakesOnInsert(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := &wakeWorker{}
		r := startRunner(t, db, jobs.Config{Register: func(ws *river.Workers) { river.AddWorker(ws, w) }})
		waitPaused(t, r, 1)

		inserted := time.Now()
		if _, err := r.Client.Insert(ctx, wakeArgs{N: 1}, nil); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the job inserted while paused to run", func() bool { return w.done.Load() == 1 })
		t.Logf("inserted while paused to run: %s", time.Since(inserted).Round(time.Millisecond))
		waitPaused(t, r, 2)

		tx, err := db.SQL.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Client.InsertTx(ctx, tx, wakeArgs{N: 2}, nil); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the job inserted in a transaction to run", func() bool { return w.done.Load() == 2 })
		waitPaused(t, r, 3)

		if db.Dialect == store.Postgres {
			other, err := jobs.New(db, time.Now, jobs.Config{PollInterval: time.Hour,
				Register: func(ws *river.Workers) { river.AddWorker(ws, &wakeWorker{}) }})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := other.Insert(ctx, wakeArgs{N: 3}, nil); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the job another client inserted to run", func() bool { return w.done.Load() == 3 })
			waitPaused(t, r, 4)
		}
	})
}

type laterArgs struct{}

func (laterArgs) Kind() string { return "test_later" }

// laterWorker fails its first try, snoozes its second and succeeds the
// third, noting how many times the queue had paused at each.
type laterWorker struct {
	river.WorkerDefaults[laterArgs]
	r *jobs.Runner

	mu     sync.Mutex
	pauses []int
}

func (w *laterWorker) Work(context.Context, *river.Job[laterArgs]) error {
	_, pauses := w.r.Paused()
	w.mu.Lock()
	w.pauses = append(w.pauses, pauses)
	try := len(w.pauses)
	w.mu.Unlock()
	switch try {
	case 1:
		return errTryAgain
	case 2:
		return river.JobSnooze(1500 * time.Millisecond)
	}
	return nil
}

func (w *laterWorker) tries() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]int(nil), w.pauses...)
}

type tryAgain struct{}

func (tryAgain) Error() string { return "try again" }

var errTryAgain error = tryAgain{}

// retrySoon retries a failed job after 1.5 s.
type retrySoon struct{}

func (retrySoon) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(1500 * time.Millisecond)
}

// TestPausedRunnerRunsJobsWhenDue: a job retried after a failure and then
// snoozed runs on time though the queue paused in between each time, its
// poll an hour away; so does a job inserted to run a moment later.
func TestPausedRunnerRunsJobsWhenDue(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := &laterWorker{}
		ww := &wakeWorker{}
		r := startRunner(t, db, jobs.Config{RetryPolicy: retrySoon{}, Register: func(ws *river.Workers) {
			river.AddWorker(ws, w)
			river.AddWorker(ws, ww)
		}})
		w.r = r
		waitPaused(t, r, 1)
		if _, err := r.Client.Insert(ctx, laterArgs{}, nil); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the retried and snoozed job to succeed", func() bool { return len(w.tries()) == 3 })
		p := w.tries()
		if !(p[0] < p[1] && p[1] < p[2]) {
			t.Errorf("pauses seen at each try: %v; the queue should have paused before the retry and the snooze", p)
		}

		waitPaused(t, r, p[2]+1)
		_, before := r.Paused()
		if _, err := r.Client.Insert(ctx, wakeArgs{N: 1}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Second)}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the job scheduled a second ahead to run", func() bool { return ww.done.Load() == 1 })
		if _, after := r.Paused(); after != before {
			t.Errorf("the queue paused %d times while the scheduled job waited; it should have stayed paused until it was due", after-before)
		}
	})
}

type tickArgs struct{}

func (tickArgs) Kind() string { return "test_tick" }

type tickWorker struct {
	river.WorkerDefaults[tickArgs]
	done atomic.Int64
}

func (w *tickWorker) Work(context.Context, *river.Job[tickArgs]) error {
	w.done.Add(1)
	return nil
}

// TestPeriodicJobsRunOncePerPeriod: a job every second is inserted once per
// period however many runners (replicas, on PostgreSQL) insert it, and runs
// while the queues pause in between.
func TestPeriodicJobsRunOncePerPeriod(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		w := &tickWorker{}
		cfg := jobs.Config{
			Register: func(ws *river.Workers) { river.AddWorker(ws, w); river.AddWorker(ws, &wakeWorker{}) },
			Periodic: []jobs.Periodic{
				jobs.NewPeriodic(time.Second,
					func() (river.JobArgs, *river.InsertOpts) { return tickArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
				// A catch-up with nothing to catch up is skipped.
				jobs.NewPeriodic(time.Second,
					func() (river.JobArgs, *river.InsertOpts) { return wakeArgs{N: 1}, nil }, &river.PeriodicJobOpts{RunOnStart: true}).
					When(func(context.Context) (bool, error) { return false, nil }),
			},
		}
		replicas := 1
		if db.Dialect == store.Postgres {
			replicas = 3
		}
		var runners []*jobs.Runner
		from := time.Now()
		for range replicas {
			runners = append(runners, startRunner(t, db, cfg))
		}
		waitFor(t, "four periods' jobs to run", func() bool { return w.done.Load() >= 4 })
		var n int
		if err := db.QueueSQL.QueryRow("SELECT COUNT(*) FROM river_job WHERE kind = 'test_tick'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		var skipped int
		if err := db.QueueSQL.QueryRow("SELECT COUNT(*) FROM river_job WHERE kind = 'test_wake'").Scan(&skipped); err != nil {
			t.Fatal(err)
		}
		if skipped != 0 {
			t.Errorf("%d runs of a periodic job that was never needed", skipped)
		}
		// The periods begun since the first start, and the one it began in.
		periods := int(time.Since(from)/time.Second) + 2
		if n > periods {
			t.Errorf("%d periodic jobs in at most %d periods with %d replicas, want one a period", n, periods, replicas)
		}
		for i, r := range runners {
			if _, pauses := r.Paused(); pauses == 0 {
				t.Errorf("runner %d never paused between periods", i)
			}
		}
	})
}

// TestPausedRunnerRescuesStuckJob: a job left "running" by a replica that
// died is rescued and run again once it is old enough, by a queue that had
// paused meanwhile (its poll an hour away).
func TestPausedRunnerRescuesStuckJob(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := &wakeWorker{}
		// The job a dead replica was working, 2 minutes less 3 seconds ago:
		// River's rescuer takes it 2 minutes after its attempt.
		ins, err := jobs.New(db, time.Now, jobs.Config{Register: func(ws *river.Workers) { river.AddWorker(ws, &wakeWorker{}) }})
		if err != nil {
			t.Fatal(err)
		}
		res, err := ins.Insert(ctx, wakeArgs{N: 1}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		attempted := time.Now().Add(-2*time.Minute + 3*time.Second).UTC()
		q := "UPDATE river_job SET state = 'running', attempt = 1, attempted_at = $1 WHERE id = $2"
		var at any = attempted
		if db.Dialect == store.SQLite {
			q = "UPDATE river_job SET state = 'running', attempt = 1, attempted_at = ? WHERE id = ?"
			at = attempted.Format("2006-01-02 15:04:05.000")
		}
		if _, err := db.QueueSQL.ExecContext(ctx, q, at, res.Job.ID); err != nil {
			t.Fatal(err)
		}

		r := startRunner(t, db, jobs.Config{RetryPolicy: retrySoon{}, Register: func(ws *river.Workers) { river.AddWorker(ws, w) }})
		waitPaused(t, r, 1)
		waitFor(t, "the stuck job to be rescued and run", func() bool { return w.done.Load() == 1 })
		waitPaused(t, r, 2)
	})
}

// TestExpectStartsPausedRunner: a paused queue told to expect work starts
// its client before any job is inserted, and pauses again when none comes.
func TestExpectStartsPausedRunner(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		r := startRunner(t, db, jobs.Config{Register: func(ws *river.Workers) { river.AddWorker(ws, &wakeWorker{}) }})
		waitPaused(t, r, 1)
		// Let the start's own work (the periodic jobs run on start) settle;
		// then, left alone with its poll an hour away, it stays paused.
		time.Sleep(time.Second)
		waitPaused(t, r, 1)
		_, settled := r.Paused()
		time.Sleep(500 * time.Millisecond)
		if paused, pauses := r.Paused(); !paused || pauses != settled {
			t.Fatalf("with nothing to do: paused %v, %d pauses; want still paused after %d", paused, pauses, settled)
		}
		r.Expect()
		// One more pause means it started again: on Expect alone.
		waitPaused(t, r, settled+1)
	})
}
