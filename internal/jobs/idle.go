package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/firebreak-oss/firebreak/internal/relisten"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// A started River client wakes up twenty times a second whatever it has to
// do (its batch completer ticks every 50 ms, with no option to change it),
// and its leader re-elects and schedules every 5 s: on a small VM that is
// most of what an idle Firebreak costs (docs/benchmarks.md, "Idle cost").
// A Runner stops the client while nothing is due and starts it again when
// something is:
//
//   - a job is inserted (every insert announces itself, insertwake.go: the
//     in-process hub on SQLite, NOTIFY on PostgreSQL, which a paused
//     runner LISTENs to on a connection that waits without costing CPU);
//   - the earliest scheduled, retrying or snoozed job falls due (read when
//     pausing, and lowered by scheduled inserts made in this process);
//   - a job left "running" by a replica that died becomes old enough for
//     River's rescuer (its attempt plus RescueStuckJobsAfter);
//   - a periodic job's period begins (periodic.go inserts it, which is an
//     insert like any other);
//   - the poll interval passes, for what nobody announced (a lost
//     notification, a job another process wrote into an SQLite file): one
//     query, where a started client polls every queue.
//
// A stopped client gives up leadership, so the leader is always a started
// client; one that starts because something is due elects itself if no
// other is leader, and its scheduler, rescuer and cleaner run at once.

// Runner works the queue with its client, paused while the queue is idle.
type Runner struct {
	// Client inserts and works jobs; it may be used for inserts whether or
	// not the runner has it started.
	Client *Client

	db          *store.DB
	queues      []string
	poll        time.Duration
	idleAfter   time.Duration
	rescueAfter time.Duration
	periodic    []Periodic
	pool        *pgxpool.Pool // PostgreSQL: the listener's pool
	log         *slog.Logger

	wake  chan struct{}  // a job due now was announced
	sched chan time.Time // a job was scheduled in this process for then

	mu       sync.Mutex
	inflight int
	last     time.Time // last job begun or ended, or client started
	paused   bool
	pauses   int

	cancel context.CancelFunc
	done   chan struct{}
}

// DefaultIdleAfter is how long a client with nothing to do keeps running
// before the runner stops it. Starting it again costs a few queries, so a
// short pause between jobs in a burst does not stop it.
const DefaultIdleAfter = 2 * time.Second

// rescueSlack is added to a stuck job's rescue time: River's rescuer
// starts up to a second after the leader does.
const rescueSlack = 2 * time.Second

func newRunner(db *store.DB, cfg Config, queues []string, rescueAfter time.Duration) *Runner {
	idle := cfg.IdleAfter
	if idle == 0 {
		idle = DefaultIdleAfter
	}
	return &Runner{db: db, queues: queues, poll: cfg.PollInterval, idleAfter: idle, rescueAfter: rescueAfter,
		log: cfg.Logger, wake: make(chan struct{}, 1), sched: make(chan time.Time, 16)}
}

// announced tells the runner that a job due now was inserted or released.
func (r *Runner) announced() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Expect tells the runner that work may be on its way (a request that
// writes has arrived): a paused client starts now, alongside the request,
// instead of once the request's job is inserted, so the job does not wait
// for the client's start (50–170 ms, mostly round trips). A running client
// stays up for another idle period.
func (r *Runner) Expect() { r.announced() }

// scheduled tells the runner that a job was inserted to run at t.
func (r *Runner) scheduled(t time.Time) {
	select {
	case r.sched <- t:
	default:
		r.announced() // too many to track: look at once
	}
}

func (r *Runner) touch(delta int) {
	r.mu.Lock()
	r.inflight += delta
	r.last = time.Now()
	r.mu.Unlock()
}

// activity is a hook that counts the jobs this process is working.
type activity struct {
	river.HookDefaults
	r *Runner
}

var (
	_ rivertype.HookWorkBegin = (*activity)(nil)
	_ rivertype.HookWorkEnd   = (*activity)(nil)
)

func (a *activity) WorkBegin(context.Context, *rivertype.JobRow) error { a.r.touch(1); return nil }

func (a *activity) WorkEnd(_ context.Context, _ *rivertype.JobRow, err error) error {
	a.r.touch(-1)
	return err
}

// Start starts the client and returns once it works, then pauses and
// resumes it in the background until Stop.
func (r *Runner) Start(ctx context.Context) error {
	if err := r.Client.Start(ctx); err != nil {
		return err
	}
	r.touch(0)
	loop, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.cancel, r.done = cancel, make(chan struct{})
	if r.pool != nil {
		go r.listen(loop)
	}
	go runPeriodic(loop, r.Client, r.periodic, r.log)
	go func() {
		defer close(r.done)
		r.run(loop)
	}()
	return nil
}

// Stop ends the pausing and stops the client, letting running jobs finish
// until ctx ends.
func (r *Runner) Stop(ctx context.Context) error {
	if r.cancel == nil {
		return r.Client.Stop(ctx)
	}
	r.cancel()
	select {
	case <-r.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return r.Client.Stop(ctx)
}

// run alternates between working and paused until ctx ends. The client is
// started when it is called.
func (r *Runner) run(ctx context.Context) {
	for {
		if !r.awaitIdle(ctx) {
			return
		}
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := r.Client.Stop(sctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			r.log.Warn("pause the job queue", "err", err)
			continue
		}
		// Read once stopped: the completer has written the last results
		// (a job it had not would look like one left running).
		next, err := r.nextDue(ctx)
		if err != nil {
			next = time.Now().Add(r.poll)
		}
		r.log.Debug("job queue paused", "until", next)
		r.setPaused(true)
		r.awaitWork(ctx, next)
		for ctx.Err() == nil {
			if err := r.Client.Start(ctx); err == nil {
				break
			} else {
				// The database is away: try again, as a started client's
				// producers would.
				r.log.Warn("resume the job queue", "err", err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(r.poll):
			}
		}
		if ctx.Err() != nil {
			return
		}
		r.touch(0)
		r.setPaused(false)
	}
}

func (r *Runner) setPaused(p bool) {
	r.mu.Lock()
	r.paused = p
	if p {
		r.pauses++
	}
	r.mu.Unlock()
}

// Paused tells whether the client is stopped for want of work, and how
// often it has been.
func (r *Runner) Paused() (paused bool, pauses int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.paused, r.pauses
}

// awaitIdle waits, the client working, until no job has begun or ended in
// this process for idleAfter and nothing is due. It returns false when ctx
// ended.
func (r *Runner) awaitIdle(ctx context.Context) bool {
	timer := time.NewTimer(r.idleAfter)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-r.wake:
			// Work is coming: count from now.
			r.touch(0)
			timer.Reset(r.idleAfter)
			continue
		case <-r.sched:
			continue // the query below reads it
		case <-timer.C:
		}
		r.mu.Lock()
		inflight, quiet := r.inflight, time.Since(r.last)
		r.mu.Unlock()
		if inflight > 0 {
			timer.Reset(r.idleAfter)
			continue
		}
		if quiet < r.idleAfter {
			timer.Reset(r.idleAfter - quiet)
			continue
		}
		next, err := r.nextDue(ctx)
		if err != nil || !next.After(time.Now()) {
			// Something is due, and River will get to it (or the database
			// is away): look again later.
			timer.Reset(r.idleAfter)
			continue
		}
		return true
	}
}

// awaitWork waits, the client stopped, until something is announced or
// falls due.
func (r *Runner) awaitWork(ctx context.Context, next time.Time) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait := time.Until(next)
		if wait <= 0 {
			return
		}
		timer.Reset(min(wait, r.poll))
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
			return
		case t := <-r.sched:
			if t.Before(next) {
				next = t
			}
			// The loop resets the timer (Go 1.23 timers need no draining;
			// an older one's stale tick costs one query).
		case <-timer.C:
			if n, err := r.nextDue(ctx); err == nil && n.Before(next) {
				next = n
			}
		}
	}
}

// farAway stands for "nothing is waiting": the poll wakes the runner
// long before.
const farAway = 24 * time.Hour

// nextDue reads when the runner is next needed: the earliest start of a
// job waiting in one of its queues, or the time a job left running becomes
// old enough for the rescuer.
func (r *Runner) nextDue(ctx context.Context) (time.Time, error) {
	now := time.Now()
	next := now.Add(farAway)
	marks := make([]string, len(r.queues))
	args := make([]any, len(r.queues))
	for i, q := range r.queues {
		marks[i] = "?"
		if r.db.Dialect == store.Postgres {
			marks[i] = fmt.Sprintf("$%d", i+1)
		}
		args[i] = q
	}
	in := strings.Join(marks, ", ")
	if r.db.Dialect == store.Postgres {
		var waiting, running sql.NullTime
		err := r.db.QueueSQL.QueryRowContext(ctx, `SELECT
			(SELECT MIN(scheduled_at) FROM river_job WHERE state IN ('available', 'scheduled', 'retryable') AND queue IN (`+in+`)),
			(SELECT MIN(attempted_at) FROM river_job WHERE state = 'running')`, args...).Scan(&waiting, &running)
		if err != nil {
			return time.Time{}, fmt.Errorf("next due job: %w", err)
		}
		if waiting.Valid && waiting.Time.Before(next) {
			next = waiting.Time
		}
		if running.Valid {
			if t := running.Time.Add(r.rescueAfter + rescueSlack); t.Before(next) {
				next = t
			}
		}
		return next, nil
	}
	// SQLite keeps times as text (UTC); julianday reads them, to seconds
	// since 1970 here.
	var waiting, running sql.NullFloat64
	err := r.db.QueueSQL.QueryRowContext(ctx, `SELECT
		(SELECT (julianday(MIN(scheduled_at)) - 2440587.5) * 86400.0 FROM river_job WHERE state IN ('available', 'scheduled', 'retryable') AND queue IN (`+in+`)),
		(SELECT (julianday(MIN(attempted_at)) - 2440587.5) * 86400.0 FROM river_job WHERE state = 'running')`, args...).Scan(&waiting, &running)
	if err != nil {
		return time.Time{}, fmt.Errorf("next due job: %w", err)
	}
	if waiting.Valid {
		if t := unixTime(waiting.Float64); t.Before(next) {
			next = t
		}
	}
	if running.Valid {
		if t := unixTime(running.Float64).Add(r.rescueAfter + rescueSlack); t.Before(next) {
			next = t
		}
	}
	return next, nil
}

func unixTime(s float64) time.Time {
	return time.UnixMilli(int64(s * 1000))
}

// listen LISTENs for insert notifications on PostgreSQL, from every
// replica, and wakes the runner. A waiting LISTEN costs no CPU. Notices
// sent while the connection is away are lost; the runner's poll finds
// their jobs.
func (r *Runner) listen(ctx context.Context) {
	relisten.Keep(ctx, 30*time.Second, func(err error, wait time.Duration) {
		r.log.Debug("job queue wake listener dropped; reconnecting", "err", err, "in", wait)
	}, r.listenOnce)
}

func (r *Runner) listenOnce(ctx context.Context, ready func()) error {
	pc, err := r.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection is this listener's alone, like River's own.
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	var schema string
	if err := conn.QueryRow(ctx, "SELECT coalesce(current_schema(), '')").Scan(&schema); err != nil {
		return err
	}
	topic := insertTopic
	if schema != "" {
		topic = schema + "." + topic
	}
	if _, err := conn.Exec(ctx, `LISTEN "`+strings.ReplaceAll(topic, `"`, `""`)+`"`); err != nil {
		return err
	}
	ready()
	// Anything announced while not listening is looked for now.
	r.announced()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return errors.Join(errors.New("job queue wake listener"), err)
		}
		r.announced()
	}
}
