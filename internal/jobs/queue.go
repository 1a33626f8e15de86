// Package jobs runs Firebreak's background work through a durable queue kept
// in the database (River), on SQLite and PostgreSQL alike. Every side effect
// that talks to the outside is a job: stored first, retried with backoff, and
// kept with its errors when it finally fails. A server works the queue
// through a Runner, which stops River's client while nothing is due and
// starts it again when something is (idle.go); periodic jobs are inserted
// once per period by whichever replica comes first (periodic.go).
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// Client is the queue client; jobs are inserted through it, alone or inside
// a store transaction.
type Client = river.Client[*sql.Tx]

// driver picks River's driver for the database. Both work on *sql.Tx, so a
// job can be enqueued in the same transaction as the change it follows from.
func driver(db *store.DB) riverdriver.Driver[*sql.Tx] {
	if db.Dialect == store.SQLite {
		return riversqlite.New(db.QueueSQL)
	}
	return riverdatabasesql.New(db.QueueSQL)
}

// clientDriver is the driver the working client uses: it adds a listener so
// that an inserted job wakes the workers at once and an idle queue polls only
// rarely. PostgreSQL listens with LISTEN/NOTIFY on a connection of its own
// (every replica hears every other's inserts); SQLite passes notifications
// in memory (see wake.go).
//
// With a runner (idle.go), every insert tells it: SQLite's hub calls it on
// each insert notification, PostgreSQL's runner LISTENs on a connection
// from the returned pool; scheduled inserts tell it when they fall due.
func clientDriver(db *store.DB, r *Runner) (riverdriver.Driver[*sql.Tx], *pgxpool.Pool, error) {
	if db.Dialect == store.SQLite {
		wd := newWakeDriver(riversqlite.New(db.QueueSQL))
		if r != nil {
			wd.hub.onInsert = r.announced
		}
		return &insertWakeDriver{Driver: wd, runner: r}, nil, nil
	}
	cfg, err := pgxpool.ParseConfig(db.URL)
	if err != nil {
		return nil, nil, fmt.Errorf("job queue listener: %w", err)
	}
	// The pool only lends River, and the runner, the connection each keeps
	// for LISTEN.
	cfg.MinConns, cfg.MaxConns = 0, 1
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("job queue listener: %w", err)
	}
	db.OnClose(pool.Close)
	return &insertWakeDriver{Driver: riverdatabasesql.NewWithPgxListener(db.QueueSQL, pool), runner: r}, pool, nil
}

// Migrate creates or updates the queue's tables.
func Migrate(ctx context.Context, db *store.DB) error {
	m, err := rivermigrate.New(driver(db), nil)
	if err != nil {
		return fmt.Errorf("job queue migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	return nil
}

// DefaultPollInterval is how often an idle queue looks for jobs nobody told
// it of: every insert announces itself (insertwake.go), so this is the
// fallback for a notification lost with a dropped connection, and for jobs
// another process wrote into an SQLite file. Each look is a query per queue
// (docs/benchmarks.md, "Idle cost").
const DefaultPollInterval = 10 * time.Second

// fetchCooldown is the least time between two fetches of a queue, and
// between two insert notifications for it.
const fetchCooldown = 10 * time.Millisecond

// Config tunes the queue. Zero values take the defaults.
type Config struct {
	Logger *slog.Logger
	// MaxAttempts is how often a job is tried before it is discarded with
	// its errors kept (default 12, about a day of backoff).
	MaxAttempts int
	// RetryPolicy decides when a failed job is tried again (default:
	// exponential backoff with jitter).
	RetryPolicy river.ClientRetryPolicy
	// StaleCheckEvery is how often open incidents are checked for missing
	// updates (default one minute).
	StaleCheckEvery time.Duration
	// PollInterval is how often workers look for new jobs when no
	// notification told them (default 10s). Inserted jobs wake the workers
	// at once; the poll is the fallback for a lost notification and for
	// jobs another process wrote into an SQLite file.
	PollInterval time.Duration
	// Register adds further workers; later capabilities plug in here.
	Register func(*river.Workers)
	// Periodic adds further periodic jobs, run once per period across
	// replicas (periodic.go).
	Periodic []Periodic
	// IdleAfter is how long a Runner's client goes without work before it
	// is paused (default 2s; see idle.go).
	IdleAfter time.Duration
	// Queues adds queues besides the default one, by name.
	Queues map[string]river.QueueConfig
	// UpdateEvery is each grade's status-update cadence (nil:
	// incident.Grade.UpdateInterval), and Reminders stores the reminder sent
	// when one is missed (nil: the timeline records it only).
	UpdateEvery func(incident.Grade) time.Duration
	Reminders   Reminders
}

// New builds the queue client with Firebreak's workers and periodic jobs.
// It does not start working until Start, and once started it works until
// Stop, its periodic jobs scheduled by River's elected leader. A server uses
// Open instead, whose client pauses while the queue is idle.
func New(db *store.DB, now func() time.Time, cfg Config) (*Client, error) {
	client, _, _, err := build(db, now, cfg, nil)
	return client, err
}

// Open builds the queue and its Runner, which works it and pauses it while
// nothing is due (idle.go).
func Open(db *store.DB, now func() time.Time, cfg Config) (*Runner, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	r := newRunner(db, cfg, nil, rescueStuckAfter)
	client, periodic, pool, err := build(db, now, cfg, r)
	if err != nil {
		return nil, err
	}
	r.Client, r.periodic, r.pool = client, periodic, pool
	return r, nil
}

// rescueStuckAfter is how long a job stays "running" before River's rescuer
// takes it for lost: its timeout (1 minute) and as much again.
const rescueStuckAfter = 2 * time.Minute

// build makes the client. With a runner, the runner learns of every insert
// and of the jobs worked, and the periodic jobs are returned for it to
// insert instead of being given to River.
func build(db *store.DB, now func() time.Time, cfg Config, r *Runner) (*Client, []Periodic, *pgxpool.Pool, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 12
	}
	if cfg.StaleCheckEvery == 0 {
		cfg.StaleCheckEvery = time.Minute
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 10}}
	for name, q := range cfg.Queues {
		queues[name] = q
	}
	workers := river.NewWorkers()
	stale := &StaleCheckWorker{Incidents: db.Incidents(), Users: db.Users(), Reminders: cfg.Reminders,
		UpdateEvery: cfg.UpdateEvery, Now: now}
	river.AddWorker(workers, stale)
	if cfg.Register != nil {
		cfg.Register(workers)
	}
	drv, pool, err := clientDriver(db, r)
	if err != nil {
		return nil, nil, nil, err
	}
	periodic := append([]Periodic{NewPeriodic(cfg.StaleCheckEvery,
		func() (river.JobArgs, *river.InsertOpts) { return StaleCheckArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true}).When(stale.Due)}, cfg.Periodic...)
	hooks := []rivertype.Hook{&snoozeWaker{exec: drv.GetExecutor()}}
	var riverPeriodic []*river.PeriodicJob
	if r == nil {
		for _, p := range periodic {
			riverPeriodic = append(riverPeriodic, p.riverPeriodic())
		}
	} else {
		hooks = append(hooks, &activity{r: r})
		for name := range queues {
			r.queues = append(r.queues, name)
		}
	}
	client, err := river.NewClient(drv, &river.Config{
		ID:          clientID(time.Now()),
		Logger:      cfg.Logger,
		MaxAttempts: cfg.MaxAttempts,
		RetryPolicy: cfg.RetryPolicy,
		// A final failure is a record operators need; keep it for a quarter.
		DiscardedJobRetentionPeriod: 90 * 24 * time.Hour,
		// A job still "running" this long after its timeout (1 minute) lost
		// its worker with a crashed replica; try it again then, not after
		// River's default hour.
		RescueStuckJobsAfter: rescueStuckAfter,
		FetchPollInterval:    cfg.PollInterval,
		// River sends at most one "jobs inserted" notification per queue
		// per cooldown, and a job whose notification was held back waits
		// for the next poll. Notifications are cheap (in memory on SQLite,
		// a pg_notify on PostgreSQL), so the window is kept short.
		FetchCooldown: fetchCooldown,
		Hooks:         hooks,
		Middleware:    []rivertype.Middleware{&exclusive{db: db}},
		Queues:        queues,
		Workers:       workers,
		PeriodicJobs:  riverPeriodic,
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("job queue: %w", err)
	}
	return client, periodic, pool, nil
}

// Counts reads how many jobs are in each state.
func Counts(ctx context.Context, db *store.DB) (map[string]int, error) {
	rows, err := db.QueueSQL.QueryContext(ctx, "SELECT state, COUNT(*) FROM river_job GROUP BY state")
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// RunningIn is a Periodic.Needed: whether any job of queue is running (in
// any replica), for a look for deliveries whose worker died.
func RunningIn(db *store.DB, queue string) func(ctx context.Context) (bool, error) {
	q := "SELECT COUNT(*) FROM river_job WHERE state = 'running' AND queue = ?"
	if db.Dialect == store.Postgres {
		q = "SELECT COUNT(*) FROM river_job WHERE state = 'running' AND queue = $1"
	}
	return func(ctx context.Context) (bool, error) {
		var n int
		if err := db.QueueSQL.QueryRowContext(ctx, q, queue).Scan(&n); err != nil {
			return true, err
		}
		return n > 0, nil
	}
}
