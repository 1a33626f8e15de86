package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// RateEvents keeps the events that rate limits count (failed sign-ins,
// public reports) in the database, so that every replica counts them all:
// with limits in each replica's memory a client got N times the limit from
// N replicas.
type RateEvents struct{ db *DB }

// RateEvents returns the shared rate-limit store.
func (db *DB) RateEvents() *RateEvents { return &RateEvents{db: db} }

// rateKeep is how long an event is kept at most: the longest window any
// limit may be configured with.
const rateKeep = 24 * time.Hour

// Count returns how many events key has at or after since, and the oldest
// of them.
func (r *RateEvents) Count(ctx context.Context, scope, key string, since time.Time) (int, time.Time, error) {
	var n int
	var oldest scanTime
	err := r.db.SQL.QueryRowContext(ctx, "SELECT COUNT(*), MIN(at) FROM rate_events WHERE scope = $1 AND key = $2 AND at >= $3",
		scope, key, r.db.t(since)).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("count %s events: %w", scope, err)
	}
	return n, oldest.Time, nil
}

// Add records one event at at for each key, and forgets the events that
// no window can still count.
func (r *RateEvents) Add(ctx context.Context, scope string, keys []string, at time.Time) error {
	return r.db.inTx(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, "INSERT INTO rate_events (scope, key, at) VALUES ($1, $2, $3)", scope, k, r.db.t(at)); err != nil {
				return fmt.Errorf("record %s event: %w", scope, err)
			}
		}
		return r.prune(ctx, tx, at)
	})
}

// Take records one event of key at at unless key already has limit events
// at or after since; then it records nothing and returns false and the
// oldest event's time. Replicas taking for one key at once take turns
// (a transaction lock on PostgreSQL; SQLite has one writer), so the limit
// holds across them.
func (r *RateEvents) Take(ctx context.Context, scope, key string, at, since time.Time, limit int) (bool, time.Time, error) {
	ok := false
	var oldest scanTime
	err := r.db.inTx(ctx, func(tx *sql.Tx) error {
		if r.db.Dialect == Postgres {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", scope+" "+key); err != nil {
				return fmt.Errorf("lock %s key: %w", scope, err)
			}
		}
		var id int64
		if err := tx.QueryRowContext(ctx, "INSERT INTO rate_events (scope, key, at) VALUES ($1, $2, $3) RETURNING id",
			scope, key, r.db.t(at)).Scan(&id); err != nil {
			return fmt.Errorf("record %s event: %w", scope, err)
		}
		var before int
		// Events written before this one (lower id) count against it.
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*), MIN(at) FROM rate_events WHERE scope = $1 AND key = $2 AND at >= $3 AND id < $4",
			scope, key, r.db.t(since), id).Scan(&before, &oldest); err != nil {
			return fmt.Errorf("count %s events: %w", scope, err)
		}
		if before >= limit {
			_, err := tx.ExecContext(ctx, "DELETE FROM rate_events WHERE id = $1", id)
			return err
		}
		ok = true
		return r.prune(ctx, tx, at)
	})
	return ok, oldest.Time, err
}

// Remove forgets key's event at at (a request that ended storing nothing),
// or, with a zero at, all of key's events (a user who signed in).
func (r *RateEvents) Remove(ctx context.Context, scope, key string, at time.Time) error {
	var err error
	if at.IsZero() {
		_, err = r.db.SQL.ExecContext(ctx, "DELETE FROM rate_events WHERE scope = $1 AND key = $2", scope, key)
	} else {
		_, err = r.db.SQL.ExecContext(ctx, `DELETE FROM rate_events WHERE id IN
			(SELECT id FROM rate_events WHERE scope = $1 AND key = $2 AND at = $3 LIMIT 1)`, scope, key, r.db.t(at))
	}
	if err != nil {
		return fmt.Errorf("forget %s event: %w", scope, err)
	}
	return nil
}

// prune deletes events older than any window, a few at a time, so that the
// table holds about a day of events whatever the traffic.
func (r *RateEvents) prune(ctx context.Context, tx *sql.Tx, now time.Time) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM rate_events WHERE id IN (SELECT id FROM rate_events WHERE at < $1 LIMIT 100)",
		r.db.t(now.Add(-rateKeep)))
	if err != nil {
		return fmt.Errorf("prune rate events: %w", err)
	}
	return nil
}
