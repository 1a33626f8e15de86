package store

import (
	"context"
	"database/sql"
	"sync"
)

// txGroup runs the writes of concurrent callers in shared transactions, so
// that a burst of small writes costs one durable commit per round instead of
// one each (on SQLite every commit waits for the disk, and commits queue for
// its single writer). While one transaction is in flight, arriving writes
// queue; when it ends, the first of them runs the whole queue in the next.
// A lone caller pays no wait.
type txGroup struct {
	mu    sync.Mutex
	busy  bool
	queue []*groupedWrite
}

type groupedWrite struct {
	fn   func(*sql.Tx) error
	done chan error
	lead chan struct{}
}

// maxGroup bounds one shared transaction.
const maxGroup = 128

// do runs fn inside a transaction shared with other callers' writes and
// returns when it has committed. If the shared transaction fails, each write
// is tried again in a transaction of its own, so one bad write cannot fail
// the others.
func (g *txGroup) do(ctx context.Context, db *DB, fn func(*sql.Tx) error) error {
	w := &groupedWrite{fn: fn, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if g.busy {
		g.mu.Unlock()
		select {
		case err := <-w.done:
			return err
		case <-w.lead:
		}
	} else {
		g.busy = true
		g.mu.Unlock()
	}
	g.runQueue(context.WithoutCancel(ctx), db) // the others' writes must not die with this caller
	return <-w.done
}

func (g *txGroup) runQueue(ctx context.Context, db *DB) {
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()

	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for _, w := range batch {
			if err := w.fn(tx); err != nil {
				return err
			}
		}
		return nil
	})
	for _, w := range batch {
		if err != nil && len(batch) > 1 {
			w.done <- db.inTx(ctx, w.fn)
		} else {
			w.done <- err
		}
	}

	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].lead <- struct{}{}
	} else {
		g.busy = false
	}
	g.mu.Unlock()
}
