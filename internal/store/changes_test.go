package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/change"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func newChange(ext string, kind change.Kind, at time.Time, services ...string) *change.Change {
	return &change.Change{Source: change.SourceGitHub, ExternalID: ext, Kind: kind, Services: services, Title: "change " + ext,
		Version: "v-" + ext, Repository: "acme/shop", At: at, RecordedAt: at, Links: []change.Link{{Title: "PR", URL: "https://github.com/acme/shop/pull/1"}},
		Labels: []string{"롤백불가"}, Verdict: change.Verdict{Reason: "PR #1 is labelled 롤백불가", PR: "https://github.com/acme/shop/pull/1", Label: "롤백불가"}}
}

func TestChangesStore(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := db.Changes()
		c := newChange("pr-1", change.KindCode, t0, "checkout-api")
		inserted, err := s.InsertChange(ctx, c)
		if err != nil || !inserted || c.ID == 0 {
			t.Fatalf("insert: %v %v %d", inserted, err, c.ID)
		}
		again := newChange("pr-1", change.KindCode, t0.Add(time.Hour), "ledger")
		inserted, err = s.InsertChange(ctx, again)
		if err != nil || inserted || again.ID != c.ID || again.Services[0] != "checkout-api" {
			t.Fatalf("second insert of the same external id: inserted=%v err=%v id=%d services=%v", inserted, err, again.ID, again.Services)
		}
		got, err := s.GetChange(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Verdict.Rollbackable || got.Verdict.Label != "롤백불가" || got.Verdict.PR == "" || !got.At.Equal(t0) ||
			got.Links[0].URL != c.Links[0].URL || got.Labels[0] != "롤백불가" || got.Kind != change.KindCode {
			t.Fatalf("read back %+v", got)
		}
		// A window of two services, newest first, with a limit and a cursor.
		for i := 1; i <= 5; i++ {
			d := newChange(fmt.Sprintf("d-%d", i), change.KindDeploy, t0.Add(time.Duration(i)*time.Hour), "checkout-api", "ledger")
			d.Verdict = change.Safe
			if _, err := s.InsertChange(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.InsertChange(ctx, newChange("other", change.KindDeploy, t0.Add(2*time.Hour), "search")); err != nil {
			t.Fatal(err)
		}
		page, err := s.ListChanges(ctx, change.Query{Services: []string{"checkout-api", "ledger"}, From: t0, To: t0.Add(4 * time.Hour), Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if ids := externalIDs(page); !slices.Equal(ids, []string{"d-4", "d-3", "d-2"}) {
			t.Fatalf("window page = %v", ids)
		}
		last := page[len(page)-1]
		next, err := s.ListChanges(ctx, change.Query{Services: []string{"checkout-api"}, Before: &change.Cursor{At: last.At, ID: last.ID}, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if ids := externalIDs(next); !slices.Equal(ids, []string{"d-1", "pr-1"}) {
			t.Fatalf("next page = %v", ids)
		}
		deploys, err := s.ListChanges(ctx, change.Query{Services: []string{"ledger"}, Kinds: []change.Kind{change.KindDeploy}, Limit: 2})
		if err != nil || !slices.Equal(externalIDs(deploys), []string{"d-5", "d-4"}) {
			t.Fatalf("latest deploys = %v %v", externalIDs(deploys), err)
		}
		byRepo, err := s.ListChanges(ctx, change.Query{Repository: "acme/shop", Kinds: []change.Kind{change.KindCode}, From: t0, To: t0.Add(time.Hour), Limit: 10})
		if err != nil || !slices.Equal(externalIDs(byRepo), []string{"pr-1"}) {
			t.Fatalf("repository changes = %v %v", externalIDs(byRepo), err)
		}

		// Unmapped: kept, listed for the admin, then mapped and found.
		u := newChange("unknown-repo", change.KindDeploy, t0.Add(30*time.Minute))
		u.Repository, u.Hint = "acme/unknown", "repository acme/unknown"
		if _, err := s.InsertChange(ctx, u); err != nil {
			t.Fatal(err)
		}
		unmapped, err := s.ListUnmapped(ctx, 0, 10)
		if err != nil || len(unmapped) != 1 || unmapped[0].ID != u.ID || unmapped[0].Hint == "" {
			t.Fatalf("unmapped = %+v %v", unmapped, err)
		}
		if _, err := s.MapChange(ctx, u.ID, []string{"search"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MapChange(ctx, u.ID, []string{"search"}); fail.CodeOf(err) != fail.Conflict {
			t.Fatalf("mapping twice: %v", err)
		}
		if _, err := s.MapChange(ctx, 999999, []string{"search"}); fail.CodeOf(err) != fail.NotFound {
			t.Fatalf("mapping a missing change: %v", err)
		}
		found, err := s.ListChanges(ctx, change.Query{Services: []string{"search"}, Limit: 10})
		if err != nil || !slices.Contains(externalIDs(found), "unknown-repo") {
			t.Fatalf("mapped change not found: %v %v", externalIDs(found), err)
		}
		if unmapped, _ := s.ListUnmapped(ctx, 0, 10); len(unmapped) != 0 {
			t.Fatalf("still unmapped: %v", externalIDs(unmapped))
		}

		// Open incidents of services, for change_landed.
		inc := newIncident("결제 지연", incident.SEV2, incident.Internal, "checkout-api")
		if err := db.Incidents().CreateIncident(ctx, inc, nil); err != nil {
			t.Fatal(err)
		}
		ids, err := db.Incidents().OpenIncidentsOf(ctx, []string{"ledger", "checkout-api"}, t0.Add(time.Minute))
		if err != nil || !slices.Equal(ids, []int64{inc.ID}) {
			t.Fatalf("open incidents = %v %v", ids, err)
		}
		if ids, _ := db.Incidents().OpenIncidentsOf(ctx, []string{"checkout-api"}, t0.Add(-time.Minute)); len(ids) != 0 {
			t.Fatalf("an incident that started after the change: %v", ids)
		}
	})
}

func externalIDs(cs []change.Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ExternalID
	}
	return out
}

// BenchmarkIncidentChanges measures the incident page's query, "changes of
// these services in the 24 hours before the incident, newest first", over
// 100,000 changes of 50 services spread over a year.
func BenchmarkIncidentChanges(b *testing.B) {
	testutil.BenchEachDatabase(b, func(b *testing.B, url string) {
		ctx := context.Background()
		db := testutil.OpenStore(b, url)
		s := db.Changes()
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		const n, services = 100_000, 50
		seedChanges(b, db, start, n, services)
		times := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := range b.N {
			at := start.Add(time.Duration(i%300+30) * 24 * time.Hour)
			q := change.Query{Services: []string{fmt.Sprintf("svc-%d", i%services), fmt.Sprintf("svc-%d", (i+3)%services), fmt.Sprintf("svc-%d", (i+9)%services)},
				From: at.Add(-24 * time.Hour), To: at, Limit: change.MaxIncidentChanges}
			t := time.Now()
			cs, err := s.ListChanges(ctx, q)
			times = append(times, time.Since(t))
			if err != nil || len(cs) == 0 {
				b.Fatalf("%d changes, %v", len(cs), err)
			}
		}
		b.StopTimer()
		slices.Sort(times)
		b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
	})
}

// seedChanges writes n deploys of the services over a year in one
// transaction (one per change would take minutes of fsyncs); every seventh
// also belongs to the next service.
func seedChanges(b *testing.B, db *store.DB, start time.Time, n, services int) {
	ctx := context.Background()
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	ts := func(t time.Time) any {
		if db.Dialect == store.SQLite {
			return t.UTC().Format("2006-01-02T15:04:05.000000Z")
		}
		return t
	}
	step := 365 * 24 * time.Hour / time.Duration(n)
	for i := range n {
		at := start.Add(time.Duration(i) * step)
		svcs := []string{fmt.Sprintf("svc-%d", i%services)}
		if i%7 == 0 {
			svcs = append(svcs, fmt.Sprintf("svc-%d", (i+1)%services))
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO changes (source, external_id, kind, services, mapped, title, version, at, rollbackable, recorded_at)
			VALUES ('bench', $1, 'deploy', $2, $3, 'deploy', $4, $5, $6, $7) RETURNING id`,
			fmt.Sprint(i), `["`+strings.Join(svcs, `","`)+`"]`, true, fmt.Sprint(i), ts(at), i%5 != 0, ts(at)).Scan(&id)
		if err != nil {
			b.Fatal(err)
		}
		for _, sv := range svcs {
			if _, err := tx.ExecContext(ctx, "INSERT INTO change_services (service, at, change_id, kind) VALUES ($1, $2, $3, 'deploy')", sv, ts(at), id); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if db.Dialect == store.Postgres {
		_, err = db.SQL.ExecContext(ctx, "ANALYZE changes; ANALYZE change_services")
	} else {
		_, err = db.SQL.ExecContext(ctx, "ANALYZE")
	}
	if err != nil {
		b.Fatal(err)
	}
}
