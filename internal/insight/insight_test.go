package insight_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/insight"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

const testCatalog = `
teams:
  - name: pay
    lead: lena
  - name: web
    lead: wes
services:
  - name: checkout
    team: pay
  - name: ledger
    team: pay
  - name: site
    team: web
`

var seoul = mustZone("Asia/Seoul")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return z
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func atp(s string) *time.Time { t := at(s); return &t }

func after(t time.Time, minutes int) *time.Time {
	x := t.Add(time.Duration(minutes) * time.Minute)
	return &x
}

// fixture is the hand-built set; see seed for the answers worked out by hand.
type fixture struct {
	svc        *insight.Service
	a, b, c, d *incident.Incident
}

var (
	bob   = auth.User{Name: "bob", Role: auth.Responder}
	carol = auth.User{Name: "carol", Role: auth.Responder}
	admin = auth.User{Name: "root", Role: auth.Admin}
)

// seed stores, in Asia/Seoul:
//
//	A SEV2 checkout [deploy]        2026-07-01 01:00 KST (still June in UTC), detect 10m, ack 5m, mitigate 30m, resolve 60m
//	B SEV1 checkout+ledger [deploy config] 2026-07-15, detect 2m, ack 3m, mitigate 20m, resolve 120m; recurs A
//	C SEV3 site []                  2026-08-10, detect 30m, nothing else
//	D SEV2 ledger restricted (carol) 2026-09-01, detect 4m, ack 1m, mitigate 10m, resolve 40m
//	E SEV2 site                     2026-10-01 01:00 KST (still September in UTC): outside 2026-Q3
//	F SEV4 site                     2026-06-30 23:59 KST: outside 2026-Q3
func seed(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.Parse("test.yaml", []byte(testCatalog))
	if err != nil {
		t.Fatal(err)
	}
	detection := incident.Unknown // how the next incident mk makes was found
	mk := func(grade incident.Grade, vis incident.Visibility, start time.Time, services, causes []string,
		detect int, ack, mitigate, resolve *time.Time, members ...string) *incident.Incident {
		inc := &incident.Incident{
			Title: "incident", Grade: grade, Status: incident.Investigating, Source: "manual", Visibility: vis,
			Services: services, Labels: map[string]string{}, CauseTags: causes,
			Roles: map[incident.Role]string{}, Members: append([]string{}, members...),
			CreatedBy: "root", StartedAt: start, DetectedAt: *after(start, detect),
			AcknowledgedAt: ack, MitigatedAt: mitigate, ResolvedAt: resolve,
			CreatedAt: start, UpdatedAt: start, Detection: detection,
		}
		ev := []incident.Event{{At: start, Actor: "root", Kind: incident.EventDeclared, Data: map[string]any{"title": inc.Title}}}
		if err := db.Incidents().CreateIncident(ctx, inc, ev); err != nil {
			t.Fatal(err)
		}
		return inc
	}
	aStart := at("2026-06-30T16:00:00Z")
	bStart := at("2026-07-15T00:00:00Z")
	dStart := at("2026-09-01T00:00:00Z")
	f := fixture{}
	f.a = mk(incident.SEV2, incident.Internal, aStart, []string{"checkout"}, []string{"deploy"},
		10, after(aStart, 15), after(aStart, 30), after(aStart, 60))
	detection = incident.MonitoringAlert
	f.b = mk(incident.SEV1, incident.Public, bStart, []string{"checkout", "ledger"}, []string{"deploy", "config"},
		2, after(bStart, 5), after(bStart, 20), after(bStart, 120))
	detection = incident.Unknown
	f.c = mk(incident.SEV3, incident.Internal, at("2026-08-10T00:00:00Z"), []string{"site"}, nil, 30, nil, nil, nil)
	f.d = mk(incident.SEV2, incident.Restricted, dStart, []string{"ledger"}, nil,
		4, after(dStart, 5), after(dStart, 10), after(dStart, 40), "carol")
	mk(incident.SEV2, incident.Internal, at("2026-09-30T16:00:00Z"), []string{"site"}, nil, 1, nil, nil, nil)
	mk(incident.SEV4, incident.Internal, at("2026-06-30T14:59:00Z"), []string{"site"}, nil, 1, nil, nil, nil)

	rv := db.Reviews()
	ev := func(at time.Time) incident.Event {
		return incident.Event{At: at, Actor: "root", Kind: incident.EventNote, Data: map[string]any{"text": "x"}}
	}
	if _, err := rv.SaveMatches(ctx, f.b.ID, []review.Match{{EarlierID: f.a.ID, Reason: "service_cause", Score: 1}},
		func([]review.Match) incident.Event { return ev(bStart) }); err != nil {
		t.Fatal(err)
	}
	item := func(inc *incident.Incident, term review.Term, cat review.Category, created string, due *time.Time, done *time.Time) {
		it := &review.ActionItem{IncidentID: inc.ID, Title: "item", Category: cat, Term: term, Owner: "bob", DueAt: due,
			Status: review.ItemOpen, CreatedBy: "root", CreatedAt: at(created), UpdatedAt: at(created)}
		if err := rv.CreateItem(ctx, it, ev(at(created))); err != nil {
			t.Fatal(err)
		}
		if done != nil {
			if _, err := rv.UpdateItem(ctx, it.ID, func(x *review.ActionItem) (*incident.Event, bool, error) {
				x.Status, x.DoneAt = review.ItemDone, done
				e := ev(*done)
				return &e, false, nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	item(f.a, review.Long, review.Prevent, "2026-07-02T00:00:00Z", atp("2026-09-01T00:00:00Z"), nil)
	item(f.a, review.Short, review.Detect, "2026-07-03T00:00:00Z", atp("2026-07-10T00:00:00Z"), atp("2026-07-09T00:00:00Z"))
	item(f.b, review.Short, review.Handle, "2026-07-16T00:00:00Z", atp("2026-07-20T00:00:00Z"), atp("2026-07-25T00:00:00Z"))
	item(f.b, review.Short, review.Handle, "2026-08-01T00:00:00Z", nil, atp("2026-10-01T00:00:00Z"))
	item(f.d, review.Short, review.Prevent, "2026-09-02T00:00:00Z", nil, nil)
	item(f.c, review.Long, review.Detect, "2026-08-15T00:00:00Z", nil, nil)

	retro := func(inc *incident.Incident, stage review.Stage, held *time.Time) {
		r := &review.Retrospective{IncidentID: inc.ID, Stage: stage, HeldAt: held, UpdatedBy: "root",
			Attendees: []string{}, CreatedAt: inc.StartedAt, UpdatedAt: inc.StartedAt}
		if err := rv.SaveRetrospective(ctx, r, ev(inc.StartedAt)); err != nil {
			t.Fatal(err)
		}
	}
	retro(f.a, review.TeamStage, atp("2026-07-10T00:00:00Z"))      // 9 days after: in time
	retro(f.a, review.DeveloperStage, atp("2026-07-20T00:00:00Z")) // 19 days after: late
	retro(f.b, review.TeamStage, nil)                              // not held yet
	retro(f.d, review.TeamStage, atp("2026-09-02T00:00:00Z"))      // restricted: in time

	f.svc = &insight.Service{Store: db.Insights(), Catalog: cat, Zone: seoul,
		Now: func() time.Time { return at("2026-10-15T00:00:00Z") }}
	return f
}

func eachDB(t *testing.T, fn func(t *testing.T, f fixture)) {
	testutil.EachDatabase(t, func(t *testing.T, url string) { fn(t, seed(t, testutil.OpenStore(t, url))) })
}

func report(t *testing.T, f fixture, by auth.User, q insight.Query) *insight.Report {
	t.Helper()
	rep, err := f.svc.Report(context.Background(), by, q)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func min(n int) time.Duration { return time.Duration(n) * time.Minute }

type want struct {
	count    int
	med, p90 time.Duration
}

func checkStat(t *testing.T, what string, got insight.Stat, w want) {
	t.Helper()
	if got.Count != w.count || got.Median != w.med || got.P90 != w.p90 {
		t.Errorf("%s = %d incidents, median %v, p90 %v; want %d, %v, %v", what, got.Count, got.Median, got.P90, w.count, w.med, w.p90)
	}
}

func group(t *testing.T, rep *insight.Report, dim, key string) insight.Group {
	t.Helper()
	for _, g := range rep.By[dim] {
		if g.Key == key {
			return g
		}
	}
	t.Fatalf("no %s group %q in %+v", dim, key, rep.By[dim])
	return insight.Group{}
}

func TestDurationsByViewer(t *testing.T) {
	eachDB(t, func(t *testing.T, f fixture) {
		rep := report(t, f, bob, insight.Query{Period: "2026-Q3"})
		if rep.Incidents != 3 {
			t.Fatalf("bob sees %d incidents in 2026-Q3, want 3 (A, B, C: D is restricted, E and F fall outside in Seoul time)", rep.Incidents)
		}
		o := rep.Overall.Stats
		checkStat(t, "detect", o[insight.Detect], want{3, min(10), min(30)})
		checkStat(t, "acknowledge", o[insight.Acknowledge], want{2, min(3), min(5)})
		checkStat(t, "mitigate", o[insight.Mitigate], want{2, min(20), min(30)})
		checkStat(t, "resolve", o[insight.Resolve], want{2, min(60), min(120)})

		all := report(t, f, admin, insight.Query{Period: "2026-Q3"})
		if all.Incidents != 4 {
			t.Fatalf("admin sees %d incidents, want 4", all.Incidents)
		}
		o = all.Overall.Stats
		checkStat(t, "admin detect", o[insight.Detect], want{4, min(4), min(30)})
		checkStat(t, "admin acknowledge", o[insight.Acknowledge], want{3, min(3), min(5)})
		checkStat(t, "admin mitigate", o[insight.Mitigate], want{3, min(20), min(30)})
		checkStat(t, "admin resolve", o[insight.Resolve], want{3, min(60), min(120)})

		member := report(t, f, carol, insight.Query{Period: "2026-Q3"})
		if member.Incidents != 4 {
			t.Errorf("carol, a member of restricted D, sees %d incidents, want 4", member.Incidents)
		}
	})
}

func TestBreakdowns(t *testing.T) {
	eachDB(t, func(t *testing.T, f fixture) {
		rep := report(t, f, bob, insight.Query{Period: "2026-Q3"})
		checkStat(t, "SEV1 resolve", group(t, rep, "grade", "SEV1").Stats[insight.Resolve], want{1, min(120), min(120)})
		checkStat(t, "SEV2 detect", group(t, rep, "grade", "SEV2").Stats[insight.Detect], want{1, min(10), min(10)})
		checkStat(t, "checkout detect", group(t, rep, "service", "checkout").Stats[insight.Detect], want{2, min(2), min(10)})
		if g := group(t, rep, "service", "ledger"); g.Incidents != 1 {
			t.Errorf("ledger has %d incidents for bob, want 1 (D is restricted)", g.Incidents)
		}
		if g := group(t, rep, "team", "pay"); g.Incidents != 2 {
			t.Errorf("team pay has %d incidents, want 2 (B counts once for two services)", g.Incidents)
		}
		if g := group(t, rep, "team", "web"); g.Incidents != 1 {
			t.Errorf("team web has %d incidents, want 1", g.Incidents)
		}
		checkStat(t, "deploy mitigate", group(t, rep, "cause", "deploy").Stats[insight.Mitigate], want{2, min(20), min(30)})
		if g := group(t, rep, "cause", "none"); g.Incidents != 1 {
			t.Errorf("no cause tag: %d incidents, want 1 (C)", g.Incidents)
		}
		if g := group(t, rep, "source", "unknown"); g.Incidents != 2 {
			t.Errorf("source unknown: %d incidents, want 2", g.Incidents)
		}
		checkStat(t, "monitoring alert detect", group(t, rep, "source", "monitoring_alert").Stats[insight.Detect], want{1, min(2), min(2)})
	})
}

func TestFilters(t *testing.T) {
	eachDB(t, func(t *testing.T, f fixture) {
		// The action items follow the filters too: C has one long-term
		// item open since 08-15 (61 days at 10-15); B's two items and D's
		// one were opened in Q3, D's still open since 09-02 (43 days); A's
		// long-term item is open since 07-02 (105 days).
		cOpen := insight.AgeGroup{Term: "long", Category: "detect", Open: 1, MedianDays: 61, MaxDays: 61}
		dOpen := insight.AgeGroup{Term: "short", Category: "prevent", Open: 1, MedianDays: 43, MaxDays: 43}
		aOpen := insight.AgeGroup{Term: "long", Category: "prevent", Open: 1, MedianDays: 105, MaxDays: 105}
		if rep := report(t, f, bob, insight.Query{Period: "2026-Q3", Team: "web"}); rep.Incidents != 1 || rep.Items.Opened != 1 ||
			!slices.Equal(rep.Items.OpenAges, []insight.AgeGroup{cOpen}) {
			t.Errorf("team web: %d incidents, items %+v; want 1 (C), 1 opened, %+v", rep.Incidents, rep.Items, cOpen)
		}
		if rep := report(t, f, admin, insight.Query{Period: "2026-Q3", Service: "ledger"}); rep.Incidents != 2 || rep.Items.Opened != 3 ||
			!slices.Equal(rep.Items.OpenAges, []insight.AgeGroup{dOpen}) {
			t.Errorf("service ledger for admin: %d incidents, items %+v; want 2 (B, D), 3 opened, %+v", rep.Incidents, rep.Items, dOpen)
		}
		if rep := report(t, f, bob, insight.Query{Period: "2026-Q3", Service: "ledger"}); rep.Items.Opened != 2 || len(rep.Items.OpenAges) != 0 {
			t.Errorf("service ledger for bob: items %+v; want B's 2 opened and none open (D is restricted)", rep.Items)
		}
		if rep := report(t, f, admin, insight.Query{Period: "2026-Q3", Grades: []string{"SEV2"}}); rep.Incidents != 2 || rep.Items.Opened != 3 ||
			!slices.Equal(rep.Items.OpenAges, []insight.AgeGroup{dOpen, aOpen}) {
			t.Errorf("SEV2 for admin: %d incidents, items %+v; want 2 (A, D), 3 opened, %+v", rep.Incidents, rep.Items, []insight.AgeGroup{dOpen, aOpen})
		}
		if rep := report(t, f, admin, insight.Query{Period: "2026-09"}); rep.Incidents != 1 {
			t.Errorf("2026-09 in Seoul: %d incidents, want 1 (D; E is October there)", rep.Incidents)
		}
		if rep := report(t, f, admin, insight.Query{Period: "last-30d"}); rep.Incidents != 1 {
			t.Errorf("last-30d before 2026-10-15: %d incidents, want 1 (E)", rep.Incidents)
		}
		for _, c := range []struct {
			q     insight.Query
			field string
		}{
			{insight.Query{Period: "2026-13"}, "period"},
			{insight.Query{Period: "yesterday"}, "period"},
			{insight.Query{Period: "last-0d"}, "period"},
			{insight.Query{Bucket: "week"}, "bucket"},
			{insight.Query{Team: "nope"}, "team"},
			{insight.Query{Service: "nope"}, "service"},
			{insight.Query{Team: "web", Service: "ledger"}, "service"},
			{insight.Query{Grades: []string{"SEV9"}}, "grade"},
		} {
			_, err := f.svc.Report(context.Background(), bob, c.q)
			if fe, ok := fail.As(err); !ok || fe.Field != c.field {
				t.Errorf("%+v: error %v, want one naming field %q", c.q, err, c.field)
			}
		}
	})
}

func TestCountsHeatmapRecurrence(t *testing.T) {
	eachDB(t, func(t *testing.T, f fixture) {
		rep := report(t, f, bob, insight.Query{Period: "2026-Q3"})
		if len(rep.Counts) != 3 {
			t.Fatalf("%d month buckets, want 3", len(rep.Counts))
		}
		wantCounts := []struct {
			label string
			by    [5]int
		}{{"2026-07", [5]int{1, 1, 0, 0, 0}}, {"2026-08", [5]int{0, 0, 1, 0, 0}}, {"2026-09", [5]int{}}}
		for i, w := range wantCounts {
			if rep.Counts[i].Label != w.label || rep.Counts[i].ByGrade != w.by {
				t.Errorf("bucket %d = %s %v, want %s %v", i, rep.Counts[i].Label, rep.Counts[i].ByGrade, w.label, w.by)
			}
		}
		q := report(t, f, admin, insight.Query{Period: "2026-Q3", Bucket: "quarter"})
		if len(q.Counts) != 1 || q.Counts[0].Label != "2026-Q3" || q.Counts[0].ByGrade != [5]int{1, 2, 1, 0, 0} {
			t.Errorf("quarter buckets = %+v, want one 2026-Q3 with SEV1 1, SEV2 2, SEV3 1", q.Counts)
		}
		h := rep.Heatmap
		wantHeat := map[string][]int{"checkout": {2, 0, 0}, "ledger": {1, 0, 0}, "site": {0, 1, 0}}
		if len(h.Services) != 3 || h.Max != 2 {
			t.Fatalf("heatmap %+v, want 3 services, max 2", h)
		}
		for i, s := range h.Services {
			if w := wantHeat[s]; len(w) != 3 || h.Cells[i][0] != w[0] || h.Cells[i][1] != w[1] || h.Cells[i][2] != w[2] {
				t.Errorf("heatmap row %s = %v, want %v", s, h.Cells[i], w)
			}
		}
		if r := rep.Recurrence; r.Incidents != 3 || r.Recurring != 1 {
			t.Errorf("recurrence %+v, want 1 of 3", r)
		}
	})
}

func TestActionItemsAndReviews(t *testing.T) {
	eachDB(t, func(t *testing.T, f fixture) {
		rep := report(t, f, bob, insight.Query{Period: "2026-Q3"})
		it := rep.Items
		if it.Opened != 5 || it.Done != 2 || it.DoneDue != 2 || it.DoneOnTime != 1 {
			t.Errorf("items opened %d done %d (with due %d, on time %d), want 5, 2 (2, 1)", it.Opened, it.Done, it.DoneDue, it.DoneOnTime)
		}
		if it.LongOpen != 1 || len(it.LongOpenItems) != 1 || it.LongOpenItems[0].AgeDays != 105 {
			t.Errorf("long-term open > 90 days: %d %+v, want 1 item aged 105 days", it.LongOpen, it.LongOpenItems)
		}
		if it.Overdue != 1 {
			t.Errorf("overdue %d, want 1", it.Overdue)
		}
		wantAges := []insight.AgeGroup{
			{Term: "long", Category: "detect", Open: 1, MedianDays: 61, MaxDays: 61},
			{Term: "long", Category: "prevent", Open: 1, MedianDays: 105, MaxDays: 105},
		}
		if len(it.OpenAges) != 2 || it.OpenAges[0] != wantAges[0] || it.OpenAges[1] != wantAges[1] {
			t.Errorf("open ages %+v, want %+v", it.OpenAges, wantAges)
		}
		all := report(t, f, admin, insight.Query{Period: "2026-Q3"})
		if all.Items.Opened != 6 || len(all.Items.OpenAges) != 3 || all.Items.OpenAges[0] != (insight.AgeGroup{Term: "short", Category: "prevent", Open: 1, MedianDays: 43, MaxDays: 43}) {
			t.Errorf("admin items %+v, want 6 opened and a short prevent item aged 43 days first", all.Items)
		}
		if r := rep.Reviews; r.WithinDays != 14 || r.Stages != 3 || r.Held != 2 || r.InTime != 1 {
			t.Errorf("reviews %+v, want 3 stages, 2 held, 1 in 14 days", r)
		}
		if r := all.Reviews; r.Stages != 4 || r.Held != 3 || r.InTime != 2 {
			t.Errorf("admin reviews %+v, want 4 stages, 3 held, 2 in time", r)
		}
	})
}
