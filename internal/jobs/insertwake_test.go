package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// TestBackToBackInsertsAllWake: River announces at most one insert per
// queue per fetch cooldown, so of two jobs inserted moments apart in two
// transactions the second went unannounced; when the workers' fetch for
// the first ran before the second committed, it waited for the next poll.
// With the poll an hour apart, both jobs must run: every insert is
// announced, at its commit.
func TestBackToBackInsertsAllWake(t *testing.T) {
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
		time.Sleep(time.Second) // the first fetch at start is not a wake-up

		for round := int64(1); round <= 3; round++ {
			first, second := insertBackToBack(t, db, client)
			if err := first.Commit(); err != nil {
				t.Fatal(err)
			}
			// The workers fetch for the first job while the second is
			// still uncommitted (PostgreSQL; on SQLite, with its single
			// writer, the second transaction waits for the first).
			time.Sleep(300 * time.Millisecond)
			if err := second.Commit(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "both jobs inserted back to back to run", func() bool { return w.done.Load() == 2*round })
		}
	})
}

// insertBackToBack inserts a job in each of two transactions, one right
// after the other, and returns them uncommitted (the second one's insert
// already done on PostgreSQL; on SQLite after the first commits).
func insertBackToBack(t *testing.T, db *store.DB, client *jobs.Client) (first, second interface{ Commit() error }) {
	t.Helper()
	ctx := context.Background()
	tx1, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.InsertTx(ctx, tx1, wakeArgs{N: 1}, nil); err != nil {
		t.Fatal(err)
	}
	if db.Dialect == store.SQLite {
		return tx1, deferredInsert{t: t, db: db, client: client, first: tx1}
	}
	tx2, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.InsertTx(ctx, tx2, wakeArgs{N: 2}, nil); err != nil {
		t.Fatal(err)
	}
	return tx1, tx2
}

// deferredInsert is SQLite's second transaction: SQLite takes the write
// lock at BEGIN, so it is begun, and its job inserted, once the first has
// committed; it then stays open until Commit.
type deferredInsert struct {
	t      *testing.T
	db     *store.DB
	client *jobs.Client
	first  interface{ Commit() error }
}

func (d deferredInsert) Commit() error {
	ctx := context.Background()
	tx, err := d.db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := d.client.InsertTx(ctx, tx, wakeArgs{N: 2}, nil); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond)
	return tx.Commit()
}
