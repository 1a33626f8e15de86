// Package batch lets concurrent callers share rounds of work, such as a
// durable commit: while one round is in flight, arriving items queue; when
// it ends, the first of them runs the whole queue as the next round. A storm
// of small writes then costs one round per batch instead of one each, and a
// lone caller never waits.
//
//	g := &batch.Group[*Signal]{Max: 256, Run: func(ctx context.Context, sigs []*Signal) []error {
//		return batch.Same(len(sigs), store.Accept(ctx, sigs))
//	}}
//	err := g.Do(ctx, sig) // returns when sig's round is done
package batch

import (
	"context"
	"sync"
)

// Group runs items in shared rounds. Set Run (and Max) before the first Do.
type Group[T any] struct {
	// Run does one round and returns each item's outcome, in order.
	Run func(ctx context.Context, items []T) []error
	// Max bounds one round, so a round stays short even in a storm; 0 means 128.
	Max int

	mu    sync.Mutex
	busy  bool // a round is in flight
	queue []*waiter[T]
}

type waiter[T any] struct {
	item T
	done chan error    // the item's outcome
	lead chan struct{} // this caller is to run the next round
}

// Do queues item, runs rounds while this caller leads, and returns the
// item's outcome once its round is done.
func (g *Group[T]) Do(ctx context.Context, item T) error {
	w := &waiter[T]{item: item, done: make(chan error, 1), lead: make(chan struct{}, 1)}
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
	// The round serves other callers too: this caller going away must not
	// cancel it.
	g.round(context.WithoutCancel(ctx))
	return <-w.done
}

// round runs the head of the queue, tells each caller its outcome, and
// hands the lead to the next waiting caller.
func (g *Group[T]) round(ctx context.Context) {
	limit := g.Max
	if limit <= 0 {
		limit = 128
	}
	g.mu.Lock()
	n := min(len(g.queue), limit)
	ws := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()

	items := make([]T, n)
	for i, w := range ws {
		items[i] = w.item
	}
	errs := g.Run(ctx, items)
	for i, w := range ws {
		w.done <- errs[i]
	}

	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].lead <- struct{}{}
	} else {
		g.busy = false
	}
	g.mu.Unlock()
}

// Same returns err as the outcome of each of n items, for rounds that
// succeed or fail as a whole.
func Same(n int, err error) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}
