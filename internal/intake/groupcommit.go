package intake

import (
	"context"
	"sync"
)

// groupCommit stores the signals of concurrent requests in shared
// transactions. While one commit is in flight, arriving requests queue; when
// it ends, the first of them commits the whole queue at once. A storm of
// small requests then costs one durable commit per round, not one each,
// and a lone request pays no waiting at all.
type groupCommit struct {
	store Store

	mu    sync.Mutex
	busy  bool // a leader is committing
	queue []*commitReq
}

type commitReq struct {
	sigs []*Signal
	done chan error    // the outcome of the commit that held these signals
	lead chan struct{} // this request is to commit the queue
}

// maxBatch bounds how many requests one transaction serves, so a commit
// stays short even in a storm.
const maxBatch = 256

func (g *groupCommit) accept(ctx context.Context, sigs []*Signal) error {
	r := &commitReq{sigs: sigs, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, r)
	if g.busy {
		g.mu.Unlock()
		select {
		case err := <-r.done:
			return err
		case <-r.lead:
		}
	} else {
		g.busy = true
		g.mu.Unlock()
	}
	g.commitQueue(ctx)
	return <-r.done
}

// commitQueue runs as the leader: it commits the head of the queue, tells
// each request the outcome, and hands leadership to the next waiting request.
func (g *groupCommit) commitQueue(ctx context.Context) {
	g.mu.Lock()
	n := min(len(g.queue), maxBatch)
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()

	var all []*Signal
	for _, r := range batch {
		all = append(all, r.sigs...)
	}
	// The commit serves other requests too: the leader's caller going away
	// must not cancel it.
	err := g.store.AcceptSignals(context.WithoutCancel(ctx), all)
	for _, r := range batch {
		r.done <- err
	}

	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].lead <- struct{}{}
	} else {
		g.busy = false
	}
	g.mu.Unlock()
}
