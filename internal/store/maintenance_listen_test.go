package store_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/maintenance"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// TestMaintenanceCacheSeesOtherWriters: a window another process stores
// reaches a cache whose poll is an hour away on PostgreSQL (the change is
// announced, LISTEN), and through the change-mark poll on SQLite, where
// only the CLI writes besides the server.
func TestMaintenanceCacheSeesOtherWriters(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		now := time.Now().UTC()
		c := &maintenance.Cache{Store: db.Maintenance(), Now: func() time.Time { return now }, Poll: 200 * time.Millisecond}
		var listening atomic.Bool
		if db.Dialect == store.Postgres {
			c.Poll = time.Hour // the notice alone must carry the change
			c.Listen = func(ctx context.Context, ready, notify func()) error {
				return db.Maintenance().ListenChanges(ctx, func() { listening.Store(true); ready() }, notify)
			}
		} else {
			listening.Store(true)
		}
		if err := c.Load(ctx); err != nil {
			t.Fatal(err)
		}
		go c.Run(ctx)
		waitFor(t, 5*time.Second, listening.Load)
		w := &maintenance.Window{Title: "DB upgrade", Services: []string{"payments-db"}, StartsAt: now.Add(-time.Minute),
			EndsAt: now.Add(time.Hour), Source: "api", CreatedBy: "kim", CreatedAt: now}
		if err := db.Maintenance().CreateWindow(ctx, w); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 5*time.Second, func() bool { return len(c.WindowsAt([]string{"payments-db"}, now)) == 1 })
	})
}
