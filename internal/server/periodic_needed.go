package server

import (
	"context"

	"github.com/firebreak-oss/firebreak/internal/store"
)

// The periodic catch-up jobs below find nothing to do on an idle server;
// each run would wake every replica's queue (docs/benchmarks.md, "Idle
// cost"). A cheap look first skips the periods with nothing to do.

// unrouted: a routing catch-up is needed when some signal is unrouted.
func unrouted(signals *store.Signals) func(ctx context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		sigs, err := signals.UnroutedSignals(ctx, 1)
		return len(sigs) > 0 || err != nil, err
	}
}

// unindexed: a search backfill is needed when some incident is not in the
// index, or indexed by an older tokenizer.
func unindexed(db *store.DB) func(ctx context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		ids, err := db.Search().Unindexed(ctx, 1)
		return len(ids) > 0 || err != nil, err
	}
}
