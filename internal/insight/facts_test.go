package insight_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/insight"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// everyone is a directory in which every service of the catalog and every
// user exists.
type everyone struct{ cat *catalog.Catalog }

func (d everyone) ServiceExists(name string) bool { _, ok := d.cat.Service(name); return ok }
func (everyone) UserExists(context.Context, string) (bool, error) {
	return true, nil
}

// factsRow reads an incident's insight facts as the store keeps them.
func factsRow(t *testing.T, db *store.DB, id int64) []any {
	t.Helper()
	row := make([]any, 12)
	ptrs := make([]any, len(row))
	for i := range row {
		ptrs[i] = &row[i]
	}
	err := db.SQL.QueryRowContext(context.Background(), `SELECT started_unix, resolved_unix, grade, restricted, recurs,
		detection, services, cause_tags, detect_s, ack_s, mitigate_s, resolve_s FROM insight_facts WHERE incident_id = $1`, id).Scan(ptrs...)
	if err != nil {
		t.Fatalf("facts of %d: %v", id, err)
	}
	for i, v := range row { // the drivers differ in how they hand over text and integers
		switch x := v.(type) {
		case []byte:
			row[i] = string(x)
		case int32:
			row[i] = int64(x)
		}
	}
	return row
}

// checkFacts says the facts the write path left are those worked out anew
// from the incident as it now stands: it drops them, backfills, and
// compares.
func checkFacts(t *testing.T, db *store.DB, step string, id int64) {
	t.Helper()
	kept := factsRow(t, db, id)
	if _, err := db.SQL.ExecContext(context.Background(), "DELETE FROM insight_facts WHERE incident_id = $1", id); err != nil {
		t.Fatal(err)
	}
	if n, err := db.BackfillInsightFacts(context.Background()); err != nil || n != 1 {
		t.Fatalf("backfill: %d, %v", n, err)
	}
	if fresh := factsRow(t, db, id); !reflect.DeepEqual(kept, fresh) {
		t.Errorf("after %s the facts are %v, but the incident says %v", step, kept, fresh)
	}
}

// TestFactsFollowEveryWrite walks one incident through every kind of change
// and checks after each that the rollup the measures read has followed,
// both against a fresh computation and in the report.
func TestFactsFollowEveryWrite(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		db := testutil.OpenStore(t, url)
		cat, err := catalog.Parse("test.yaml", []byte(testCatalog))
		if err != nil {
			t.Fatal(err)
		}
		now := at("2026-11-10T12:00:00Z")
		clock := func() time.Time { return now }
		incs := incident.NewService(db.Incidents(), everyone{cat}, clock)
		svc := &insight.Service{Store: db.Insights(), Catalog: cat, Zone: time.UTC, Now: clock}
		rep := func(by string) *insight.Report {
			t.Helper()
			user := admin
			if by == "bob" {
				user = bob
			}
			r, err := svc.Report(ctx, user, insight.Query{Period: "2026-11"})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		stat := func(r *insight.Report, m insight.Measure) insight.Stat { return r.Overall.Stats[m] }

		started, detected := now.Add(-2*time.Hour), now.Add(-110*time.Minute)
		inc, err := incs.Declare(ctx, admin, incident.Declaration{Title: "결제 지연", Grade: incident.SEV3,
			Services: []string{"checkout"}, CauseTags: []string{"deploy"}, Visibility: incident.Internal,
			StartedAt: &started, DetectedAt: &detected})
		if err != nil {
			t.Fatal(err)
		}
		checkFacts(t, db, "declare", inc.ID)
		if r := rep("root"); r.Incidents != 1 || stat(r, insight.Detect).Median != 10*time.Minute || stat(r, insight.Acknowledge).Count != 0 {
			t.Fatalf("declared: %d incidents, detect %+v, acknowledge %+v", r.Incidents, stat(r, insight.Detect), stat(r, insight.Acknowledge))
		}

		now = now.Add(5 * time.Minute)
		if _, err := incs.SetStatus(ctx, admin, inc.ID, incident.Identified, ""); err != nil {
			t.Fatal(err)
		}
		checkFacts(t, db, "status change", inc.ID)
		if s := stat(rep("root"), insight.Acknowledge); s.Count != 1 || s.Median != 115*time.Minute {
			t.Errorf("identified: acknowledge %+v, want 115m (detected 110m before, 5m on)", s)
		}

		now = now.Add(15 * time.Minute)
		if _, err := incs.Mitigate(ctx, admin, inc.ID, nil); err != nil {
			t.Fatal(err)
		}
		checkFacts(t, db, "mitigate", inc.ID)
		if s := stat(rep("root"), insight.Mitigate); s.Count != 1 || s.Median != 140*time.Minute {
			t.Errorf("mitigated: %+v, want 140m", s)
		}

		earlier := started.Add(30 * time.Minute) // found 30 minutes after the start, not 10
		alert := incident.MonitoringAlert
		if _, err := incs.Update(ctx, admin, inc.ID, incident.Patch{Detection: &alert, DetectedAt: &earlier}); err != nil {
			t.Fatal(err)
		}
		checkFacts(t, db, "detection edit", inc.ID)
		if r := rep("root"); len(r.By["source"]) != 1 || r.By["source"][0].Key != "monitoring_alert" || stat(r, insight.Detect).Median != 30*time.Minute {
			t.Errorf("detection edit: sources %+v, detect %+v; want monitoring_alert, 30m", r.By["source"], stat(r, insight.Detect))
		}

		sev1, services, tags := incident.SEV1, []string{"ledger", "site"}, []string{"config", "capacity"}
		if _, err := incs.Update(ctx, admin, inc.ID, incident.Patch{Grade: &sev1, Services: &services, CauseTags: &tags}); err != nil {
			t.Fatal(err)
		}
		checkFacts(t, db, "grade, service and tag edit", inc.ID)
		r := rep("root")
		if r.By["grade"][0].Key != "SEV1" || len(r.By["service"]) != 2 || len(r.By["team"]) != 2 || len(r.By["cause"]) != 2 {
			t.Errorf("after the edit: grades %+v services %+v teams %+v causes %+v", r.By["grade"], r.By["service"], r.By["team"], r.By["cause"])
		}
		if r.Counts[0].ByGrade != [5]int{1, 0, 0, 0, 0} || r.Heatmap.Services[0] != "ledger" {
			t.Errorf("after the edit: counts %+v heatmap %+v", r.Counts, r.Heatmap)
		}

		restricted := incident.Restricted
		if _, err := incs.Update(ctx, admin, inc.ID, incident.Patch{Visibility: &restricted}); err != nil {
			t.Fatal(err)
		}
		checkFacts(t, db, "restricted flip", inc.ID)
		if n := rep("bob").Incidents; n != 0 {
			t.Errorf("bob, no member, sees %d restricted incidents", n)
		}
		if n := rep("root").Incidents; n != 1 {
			t.Errorf("the admin sees %d incidents, want 1", n)
		}
		internal := incident.Internal
		if _, err := incs.Update(ctx, admin, inc.ID, incident.Patch{Visibility: &internal}); err != nil {
			t.Fatal(err)
		}
		checkFacts(t, db, "restricted flip back", inc.ID)
		if n := rep("bob").Incidents; n != 1 {
			t.Errorf("bob sees %d incidents once it is internal again, want 1", n)
		}

		now = now.Add(40 * time.Minute)
		if _, err := incs.SetStatus(ctx, admin, inc.ID, incident.Resolved, ""); err != nil {
			t.Fatal(err)
		}
		checkFacts(t, db, "resolve", inc.ID)
		if s := stat(rep("root"), insight.Resolve); s.Count != 1 || s.Median != 180*time.Minute {
			t.Errorf("resolved: %+v, want 180m", s)
		}

		// A past incident imported with its times, as the demo's year of
		// history is; and a recurrence link from the first one to it.
		pastStart := at("2026-11-02T03:00:00Z")
		past := &incident.Incident{Title: "예전 장애", Grade: incident.SEV2, Status: incident.Closed, Source: "manual",
			Visibility: incident.Internal, Services: []string{"ledger"}, Labels: map[string]string{}, CauseTags: []string{"config"},
			Roles: map[incident.Role]string{}, Members: []string{}, CreatedBy: "root", StartedAt: pastStart,
			DetectedAt: pastStart.Add(3 * time.Minute), ResolvedAt: ptr(pastStart.Add(time.Hour)), CreatedAt: now, UpdatedAt: now}
		ev := []incident.Event{{At: now, Actor: "root", Kind: incident.EventDeclared, Data: map[string]any{"title": past.Title}}}
		if err := db.Incidents().CreateIncident(ctx, past, ev); err != nil {
			t.Fatal(err)
		}
		checkFacts(t, db, "import of a past incident", past.ID)
		if r := rep("root"); r.Incidents != 2 || stat(r, insight.Detect).Count != 2 || stat(r, insight.Detect).Median != 3*time.Minute {
			t.Errorf("with the past incident: %d incidents, detect %+v", r.Incidents, stat(r, insight.Detect))
		}
		_, err = db.Reviews().SaveMatches(ctx, inc.ID, []review.Match{{EarlierID: past.ID, Reason: "service_cause", Score: 1}},
			func([]review.Match) incident.Event {
				return incident.Event{At: now, Actor: "root", Kind: incident.EventNote, Data: map[string]any{"text": "x"}}
			})
		if err != nil {
			t.Fatal(err)
		}
		checkFacts(t, db, "recurrence link", inc.ID)
		if r := rep("root").Recurrence; r.Recurring != 1 || r.Incidents != 2 {
			t.Errorf("recurrence %+v, want 1 of 2", r)
		}
	})
}

func ptr(t time.Time) *time.Time { return &t }
