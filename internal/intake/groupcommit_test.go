package intake_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// countingStore counts the transactions the real store is asked for.
type countingStore struct {
	*store.Signals
	commits atomic.Int64
}

func (c *countingStore) AcceptSignals(ctx context.Context, sigs []*intake.Signal) error {
	c.commits.Add(1)
	return c.Signals.AcceptSignals(ctx, sigs)
}

// TestConcurrentAcceptsShareCommits sends many single-signal batches at once
// and checks that every signal is stored, each caller learns its outcome,
// and the batches shared transactions.
func TestConcurrentAcceptsShareCommits(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		db := testutil.OpenStore(t, url)
		cs := &countingStore{Signals: db.Signals()}
		in := intake.New(cs, time.Now, nil)
		const senders, each = 16, 40
		var wg sync.WaitGroup
		errs := make(chan error, senders*each)
		for s := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					sig := &intake.Signal{Source: "generic", Title: "t", Fingerprint: fmt.Sprintf("%d-%d", s, i), Labels: map[string]string{"a": "b"}}
					if err := in.Accept(ctx, []*intake.Signal{sig}, nil); err != nil {
						errs <- err
					} else if sig.ID == 0 {
						errs <- fmt.Errorf("signal %d-%d stored without an id", s, i)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		var n int
		db.SQL.QueryRow("SELECT COUNT(*) FROM signals").Scan(&n)
		if n != senders*each {
			t.Fatalf("%d signals stored, want %d", n, senders*each)
		}
		if commits := cs.commits.Load(); commits >= senders*each {
			t.Errorf("%d transactions for %d batches: nothing was shared", commits, senders*each)
		} else {
			t.Logf("%d batches in %d transactions", senders*each, commits)
		}
	})
}
