package cli

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// tuningFlags are hidden serve flags that shorten the periods of background
// work. Operators have no reason to touch them; the end-to-end tests of
// replicas (cmd/firebreak/replicas_test.go) use them so that a periodic job
// runs many times within a test's seconds, and to emulate a full disk
// under SQLite without a small file system.
type tuningFlags struct {
	staleCheckEvery  time.Duration
	reviewSweepEvery time.Duration
	livePoll         time.Duration
	sqliteMaxPages   int
}

func (f *tuningFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.DurationVar(&f.staleCheckEvery, "stale-check-every", 0, "how often open incidents are checked for missed updates (default 1m)")
	fl.DurationVar(&f.reviewSweepEvery, "review-sweep-every", 0, "how often review reminders and escalations are looked for (default 1m)")
	fl.DurationVar(&f.livePoll, "live-poll", 0, "how often live views read the database when nothing woke them (default 1s)")
	fl.IntVar(&f.sqliteMaxPages, "sqlite-max-pages", 0, "cap the SQLite file at this many pages: a full disk, emulated")
	for _, name := range []string{"stale-check-every", "review-sweep-every", "live-poll", "sqlite-max-pages"} {
		_ = fl.MarkHidden(name)
	}
}

// apply sets the periods that were given; zero leaves the default.
func (f *tuningFlags) apply(o *server.Options) {
	if f.staleCheckEvery > 0 {
		o.Jobs.StaleCheckEvery = f.staleCheckEvery
	}
	if f.reviewSweepEvery > 0 {
		o.ReviewSweepEvery = f.reviewSweepEvery
	}
	if f.livePoll > 0 {
		o.LivePoll = f.livePoll
	}
	if f.sqliteMaxPages > 0 {
		store.SQLiteMaxPages = f.sqliteMaxPages
	}
}
