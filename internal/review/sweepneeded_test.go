package review_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestSweepNeededMissesNothing: an idle server asks SweepNeeded each period
// and sweeps only when it says so. Stepping the clock through eight days of
// reminders, escalations, a moved due date, a reopened item and a new
// incident, sweeping at every step anyway: every step whose sweep gave a
// notice or checked an incident was one SweepNeeded asked for, and most
// quiet steps were skipped.
func TestSweepNeededMissesNothing(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := openEnv(t, url, nil)
		ctx := context.Background()
		sent := 0
		e.srv.Reviews.SendNotice = func(_ context.Context, _ *sql.Tx, n review.Notice) error { sent++; return nil }
		alice := e.users["alice"]
		inc := e.declare(t, "Checkout timeouts", incident.SEV2, []string{"checkout-api"}, nil)
		var items []int64
		for i, in := range []time.Duration{5 * 24 * time.Hour, 30 * time.Hour, 3*24*time.Hour + 7*time.Minute} {
			it, err := e.srv.Review.AddItem(ctx, alice, inc.ID, review.ItemInput{Title: []string{"Cap retries at 2", "Alert on queue depth", "Shard the cache"}[i],
				Category: review.Prevent, Term: review.Short, Owner: "alice", DueAt: due(e, in)}, "en")
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, it.Item.ID)
		}
		const window = time.Hour
		step := 50 * time.Minute
		last := e.clock.Now()
		var asked, quiet, skipped int
		for i := 0; i < 8*24*60/50; i++ {
			e.clock.Add(step)
			now := e.clock.Now()
			switch i {
			case 40: // the first item's due date moves two days on
				later := now.Add(2 * 24 * time.Hour).Truncate(time.Second)
				if _, err := e.srv.Review.UpdateItem(ctx, alice, items[0], review.ItemPatch{DueAt: &later}); err != nil {
					t.Fatal(err)
				}
			case 90: // a new incident, to be checked for recurrence
				e.declare(t, "Checkout timeouts again", incident.SEV3, []string{"checkout-api"}, nil)
			case 120: // an item done and reopened after it was escalated
				for _, st := range []review.ItemStatus{review.ItemDone, review.ItemOpen} {
					if _, err := e.srv.Review.UpdateItem(ctx, alice, items[1], review.ItemPatch{Status: &st}); err != nil {
						t.Fatal(err)
					}
				}
			}
			needed, err := e.srv.Review.SweepNeeded(ctx, last, now, window)
			if err != nil {
				t.Fatal(err)
			}
			last = now
			before := sent
			if _, err := e.srv.Review.SendDueNotices(ctx, now); err != nil {
				t.Fatal(err)
			}
			toCheck, err := e.srv.Reviews.IncidentsToCheck(ctx, now.Add(-window), 10)
			if err != nil {
				t.Fatal(err)
			}
			checked := len(toCheck)
			if _, err := e.srv.Review.DetectRecent(ctx, now.Add(-window), now); err != nil {
				t.Fatal(err)
			}
			if sent > before || checked > 0 {
				asked++
				if !needed {
					t.Fatalf("step %d (%s): the sweep gave %d notices and checked %d incidents, but SweepNeeded said no",
						i, now.Format(time.RFC3339), sent-before, checked)
				}
			} else {
				quiet++
				if !needed {
					skipped++
				}
			}
		}
		if asked < 5 {
			t.Fatalf("only %d steps had work; the test does not exercise the sweep", asked)
		}
		if skipped < quiet*9/10 {
			t.Fatalf("SweepNeeded skipped %d of %d quiet steps, want nearly all", skipped, quiet)
		}
		t.Logf("%d steps with work, %d of %d quiet steps skipped", asked, skipped, quiet)
	})
}
