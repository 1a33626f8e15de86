package batch_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/batch"
)

// Concurrent callers share rounds no larger than Max, and each gets its own
// item's outcome.
func TestGroupSharesRoundsAndKeepsOutcomes(t *testing.T) {
	var mu sync.Mutex
	var rounds []int
	started, release := make(chan struct{}, 1), make(chan struct{})
	g := &batch.Group[int]{Max: 4, Run: func(_ context.Context, items []int) []error {
		select {
		case started <- struct{}{}:
		default:
		}
		<-release // hold the first round so the others queue up
		mu.Lock()
		rounds = append(rounds, len(items))
		mu.Unlock()
		errs := make([]error, len(items))
		for i, it := range items {
			if it%3 == 0 {
				errs[i] = fmt.Errorf("item %d", it)
			}
		}
		return errs
	}}
	const callers = 21
	errs := make([]error, callers)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); errs[0] = g.Do(context.Background(), 0) }()
	<-started // the first round holds item 0
	for i := 1; i < callers; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = g.Do(context.Background(), i) }()
	}
	for g.Queued() != callers-1 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	for i, err := range errs {
		if want := i%3 == 0; (err != nil) != want || (err != nil && err.Error() != fmt.Sprintf("item %d", i)) {
			t.Errorf("caller %d got %v", i, err)
		}
	}
	total := 0
	for _, n := range rounds {
		if n > 4 {
			t.Errorf("a round of %d items, over Max", n)
		}
		total += n
	}
	// Round one holds item 0; the 20 queued behind it go in rounds of 4.
	if total != callers || len(rounds) != 6 {
		t.Errorf("rounds %v: want 1 and then five of 4", rounds)
	}
}

func TestSame(t *testing.T) {
	bad := errors.New("bad")
	if errs := batch.Same(3, bad); len(errs) != 3 || errs[2] != bad {
		t.Errorf("Same: %v", errs)
	}
}
