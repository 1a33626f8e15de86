package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/store"
)

// TestRateEvents: counts see every writer's events within the window, Take
// never lets more than the limit through even when many take at once, and
// Remove gives one event back or forgets a key.
func TestRateEvents(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := db.RateEvents()
		t0 := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
		if err := r.Add(ctx, "login", []string{"addr:1", "name:ada"}, t0); err != nil {
			t.Fatal(err)
		}
		if err := r.Add(ctx, "login", []string{"name:ada"}, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		n, oldest, err := r.Count(ctx, "login", "name:ada", t0.Add(-time.Hour))
		if err != nil || n != 2 || !oldest.Equal(t0) {
			t.Fatalf("count: %d %v %v", n, oldest, err)
		}
		if n, _, _ := r.Count(ctx, "login", "name:ada", t0.Add(30*time.Second)); n != 1 {
			t.Fatalf("count within a shorter window: %d", n)
		}
		if n, _, _ := r.Count(ctx, "report_form", "name:ada", t0.Add(-time.Hour)); n != 0 {
			t.Fatalf("another scope's count: %d", n)
		}
		if err := r.Remove(ctx, "login", "name:ada", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if n, _, _ := r.Count(ctx, "login", "name:ada", t0.Add(-time.Hour)); n != 0 {
			t.Fatalf("after forgetting: %d", n)
		}
		if n, _, _ := r.Count(ctx, "login", "addr:1", t0.Add(-time.Hour)); n != 1 {
			t.Fatalf("forgetting one key forgot another: %d", n)
		}

		// Twenty take at once with room for five.
		var ok atomic.Int64
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				at := t0.Add(time.Duration(i) * time.Millisecond)
				took, _, err := r.Take(ctx, "report_form", "1.2.3.4", at, t0.Add(-time.Hour), 5)
				if err != nil {
					t.Error(err)
				}
				if took {
					ok.Add(1)
				}
			}()
		}
		wg.Wait()
		if got := ok.Load(); got > 5 || got == 0 {
			t.Fatalf("%d of 20 took a report with room for 5", got)
		}
		n, _, _ = r.Count(ctx, "report_form", "1.2.3.4", t0.Add(-time.Hour))
		if int64(n) != ok.Load() {
			t.Fatalf("%d events stored for %d taken", n, ok.Load())
		}
		full, oldest, err := r.Take(ctx, "report_form", "1.2.3.4", t0.Add(time.Second), t0.Add(-time.Hour), int(ok.Load()))
		if err != nil || full || oldest.IsZero() {
			t.Fatalf("take at the limit: %v %v %v", full, oldest, err)
		}
		// Giving one back makes room.
		if err := r.Remove(ctx, "report_form", "1.2.3.4", oldest); err != nil {
			t.Fatal(err)
		}
		if took, _, err := r.Take(ctx, "report_form", "1.2.3.4", t0.Add(time.Second), t0.Add(-time.Hour), int(ok.Load())); err != nil || !took {
			t.Fatalf("take after a release: %v %v", took, err)
		}
		// A day later the old events are pruned as new ones come.
		if err := r.Add(ctx, "login", []string{"addr:2"}, t0.Add(25*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n, _, _ := r.Count(ctx, "report_form", "1.2.3.4", t0.Add(-time.Hour)); n != 0 {
			t.Fatalf("%d day-old events kept", n)
		}
	})
}
