package testutil

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/store"
)

// Seeder fills a database for a benchmark with plain SQL in one
// transaction: the store's one-change-per-transaction path would take
// minutes for years of history. Any error fails the benchmark.
type Seeder struct {
	b   *testing.B
	db  *store.DB
	ctx context.Context
	tx  *sql.Tx
}

// NewSeeder begins the seeding transaction.
func NewSeeder(b *testing.B, db *store.DB) *Seeder {
	b.Helper()
	ctx := context.Background()
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	return &Seeder{b: b, db: db, ctx: ctx, tx: tx}
}

// At is t as the dialect stores a timestamp.
func (s *Seeder) At(t time.Time) any {
	if s.db.Dialect == store.SQLite {
		return t.UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	return t.UTC()
}

// Exec runs one statement in the transaction.
func (s *Seeder) Exec(query string, args ...any) {
	s.b.Helper()
	if _, err := s.tx.ExecContext(s.ctx, query, args...); err != nil {
		s.b.Fatal(err)
	}
}

// Prepare prepares a statement run many times; run it with Run.
func (s *Seeder) Prepare(query string) *sql.Stmt {
	s.b.Helper()
	st, err := s.tx.PrepareContext(s.ctx, query)
	if err != nil {
		s.b.Fatal(err)
	}
	return st
}

// Run runs a prepared statement.
func (s *Seeder) Run(st *sql.Stmt, args ...any) {
	s.b.Helper()
	if _, err := st.ExecContext(s.ctx, args...); err != nil {
		s.b.Fatal(err)
	}
}

// Commit ends the seeding. Incident ids were given explicitly, up to
// lastIncident: on PostgreSQL the identity moves past them, and the
// planner's statistics are brought up to date.
func (s *Seeder) Commit(lastIncident int) {
	s.b.Helper()
	if err := s.tx.Commit(); err != nil {
		s.b.Fatal(err)
	}
	if s.db.Dialect != store.Postgres {
		return
	}
	for _, q := range []string{`SELECT setval(pg_get_serial_sequence('incidents', 'id'), $1)`, `ANALYZE`} {
		var args []any
		if q != `ANALYZE` {
			args = append(args, lastIncident)
		}
		if _, err := s.db.SQL.ExecContext(s.ctx, q, args...); err != nil {
			s.b.Fatal(err)
		}
	}
}
