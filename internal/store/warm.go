package store

import (
	"context"
	"sync"
	"time"
)

// WarmConnections is how many connections `firebreak serve` opens to
// PostgreSQL at start (see Warm): most of the pool, leaving the job queue
// room while they open.
const WarmConnections = postgresMaxConns - 5

// Warm opens up to n connections of the PostgreSQL pool at once and
// returns them to it idle, where they stay (see Open). A declaration's
// deliveries then find their connections ready instead of opening them in
// the middle of the burst; the pool grows to n anyway at the first burst.
// It gives up on a connection it cannot have within a few seconds and
// returns how many it opened. On SQLite it does nothing.
func (db *DB) Warm(ctx context.Context, n int) int {
	if db.Dialect != Postgres || n <= 0 {
		return 0
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var mu sync.Mutex
	opened := 0
	var held sync.WaitGroup // every connection is held until all are open
	held.Add(n)
	release := make(chan struct{})
	var done sync.WaitGroup
	for range n {
		done.Add(1)
		go func() {
			defer done.Done()
			c, err := db.SQL.Conn(ctx)
			if err == nil {
				err = c.PingContext(ctx)
				defer c.Close()
			}
			if err == nil {
				mu.Lock()
				opened++
				mu.Unlock()
			}
			held.Done()
			select {
			case <-release:
			case <-ctx.Done():
			}
		}()
	}
	held.Wait()
	close(release)
	done.Wait()
	return opened
}
