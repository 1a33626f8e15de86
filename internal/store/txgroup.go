package store

import (
	"context"
	"database/sql"

	"github.com/firebreak-oss/firebreak/internal/batch"
)

// newTxGroup runs the writes of concurrent callers in shared transactions
// (see batch.Group), so that a burst of small writes costs one durable
// commit per round instead of one each (on SQLite every commit waits for the
// disk, and commits queue for its single writer). If a shared transaction
// fails, each write is tried again in a transaction of its own, so one bad
// write cannot fail the others.
func newTxGroup(db *DB) *batch.Group[func(*sql.Tx) error] {
	return &batch.Group[func(*sql.Tx) error]{Max: 128, Run: func(ctx context.Context, fns []func(*sql.Tx) error) []error {
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			for _, fn := range fns {
				if err := fn(tx); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil || len(fns) == 1 {
			return batch.Same(len(fns), err)
		}
		errs := make([]error, len(fns))
		for i, fn := range fns {
			errs[i] = db.inTx(ctx, fn)
		}
		return errs
	}}
}
