package server

import (
	"context"
	"sync"
	"time"

	"github.com/firebreak-oss/firebreak/internal/store"
)

// writeCheckEvery bounds how often the store's write check runs: load
// balancers ask /readyz every few seconds, and each check is a write.
const writeCheckEvery = 5 * time.Second

// writeHealth remembers the store's last write check, so that /readyz and
// every page's banner ask the database at most every writeCheckEvery. It
// recovers by itself: the next check after space is freed clears it.
type writeHealth struct {
	db *store.DB

	mu       sync.Mutex
	checked  time.Time
	err      error
	checking bool // a background check started by last is running
}

// check returns the last result, checking again when it is old.
func (h *writeHealth) check(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if time.Since(h.checked) < writeCheckEvery {
		return h.err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	h.err, h.checked = h.db.CheckWritable(ctx), time.Now()
	return h.err
}

// last returns the last result without waiting on the database: for page
// banners, which must not hang on a sick disk. When the result is old it
// starts a check in the background, for the next page.
func (h *writeHealth) last() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.checking && time.Since(h.checked) >= writeCheckEvery {
		h.checking = true
		go func() {
			_ = h.check(context.Background())
			h.mu.Lock()
			h.checking = false
			h.mu.Unlock()
		}()
	}
	return h.err
}

// ready is /readyz's check: the database answers and can write.
func (h *writeHealth) ready(ctx context.Context) error {
	if err := h.db.Ping(ctx); err != nil {
		return err
	}
	return h.check(ctx)
}
