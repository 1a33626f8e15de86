package relisten

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestKeepRetriesAndResetsItsWait: a listen that drops is tried again, its
// wait doubling while it keeps failing and back to a second once a listen
// was ready; it ends when its context does.
func TestKeepRetriesAndResetsItsWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var waits []time.Duration
	calls := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		Keep(ctx, 30*time.Second, func(_ error, wait time.Duration) { waits = append(waits, wait) },
			func(ctx context.Context, ready func()) error {
				calls++
				switch calls {
				case 1, 2:
					return errors.New("connection refused")
				case 3:
					ready()
					return errors.New("connection reset")
				}
				cancel()
				<-ctx.Done()
				return ctx.Err()
			})
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("Keep did not end with its context")
	}
	want := []time.Duration{time.Second, 2 * time.Second, time.Second}
	if calls != 4 || len(waits) != len(want) {
		t.Fatalf("%d listens, waits %v; want 4 listens, waits %v", calls, waits, want)
	}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
}
