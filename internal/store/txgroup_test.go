package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/store"
)

// Concurrent shared writes all commit, and one failing write fails alone:
// the others are retried on their own and still land.
func TestSharedTxGroupsWritesAndIsolatesFailure(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ob := db.Outbox()
		now := time.Now()
		bad := errors.New("this write fails")
		const writers = 40
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = ob.InSharedTx(ctx, func(tx *sql.Tx) error {
					if _, err := ob.TakeSlot(ctx, tx, fmt.Sprintf("dest-%d", i), time.Minute, now); err != nil {
						return err
					}
					if i == 7 {
						return bad
					}
					return nil
				})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if i == 7 {
				if !errors.Is(err, bad) {
					t.Errorf("writer 7: got %v, want its own error", err)
				}
				continue
			}
			if err != nil {
				t.Errorf("writer %d: %v", i, err)
			}
		}
		// A committed slot makes the next claim wait; the failed write left none.
		for i := range writers {
			var wait time.Duration
			if err := ob.InTx(ctx, func(tx *sql.Tx) (err error) {
				wait, err = ob.TakeSlot(ctx, tx, fmt.Sprintf("dest-%d", i), time.Minute, now)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if committed := wait > 0; committed != (i != 7) {
				t.Errorf("dest-%d: wait %v after the shared write", i, wait)
			}
		}
	})
}
