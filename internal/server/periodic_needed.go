package server

import (
	"context"
	"time"

	"github.com/firebreak-oss/firebreak/internal/review"
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

// sweepNeed: a review sweep is needed when something fell due or changed
// since the last run surely began (review.Service.SweepNeeded), and at
// least hourly whatever the look says, in case a look missed something (a
// write stamped by a clock far behind). Only the periodic timer's
// goroutine calls it.
type sweepNeed struct {
	review *review.Service
	window time.Duration
	asked  time.Time // the last look that asked for a run
}

// sweepAtLeastEvery is the safety net's period.
const sweepAtLeastEvery = time.Hour

func (n *sweepNeed) needed(ctx context.Context, since, now time.Time) (bool, error) {
	needed := since.IsZero() || now.Sub(n.asked) >= sweepAtLeastEvery
	if !needed {
		var err error
		if needed, err = n.review.SweepNeeded(ctx, since, now, n.window); err != nil {
			return true, err
		}
	}
	if needed {
		n.asked = now
	}
	return needed, nil
}
