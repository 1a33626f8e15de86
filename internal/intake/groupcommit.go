package intake

import (
	"context"

	"github.com/firebreak-oss/firebreak/internal/batch"
)

// groupCommit stores the signals of concurrent requests in shared
// transactions (see batch.Group): a storm of small requests then costs one
// durable commit per round, not one each, and a lone request pays no
// waiting at all.
type groupCommit struct{ group batch.Group[[]*Signal] }

// maxBatch bounds how many requests one transaction serves, so a commit
// stays short even in a storm.
const maxBatch = 256

func newGroupCommit(store Store) *groupCommit {
	g := &groupCommit{}
	g.group.Max = maxBatch
	g.group.Run = func(ctx context.Context, reqs [][]*Signal) []error {
		var all []*Signal
		for _, sigs := range reqs {
			all = append(all, sigs...)
		}
		return batch.Same(len(reqs), store.AcceptSignals(ctx, all))
	}
	return g
}

func (g *groupCommit) accept(ctx context.Context, sigs []*Signal) error { return g.group.Do(ctx, sigs) }
