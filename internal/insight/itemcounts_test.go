package insight_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/insight"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestItemCountsAgainstEveryItem checks the item counts, which come mostly
// from the sums kept on each incident's facts row by triggers, against a
// count of every item made in Go, on both databases: random items (some on
// whole seconds, to land on the ends of periods), done, reopened, moved
// and removed, counted over random whole-second periods by a viewer who
// may not see the restricted incidents and by one who sees all.
func TestItemCountsAgainstEveryItem(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		db := testutil.OpenStore(t, url)
		rnd := rand.New(rand.NewPCG(7, 11))
		base := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		randTime := func() time.Time {
			at := base.Add(time.Duration(rnd.Int64N(int64(200 * 24 * time.Hour))))
			if rnd.IntN(3) == 0 {
				return at.Truncate(time.Second)
			}
			return at.Truncate(time.Microsecond)
		}
		type item struct {
			id         int64
			incident   int
			created    time.Time
			due, done  *time.Time
			status     review.ItemStatus
			removed    bool
			restricted bool
		}
		var incs []*incident.Incident
		for i := range 8 {
			vis := incident.Internal
			if i%3 == 2 {
				vis = incident.Restricted
			}
			start := base.Add(time.Duration(i) * 20 * 24 * time.Hour)
			inc := &incident.Incident{Title: "incident", Grade: incident.SEV2, Status: incident.Investigating, Source: "manual",
				Visibility: vis, Labels: map[string]string{}, Roles: map[incident.Role]string{}, Members: []string{"carol"},
				CreatedBy: "root", StartedAt: start, DetectedAt: start, CreatedAt: start, UpdatedAt: start}
			ev := []incident.Event{{At: start, Actor: "root", Kind: incident.EventDeclared, Data: map[string]any{"title": "incident"}}}
			if err := db.Incidents().CreateIncident(ctx, inc, ev); err != nil {
				t.Fatal(err)
			}
			incs = append(incs, inc)
		}
		rv := db.Reviews()
		note := func(at time.Time) incident.Event {
			return incident.Event{At: at, Actor: "root", Kind: incident.EventNote, Data: map[string]any{"text": "x"}}
		}
		var items []*item
		for range 80 {
			n := rnd.IntN(len(incs))
			it := &item{incident: n, created: randTime(), status: review.ItemOpen, restricted: incs[n].Visibility == incident.Restricted}
			if rnd.IntN(2) == 0 {
				d := randTime()
				it.due = &d
			}
			ai := &review.ActionItem{IncidentID: incs[n].ID, Title: "item", Category: review.Prevent, Term: review.Short, Owner: "bob",
				DueAt: it.due, Status: review.ItemOpen, CreatedBy: "root", CreatedAt: it.created, UpdatedAt: it.created}
			if err := rv.CreateItem(ctx, ai, note(it.created)); err != nil {
				t.Fatal(err)
			}
			it.id = ai.ID
			items = append(items, it)
		}
		change := func(it *item, fn func(*review.ActionItem)) {
			t.Helper()
			if _, err := rv.UpdateItem(ctx, it.id, func(x *review.ActionItem) (*incident.Event, bool, error) {
				fn(x)
				e := note(x.CreatedAt)
				return &e, false, nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		// Done, then some reopened (the done time stays, the status does
		// not count it), some with their due date moved, some removed.
		for _, it := range items {
			if rnd.IntN(3) > 0 {
				d := it.created.Add(time.Duration(rnd.Int64N(int64(60 * 24 * time.Hour)))).Truncate(time.Microsecond)
				if rnd.IntN(4) == 0 {
					d = d.Truncate(time.Second)
				}
				it.done, it.status = &d, review.ItemDone
				change(it, func(x *review.ActionItem) { x.Status, x.DoneAt = review.ItemDone, it.done })
			}
		}
		for _, it := range items {
			switch rnd.IntN(8) {
			case 0:
				it.status = review.ItemOpen
				change(it, func(x *review.ActionItem) { x.Status = review.ItemOpen })
			case 1:
				d := randTime()
				it.due = &d
				change(it, func(x *review.ActionItem) { x.DueAt = it.due })
			case 2:
				if _, err := db.SQL.ExecContext(ctx, "DELETE FROM action_items WHERE id = $1", it.id); err != nil {
					t.Fatal(err)
				}
				it.removed = true
			}
		}

		want := func(from, to time.Time, seeAll bool) insight.ItemCounts {
			var c insight.ItemCounts
			in := func(x time.Time) bool { return !x.Before(from) && x.Before(to) }
			for _, it := range items {
				if it.removed || it.restricted && !seeAll {
					continue
				}
				if in(it.created) {
					c.Opened++
				}
				if it.status == review.ItemDone && it.done != nil && in(*it.done) {
					c.Done++
					if it.due != nil {
						c.DoneDue++
						if !it.done.After(*it.due) {
							c.DoneOnTime++
						}
					}
				}
			}
			return c
		}
		var ends []time.Time
		for _, it := range items {
			ends = append(ends, it.created.Truncate(time.Second), it.created.Truncate(time.Second).Add(time.Second))
			if it.done != nil {
				ends = append(ends, it.done.Truncate(time.Second))
			}
		}
		check := func(rounds int) {
			t.Helper()
			for round := range rounds {
				from, to := ends[rnd.IntN(len(ends))], ends[rnd.IntN(len(ends))]
				if round%5 == 0 {
					from, to = randTime().Truncate(time.Second), randTime().Truncate(time.Second)
				}
				if round%7 == 0 { // ends inside a second: every item counted one by one
					from, to = from.Add(time.Duration(rnd.IntN(1_000_000))*time.Microsecond), to.Add(time.Duration(rnd.IntN(1_000_000))*time.Microsecond)
				}
				if to.Before(from) {
					from, to = to, from
				}
				for _, seeAll := range []bool{false, true} {
					f := insight.Filter{From: from, To: to, Viewer: "bob", SeeAll: seeAll, Limit: insight.MaxRows}
					got, err := db.Insights().InsightItemCounts(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if w := want(from, to, seeAll); got != w {
						t.Fatalf("[%s, %s) seeing all %v: %+v, want %+v", from, to, seeAll, got, w)
					}
				}
			}
		}
		check(150)
		// Facts rows written after the items (a database that predates the
		// facts, or a bulk load) get their sums from the backfill.
		if _, err := db.SQL.ExecContext(ctx, "DELETE FROM insight_facts"); err != nil {
			t.Fatal(err)
		}
		if n, err := db.BackfillInsightFacts(ctx); err != nil || n != len(incs) {
			t.Fatalf("backfill: %d, %v; want %d", n, err, len(incs))
		}
		check(50)
	})
}

// TestReviewHeldInTimeEdge: a review stage held exactly at the deadline
// (resolved + 14 days) is in time, one a microsecond later is not, one a
// microsecond earlier is; on both databases.
func TestReviewHeldInTimeEdge(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		db := testutil.OpenStore(t, url)
		start := time.Date(2026, 8, 3, 9, 0, 0, 0, time.UTC)
		resolved := start.Add(time.Hour)
		deadline := resolved.Add(14 * 24 * time.Hour)
		for _, held := range []time.Time{deadline, deadline.Add(time.Microsecond), deadline.Add(-time.Microsecond)} {
			inc := &incident.Incident{Title: "incident", Grade: incident.SEV2, Status: incident.Resolved, Source: "manual",
				Visibility: incident.Internal, Labels: map[string]string{}, Roles: map[incident.Role]string{}, Members: []string{},
				CreatedBy: "root", StartedAt: start, DetectedAt: start, ResolvedAt: &resolved, CreatedAt: start, UpdatedAt: start}
			ev := []incident.Event{{At: start, Actor: "root", Kind: incident.EventDeclared, Data: map[string]any{"title": "incident"}}}
			if err := db.Incidents().CreateIncident(ctx, inc, ev); err != nil {
				t.Fatal(err)
			}
			r := &review.Retrospective{IncidentID: inc.ID, Stage: review.TeamStage, HeldAt: &held, UpdatedBy: "root",
				Attendees: []string{}, CreatedAt: start, UpdatedAt: start}
			if err := db.Reviews().SaveRetrospective(ctx, r, incident.Event{At: start, Actor: "root", Kind: incident.EventNote, Data: map[string]any{"text": "x"}}); err != nil {
				t.Fatal(err)
			}
		}
		f := insight.Filter{From: start.Add(-24 * time.Hour), To: start.Add(24 * time.Hour), SeeAll: true, Limit: insight.MaxRows}
		got, err := db.Insights().InsightReviews(ctx, f, 14*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if want := (insight.ReviewCounts{Stages: 3, Held: 3, InTime: 2}); got != want {
			t.Errorf("reviews %+v, want %+v", got, want)
		}
	})
}
