// Package store keeps Firebreak's state in SQLite or PostgreSQL. Every query
// is written once in SQL both databases accept (placeholders are $1, $2, …),
// except where a dialect variant is marked; schema migrations are embedded per
// dialect and applied in order.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Dialect names the database behind a DB.
type Dialect string

// The supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open Firebreak database.
type DB struct {
	SQL     *sql.DB
	Dialect Dialect
	// QueueSQL is the pool the job queue uses. On PostgreSQL it is SQL; on
	// SQLite it is a second pool of one connection, because the queue runs
	// many small operations at once and SQLite has a single writer.
	QueueSQL *sql.DB

	// OnEvents, when set, runs inside the transaction that appends events
	// to an incident's timeline through CreateIncident or UpdateIncident,
	// after they are written: whatever it enqueues commits with them.
	OnEvents func(ctx context.Context, tx *sql.Tx, inc *incident.Incident, events []incident.Event) error

	// URL is the database URL the DB was opened with.
	URL string

	// closers run when the DB closes (see OnClose).
	closers []func()
	// locks are Exclusive's locks on SQLite.
	locks memLocks
	// OnIndexed, when set, runs inside the transaction that changed an
	// incident or its report, after its search document is rewritten: the
	// review enqueues its recurrence check there, so a new incident, and
	// one whose services, tags or report change, is compared at once.
	OnIndexed func(ctx context.Context, tx *sql.Tx, incidentID int64) error

	// prepared keeps statements that run often, by SQL text (see
	// Signals.stmt); they are closed with the database.
	prepared sync.Map
}

// Open connects to the database named by rawURL: "postgres://…" or
// "postgresql://…" for PostgreSQL, "sqlite:PATH" (or a plain file path) for an
// SQLite file, created if missing. It does not migrate.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		db, err := sql.Open("pgx", rawURL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		// Every connection the pool opens stays open: a burst (a
		// declaration's 200 deliveries) takes the whole pool, and with 10
		// idle connections kept and those closed after five idle minutes,
		// each burst opened most of its connections anew, a server process
		// each, which cost a cold declaration some 0.5 s on a busy machine
		// (docs/benchmarks.md, "Declare → 200 messages"). An idle
		// connection costs the server memory, not CPU. See also Warm.
		db.SetMaxOpenConns(postgresMaxConns)
		db.SetMaxIdleConns(postgresMaxConns)
		if err := ping(ctx, db); err != nil {
			db.Close()
			return nil, fmt.Errorf("connect to postgres: %w", err)
		}
		return &DB{SQL: db, QueueSQL: db, Dialect: Postgres, URL: rawURL}, nil
	}
	path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite://"), "sqlite:")
	if path == "" {
		return nil, errors.New("database URL names no file")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	dsn := sqliteDSN(path)
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	db.SetMaxOpenConns(8)
	// Keep every connection once opened: database/sql keeps only two idle
	// by default, and a reader past those two was closed after each use,
	// its page cache with it, so the next parallel read (the insights run
	// eleven at once) opened a connection and read its pages from disk
	// again. Idle connections cost memory only, freed after a while.
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	queue, err := sql.Open("sqlite", dsn)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	queue.SetMaxOpenConns(1)
	if err := ping(ctx, db); err != nil {
		db.Close()
		queue.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &DB{SQL: db, QueueSQL: queue, Dialect: SQLite, URL: rawURL}, nil
}

// postgresMaxConns bounds one replica's pool on PostgreSQL (plus one
// connection the job queue listens on). Three replicas stay under
// PostgreSQL's default max_connections of 100.
const postgresMaxConns = 25

// sqliteDSN sets up each connection: WAL so readers never wait for the
// writer, a busy timeout so writers queue instead of failing, transactions
// that take the write lock at BEGIN (no deadlocks on lock upgrade), foreign
// keys on, and full sync so a committed write survives a crash. Temporary
// storage stays in memory: a multi-row insert keeps a statement journal (to
// undo just that statement on a constraint failure), and above 64 KiB
// SQLite would move it to a temporary file, a write system call per page.
// Each connection caches up to 16 MiB of pages (SQLite's default is 2 MiB,
// filled as pages are read, so an idle server does not hold it): a year of
// insights reads about that much, and with the default every question read
// most of its pages from the file again, a system call each.
func sqliteDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(FULL)", "temp_store(MEMORY)", "cache_size(-16384)"} {
		q.Add("_pragma", p)
	}
	if SQLiteMaxPages > 0 {
		q.Add("_pragma", fmt.Sprintf("max_page_count(%d)", SQLiteMaxPages))
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

func ping(ctx context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return ping(ctx, db.SQL) }

// OnClose has fn run when the DB closes, before its pools do: for what is
// tied to the database's life, such as the job queue's listener pool.
func (db *DB) OnClose(fn func()) { db.closers = append(db.closers, fn) }

// Close closes the prepared statements and the pools.
func (db *DB) Close() error {
	for _, fn := range db.closers {
		fn()
	}
	db.prepared.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	err := db.SQL.Close()
	if db.QueueSQL != db.SQL {
		err = errors.Join(err, db.QueueSQL.Close())
	}
	return err
}

// inTx runs fn in a transaction and commits when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// forUpdate is the locking clause for a read-modify-write. SQLite needs none:
// its transactions here take the write lock at BEGIN.
func (db *DB) forUpdate() string {
	if db.Dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// likeOp is the case-insensitive LIKE: SQLite's LIKE already ignores ASCII
// case, PostgreSQL needs ILIKE.
func (db *DB) likeOp() string {
	if db.Dialect == Postgres {
		return "ILIKE"
	}
	return "LIKE"
}

// escapeLike makes s match literally inside a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// cast gives a placeholder the type PostgreSQL cannot infer (inside VALUES
// lists, say); SQLite takes values as they come.
func (db *DB) cast(placeholder, sqlType string) string {
	if db.Dialect == Postgres {
		return placeholder + "::" + sqlType
	}
	return placeholder
}

// rebind turns $n placeholders into plain ? for SQLite. SQLite keeps $n
// and ?n as named parameters and the driver looks each name up in a list,
// which is quadratic in a multi-row statement with thousands of values; a
// plain ? is bound by position. Only for statements whose placeholders
// appear once each and in order, as the args helper writes them.
func (db *DB) rebind(q string) string {
	if db.Dialect != SQLite || !strings.Contains(q, "$") {
		return q
	}
	// By hand rather than with a regular expression: it runs for every
	// statement of a storm, and the expression was 2% of the CPU.
	b := make([]byte, 0, len(q))
	for i := 0; i < len(q); i++ {
		if q[i] != '$' || i+1 >= len(q) || !isDigit(q[i+1]) {
			b = append(b, q[i])
			continue
		}
		b = append(b, '?')
		for i+1 < len(q) && isDigit(q[i+1]) {
			i++
		}
	}
	return string(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
