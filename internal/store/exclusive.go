package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"hash/fnv"
	"sync"
)

// Exclusive runs fn while holding the lock called name, so that however many
// goroutines or replicas ask, one fn of that name runs at a time; the others
// wait their turn and then run. PostgreSQL holds a session advisory lock on a
// connection kept for the run: a replica that dies loses its connection and
// with it the lock. SQLite serves one process, so the lock is in memory.
func (db *DB) Exclusive(ctx context.Context, name string, fn func(ctx context.Context) error) error {
	if db.Dialect != Postgres {
		unlock, err := db.memLock(ctx, name)
		if err != nil {
			return err
		}
		defer unlock()
		return fn(ctx)
	}
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	defer conn.Close()
	id := lockID(name)
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", id); err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", id); err != nil {
			// Never hand the pool a connection that may still hold the
			// lock: discard it, and the server frees the lock with it.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	return fn(ctx)
}

// lockID maps a lock's name to PostgreSQL's 64-bit advisory lock space.
func lockID(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("firebreak.exclusive:" + name))
	return int64(h.Sum64())
}

// memLocks holds SQLite's locks: one channel of capacity one per name.
type memLocks struct {
	mu    sync.Mutex
	chans map[string]chan struct{}
}

func (db *DB) memLock(ctx context.Context, name string) (unlock func(), err error) {
	db.locks.mu.Lock()
	if db.locks.chans == nil {
		db.locks.chans = map[string]chan struct{}{}
	}
	ch, ok := db.locks.chans[name]
	if !ok {
		ch = make(chan struct{}, 1)
		db.locks.chans[name] = ch
	}
	db.locks.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("lock %s: %w", name, ctx.Err())
	}
}
