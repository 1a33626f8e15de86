// Package livewake tells live views that something changed, so that they
// read the database at once instead of at their next poll. On PostgreSQL the
// news comes from any replica through LISTEN/NOTIFY; the views still poll, so
// a lost notice only delays them to the next poll.
package livewake

import "sync"

// Hub hands out channels that close at the next Notify. The zero value is
// ready to use; a nil Hub never wakes anyone.
type Hub struct {
	mu sync.Mutex
	ch chan struct{}
}

// C returns a channel that is closed at the next Notify. Take it before
// reading what it guards, so that a change during the read is not missed.
func (h *Hub) C() <-chan struct{} {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ch == nil {
		h.ch = make(chan struct{})
	}
	return h.ch
}

// Notify wakes everyone holding a channel from C.
func (h *Hub) Notify() {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ch != nil {
		close(h.ch)
		h.ch = nil
	}
}
