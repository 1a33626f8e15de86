package report_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

const catalogYAML = `teams:
  - name: payments
    email: payments@example.com
    members: [alice]
services:
  - name: checkout-api
    team: payments
`

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

type directory struct {
	cat   *catalog.Catalog
	users *store.Users
}

func (d directory) ServiceExists(name string) bool { _, ok := d.cat.Service(name); return ok }
func (d directory) UserExists(ctx context.Context, name string) (bool, error) {
	return d.users.UserExists(ctx, name)
}

// outbox keeps the mails a report stores, as the notification outbox would.
type outbox struct {
	mu    sync.Mutex
	mails []report.Mail
}

func (o *outbox) store(_ context.Context, tx *sql.Tx, _ int64, mails []report.Mail) error {
	if tx == nil {
		panic("mail stored outside the report's transaction")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.mails = append(o.mails, mails...)
	return nil
}

func (o *outbox) take() []report.Mail {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := o.mails
	o.mails = nil
	return m
}

type fixture struct {
	db        *store.DB
	clock     *clock
	incidents *incident.Service
	reports   *report.Service
	library   *report.Library
	out       *outbox
	alice     auth.User
	bob       auth.User
}

func newFixture(t *testing.T, url string) *fixture {
	ctx := context.Background()
	db := testutil.OpenStore(t, url)
	seoul, _ := time.LoadLocation("Asia/Seoul")
	c := &clock{t: time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC)} // 14:00 in Seoul
	cat, err := catalog.Parse("c.yaml", []byte(catalogYAML))
	if err != nil {
		t.Fatal(err)
	}
	pol := policy.DefaultPolicy()
	pol.Zone = seoul
	pol.Departments = []policy.Department{{Name: "cs", FromGrade: incident.SEV2, Email: "cs@example.com", Lang: "ko"}}
	users := auth.NewService(db.Users(), c.now)
	alice, err := users.AddUser(ctx, "alice", "alice@example.com", auth.Responder)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := users.AddUser(ctx, "bob", "", auth.Viewer)
	if err != nil {
		t.Fatal(err)
	}
	incs := incident.NewService(db.Incidents(), directory{cat, db.Users()}, c.now)
	out := &outbox{}
	reps := &report.Service{Store: db.Reports(out.store), Incidents: incs, Users: db.Users(), Config: report.DefaultConfig(),
		Policy: pol, Catalog: cat, BaseURL: "https://firebreak.example.com", Now: c.now}
	return &fixture{db: db, clock: c, incidents: incs, reports: reps, library: &report.Library{Index: db.Search(), Incidents: incs},
		out: out, alice: alice, bob: bob}
}

func (f *fixture) declare(t *testing.T, title string, grade incident.Grade) *incident.Incident {
	t.Helper()
	inc, err := f.incidents.Declare(context.Background(), f.alice, incident.Declaration{Title: title, Grade: grade,
		Services: []string{"checkout-api"}, Summary: "카드 결제 승인이 느립니다.", CauseTags: []string{"timeout"},
		Roles: map[incident.Role]string{incident.Resolver: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func code(err error) fail.Code { return fail.CodeOf(err) }

func TestReportLifecycle(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		f := newFixture(t, url)
		inc := f.declare(t, "결제 승인 지연", incident.SEV2)
		if _, err := f.incidents.AddNote(ctx, f.alice, inc.ID, "연결 풀 고갈 확인"); err != nil {
			t.Fatal(err)
		}
		f.clock.set(f.clock.now().Add(time.Hour))

		if _, err := f.reports.Start(ctx, f.bob, inc.ID, report.StartOptions{}); code(err) != fail.Forbidden {
			t.Fatalf("a viewer started a report: %v", err)
		}
		if _, err := f.reports.Start(ctx, f.alice, inc.ID, report.StartOptions{Events: []int64{999999}}); code(err) != fail.Invalid {
			t.Fatalf("start with a foreign event: %v", err)
		}
		rep, err := f.reports.Start(ctx, f.alice, inc.ID, report.StartOptions{Lang: "ko"})
		if err != nil {
			t.Fatal(err)
		}
		// Pre-fill: detection time in the organisation's zone, services, roles, kept events.
		for key, want := range map[string]string{
			report.KeySummary:   "카드 결제 승인이 느립니다.",
			report.KeyDetection: "2026-11-24 14:00 (Asia/Seoul)",
			report.KeyServices:  "- checkout-api",
			report.KeyTimeline:  "연결 풀 고갈 확인",
		} {
			if !strings.Contains(rep.Sections[key], want) {
				t.Errorf("pre-filled %s = %q; lacks %q", key, rep.Sections[key], want)
			}
		}
		if !strings.Contains(rep.Sections[report.KeyTimeline], "해결 담당: alice") {
			t.Errorf("roles missing from the timeline section: %q", rep.Sections[report.KeyTimeline])
		}
		// Due at midnight in Seoul, the day of the declaration.
		if want := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC); !rep.DueAt.Equal(want) {
			t.Errorf("due %v, want %v", rep.DueAt, want)
		}
		if got := f.reports.Template().TBDKeys(rep); strings.Join(got, ",") != "cause,resolution" {
			t.Errorf("TBD after start = %v", got)
		}
		if _, err := f.reports.Start(ctx, f.alice, inc.ID, report.StartOptions{}); code(err) != fail.Conflict {
			t.Errorf("second start: %v", err)
		}

		// Saving: revisions, conflicts, bad input.
		f.clock.set(f.clock.now().Add(10 * time.Minute))
		rep, err = f.reports.Save(ctx, f.alice, inc.ID, 1, map[string]string{report.KeyCause: "The pool shrank to 20 connections."})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Revision != 2 || len(rep.TBDSince) != 1 {
			t.Errorf("after save: revision %d, TBD %v", rep.Revision, rep.TBDSince)
		}
		if _, err := f.reports.Save(ctx, f.alice, inc.ID, 1, map[string]string{report.KeyCause: "stale"}); code(err) != fail.Conflict {
			t.Errorf("save on a stale revision: %v", err)
		}
		if _, err := f.reports.Save(ctx, f.alice, inc.ID, 2, map[string]string{"nope": "x"}); code(err) != fail.Invalid || !strings.Contains(err.Error(), "sections.nope") {
			t.Errorf("unknown section: %v", err)
		}
		if _, err := f.reports.Save(ctx, f.bob, inc.ID, 2, map[string]string{report.KeyCause: "x"}); code(err) != fail.Forbidden {
			t.Errorf("a viewer saved: %v", err)
		}
		if same, err := f.reports.Save(ctx, f.alice, inc.ID, 2, map[string]string{report.KeyCause: "The pool shrank to 20 connections."}); err != nil || same.Revision != 2 {
			t.Errorf("saving the same text made revision %d (%v)", same.Revision, err)
		}
		revs, err := f.reports.Revisions(ctx, f.alice, inc.ID)
		if err != nil || len(revs) != 2 || revs[0].Number != 2 || revs[0].Author != "alice" || !revs[0].At.Equal(f.clock.now()) {
			t.Fatalf("revisions = %+v, %v", revs, err)
		}
		diff, err := f.reports.Diff(ctx, f.alice, inc.ID, 1, 2, "en")
		if err != nil || len(diff) != 1 || diff[0].Key != report.KeyCause || diff[0].Lines[1].Text != "The pool shrank to 20 connections." {
			t.Errorf("diff = %+v, %v", diff, err)
		}
		if m, err := f.reports.TBDMarkers(ctx, []int64{inc.ID, inc.ID + 100}); err != nil || len(m) != 1 || m[inc.ID].Count != 1 ||
			!m[inc.ID].Since.Equal(rep.CreatedAt) {
			t.Errorf("TBD markers = %v, %v (report started %v)", m, err, rep.CreatedAt)
		}

		// The report text is searchable at once.
		hits, err := f.library.Find(ctx, f.bob, "connection pool", report.SearchFilter{})
		if err != nil || len(hits) != 1 || hits[0].IncidentID != inc.ID || !hits[0].HasReport {
			t.Errorf("search for report text: %+v, %v", hits, err)
		}

		// Share: first the whole report, TBD and all, to the grade's recipients.
		sh, err := f.reports.Share(ctx, f.alice, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(sh.Recipients, ","); got != "payments@example.com,cs@example.com" {
			t.Errorf("recipients = %s", got)
		}
		mails := f.out.take()
		if len(mails) != 2 {
			t.Fatalf("%d mails stored, want 2", len(mails))
		}
		ko := mails[1]
		if ko.To != "cs@example.com" || !strings.Contains(ko.Subject, inc.Ref()) || !strings.Contains(ko.Text, "## 원인") ||
			!strings.Contains(ko.Text, "## 해결 및 재발 방지\n\nTBD") || !strings.Contains(ko.HTML, "<!doctype html>") {
			t.Errorf("first share mail = %+v", ko)
		}
		if _, err := f.reports.Share(ctx, f.alice, inc.ID); code(err) != fail.Conflict {
			t.Errorf("sharing an unchanged report: %v", err)
		}
		// A later share sends what changed.
		if _, err := f.reports.Save(ctx, f.alice, inc.ID, 2, map[string]string{report.KeyResolution: "Rolled back to v2.30."}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.reports.Share(ctx, f.alice, inc.ID); err != nil {
			t.Fatal(err)
		}
		en := f.out.take()[0]
		if !strings.Contains(en.Text, "changed since revision 2") || !strings.Contains(en.Text, "Rolled back to v2.30.") ||
			strings.Contains(en.Text, "The pool shrank") || !strings.Contains(en.Text, "Still TBD: (none)") {
			t.Errorf("update mail text:\n%s", en.Text)
		}
		events, _ := f.incidents.Timeline(ctx, f.alice, inc.ID, 0, 100)
		var kinds []string
		for _, ev := range events {
			kinds = append(kinds, string(ev.Kind))
		}
		if got := strings.Join(kinds, ","); !strings.Contains(got, "report_started") || strings.Count(got, "report_shared") != 2 {
			t.Errorf("timeline kinds = %s", got)
		}
		shares, _ := f.reports.Shares(ctx, f.alice, inc.ID)
		if len(shares) != 2 || shares[0].Revision != 3 || shares[0].Changes != 1 {
			t.Errorf("shares = %+v", shares)
		}
	})
}

func TestOverdueFirstReportAndReminders(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		f := newFixture(t, url)
		inc := f.declare(t, "Login failures", incident.SEV3)
		if _, err := f.reports.Start(ctx, f.alice, inc.ID, report.StartOptions{}); err != nil {
			t.Fatal(err)
		}
		// Before the deadline nobody is nagged: the TBD sections are fresh.
		if n, err := f.reports.Remind(ctx); err != nil || n != 0 {
			t.Fatalf("remind before the deadline: %d, %v", n, err)
		}
		pending, _, err := f.reports.ListPending(ctx, f.bob, "en", 0)
		if err != nil || len(pending) != 1 || pending[0].Report.Overdue(f.clock.now()) || len(pending[0].TBD) != 2 {
			t.Fatalf("pending = %+v, %v", pending, err)
		}
		// Past midnight in Seoul the first report is overdue: flagged and the owner told, once.
		f.clock.set(time.Date(2026, 11, 24, 15, 1, 0, 0, time.UTC))
		if n, err := f.reports.Remind(ctx); err != nil || n != 1 {
			t.Fatalf("remind after the deadline: %d, %v", n, err)
		}
		mails := f.out.take()
		if len(mails) != 1 || mails[0].To != "alice@example.com" || !strings.Contains(mails[0].Text, "was due at 2026-11-25 00:00 KST") ||
			!strings.Contains(mails[0].Text, "Cause, Resolution and prevention") {
			t.Errorf("reminder = %+v", mails)
		}
		if n, _ := f.reports.Remind(ctx); n != 0 {
			t.Errorf("reminded again at once: %d", n)
		}
		ev, err := f.db.Incidents().LatestEvent(ctx, inc.ID, report.EventOverdue)
		if err != nil || ev == nil {
			t.Fatalf("no report_overdue event: %v", err)
		}
		// A day later the owner hears again, once even when two runs go
		// at the same time (two replicas, or one started by hand); the
		// overdue flag is not repeated.
		f.clock.set(f.clock.now().Add(25 * time.Hour))
		counts := make(chan int, 2)
		for range 2 {
			go func() {
				n, err := f.reports.Remind(ctx)
				if err != nil {
					t.Error(err)
				}
				counts <- n
			}()
		}
		if n := <-counts + <-counts; n != 1 {
			t.Errorf("two runs a day later reminded %d times, want once", n)
		}
		if len(f.out.take()) != 1 {
			t.Error("reminder mail missing, or sent twice")
		}
		if again, _ := f.db.Incidents().LatestEvent(ctx, inc.ID, report.EventOverdue); again.ID != ev.ID {
			t.Error("overdue flagged twice")
		}
	})
}

func TestImportAndSimilar(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		f := newFixture(t, url)
		old := f.declare(t, "결제 승인 타임아웃", incident.SEV2)
		f.clock.set(f.clock.now().Add(48 * time.Hour))
		other, err := f.incidents.Declare(ctx, f.alice, incident.Declaration{Title: "Search index lag", Grade: incident.SEV4})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.set(f.clock.now().Add(48 * time.Hour))
		cur := f.declare(t, "결제가 또 타임아웃", incident.SEV2)

		md := "# 결제 장애\n\n## 요약\n결제 승인이 3초 타임아웃을 넘었습니다.\n\n## Cause\nConnection pool.\n\n## 교훈\n설정을 명시한다.\n"
		rep, imp, err := f.reports.Import(ctx, f.alice, old.ID, 0, md, "ko")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Sections[report.KeySummary] != "결제 승인이 3초 타임아웃을 넘었습니다." || rep.Sections[report.KeyCause] != "Connection pool." ||
			len(imp.Unmatched) != 1 || !strings.Contains(rep.Sections[report.KeyRelated], "### 교훈") {
			t.Errorf("imported = %q, unmatched %v", rep.Sections, imp.Unmatched)
		}
		if _, _, err := f.reports.Import(ctx, f.alice, old.ID, rep.Revision, "  ", "ko"); code(err) != fail.Invalid {
			t.Errorf("empty import: %v", err)
		}
		hits, err := f.library.Similar(ctx, f.bob, cur.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].IncidentID != old.ID {
			t.Fatalf("similar to %q: %+v", cur.Title, hits)
		}
		for _, h := range hits {
			if h.IncidentID == cur.ID || h.IncidentID == other.ID {
				t.Errorf("similar lists %s", h.Title)
			}
		}
		// A filter without words browses the library, newest first.
		browsed, err := f.library.Find(ctx, f.bob, "", report.SearchFilter{Service: "checkout-api"})
		if err != nil || len(browsed) != 2 || browsed[0].IncidentID != cur.ID || browsed[1].IncidentID != old.ID {
			t.Errorf("browse by service: %+v, %v", browsed, err)
		}
		if none, err := f.library.Find(ctx, f.bob, "  ", report.SearchFilter{}); err != nil || len(none) != 0 {
			t.Errorf("nothing asked: %+v, %v", none, err)
		}
		if _, err := f.library.Find(ctx, f.bob, strings.Repeat("x", 600), report.SearchFilter{}); code(err) != fail.Invalid {
			t.Errorf("overlong query: %v", err)
		}
	})
}

// eventCount counts an incident's timeline events of one kind.
func (f *fixture) eventCount(t *testing.T, id int64, kind incident.EventKind) int {
	t.Helper()
	events, err := f.incidents.Timeline(context.Background(), f.alice, id, 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range events {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

// mailsTo picks the mails to one address.
func mailsTo(mails []report.Mail, to string) []report.Mail {
	var out []report.Mail
	for _, m := range mails {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}

func TestUnstartedFirstReportIsFlaggedAndReminded(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		f := newFixture(t, url)
		users := auth.NewService(f.db.Users(), f.clock.now)
		if _, err := users.AddUser(ctx, "carol", "carol@example.com", auth.Responder); err != nil {
			t.Fatal(err)
		}
		// SEV4 gets three days; SEV3 keeps the same-day deadline.
		f.reports.Policy.Grades[incident.SEV4] = policy.GradePolicy{FirstReport: policy.FirstReport{Within: 72 * time.Hour}}

		byResolver := f.declare(t, "Login failures", incident.SEV3) // resolver alice
		byCommunicator, err := f.incidents.Declare(ctx, f.alice, incident.Declaration{Title: "Webhook backlog", Grade: incident.SEV3,
			Services: []string{"checkout-api"}, Roles: map[incident.Role]string{incident.Resolver: "alice", incident.Communicator: "carol"}})
		if err != nil {
			t.Fatal(err)
		}
		slow := f.declare(t, "Slow exports", incident.SEV4)
		started := f.declare(t, "Card declines", incident.SEV3)
		if _, err := f.reports.Start(ctx, f.alice, started.ID, report.StartOptions{}); err != nil {
			t.Fatal(err)
		}

		// Before midnight in Seoul nothing is late and nobody is told.
		if n, err := f.reports.Remind(ctx); err != nil || n != 0 {
			t.Fatalf("remind before the deadline: %d, %v", n, err)
		}
		if items, _, err := f.reports.ListPending(ctx, f.alice, "en", 0); err != nil || len(items) != 1 || items[0].Incident.ID != started.ID {
			t.Fatalf("pending before the deadline = %+v, %v", items, err)
		}

		// Past midnight the two unstarted same-day reports are late; the
		// SEV4 one has three days.
		f.clock.set(time.Date(2026, 11, 24, 15, 1, 0, 0, time.UTC))
		if n, err := f.reports.Remind(ctx); err != nil || n != 3 { // two unstarted, one started
			t.Fatalf("remind after the deadline: %d, %v", n, err)
		}
		mails := f.out.take()
		toAlice, toCarol := mailsTo(mails, "alice@example.com"), mailsTo(mails, "carol@example.com")
		if len(toCarol) != 1 || !strings.Contains(toCarol[0].Subject, byCommunicator.Ref()) ||
			!strings.Contains(toCarol[0].Text, "was due at 2026-11-25 00:00 KST and nobody has started it") ||
			!strings.Contains(toCarol[0].Text, "/incidents/"+byCommunicator.Ref()+"/report") {
			t.Errorf("the communicator's reminder = %+v", toCarol)
		}
		if len(toAlice) != 2 {
			t.Errorf("alice got %d reminders, want 2 (the resolver's unstarted report, her own started one): %+v", len(toAlice), toAlice)
		}
		for _, inc := range []*incident.Incident{byResolver, byCommunicator, started} {
			if n := f.eventCount(t, inc.ID, report.EventOverdue); n != 1 {
				t.Errorf("%s: %d report_overdue events, want 1", inc.Ref(), n)
			}
		}
		if n := f.eventCount(t, slow.ID, report.EventOverdue); n != 0 {
			t.Errorf("the SEV4 incident was flagged before its three days: %d", n)
		}
		items, next, err := f.reports.ListPending(ctx, f.bob, "en", 0)
		if err != nil || next != 0 || len(items) != 3 {
			t.Fatalf("pending after the deadline = %+v (next %d), %v", items, next, err)
		}
		if p := items[1]; p.Incident.ID != byCommunicator.ID || p.Report != nil || p.Owner != "carol" || !p.Overdue ||
			!p.DueAt.Equal(time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)) {
			t.Errorf("unstarted pending = %+v", p)
		}
		if p := items[0]; p.Incident.ID != byResolver.ID || p.Owner != "alice" {
			t.Errorf("owner of a report without communicator = %+v", p)
		}

		// Told once per remind_every; flagged once.
		if n, _ := f.reports.Remind(ctx); n != 0 {
			t.Errorf("reminded again at once: %d", n)
		}
		f.clock.set(f.clock.now().Add(25 * time.Hour))
		if n, _ := f.reports.Remind(ctx); n != 3 {
			t.Errorf("a day later reminded %d, want 3", n)
		}
		if n := f.eventCount(t, byCommunicator.ID, report.EventOverdue); n != 1 {
			t.Errorf("flagged %d times", n)
		}
		if n := f.eventCount(t, byCommunicator.ID, report.EventReminded); n != 2 {
			t.Errorf("%d report_reminded events, want 2", n)
		}

		// Raising the grade moves the deadline: the SEV4 incident, declared
		// two days ago, is late at once as a SEV2.
		f.out.take()
		sev2 := incident.SEV2
		if _, err := f.incidents.Update(ctx, f.alice, slow.ID, incident.Patch{Grade: &sev2}); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.reports.Remind(ctx); n != 1 {
			t.Errorf("after the grade raise reminded %d, want 1", n)
		}
		if n := f.eventCount(t, slow.ID, report.EventOverdue); n != 1 {
			t.Errorf("the raised incident was flagged %d times", n)
		}
		// Starting the report takes it off the unstarted list; its due
		// time is the incident's, not the start's.
		rep, err := f.reports.Start(ctx, f.alice, byCommunicator.ID, report.StartOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.DueAt.Equal(time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)) || !rep.Overdue(f.clock.now()) {
			t.Errorf("started late report due %v", rep.DueAt)
		}
		items, _, _ = f.reports.ListPending(ctx, f.bob, "en", 0)
		for _, p := range items {
			if p.Incident.ID == byCommunicator.ID && (p.Report == nil || p.Owner != "alice") {
				t.Errorf("started report still listed as unstarted: %+v", p)
			}
		}
	})
}

func TestGradeChangeMovesTheDeadline(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		f := newFixture(t, url)
		f.reports.Policy.Grades[incident.SEV4] = policy.GradePolicy{FirstReport: policy.FirstReport{Within: 72 * time.Hour}}
		inc := f.declare(t, "Slow exports", incident.SEV4)
		if _, err := f.reports.Start(ctx, f.alice, inc.ID, report.StartOptions{}); err != nil {
			t.Fatal(err)
		}
		_, rep, err := f.reports.Get(ctx, f.alice, inc.ID)
		if err != nil || !rep.DueAt.Equal(inc.CreatedAt.Add(72*time.Hour)) {
			t.Fatalf("SEV4 due %v, %v", rep.DueAt, err)
		}
		sev2 := incident.SEV2
		if _, err := f.incidents.Update(ctx, f.alice, inc.ID, incident.Patch{Grade: &sev2}); err != nil {
			t.Fatal(err)
		}
		_, rep, err = f.reports.Get(ctx, f.alice, inc.ID)
		if want := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC); err != nil || !rep.DueAt.Equal(want) {
			t.Errorf("after raise to SEV2 due %v, want %v (%v)", rep.DueAt, want, err)
		}
	})
}

func TestOverdueFlaggedAfterAnEarlierTBDReminder(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		f := newFixture(t, url)
		f.reports.Policy.Grades[incident.SEV4] = policy.GradePolicy{FirstReport: policy.FirstReport{Within: 48 * time.Hour}}
		start := f.clock.now()
		inc := f.declare(t, "Slow exports", incident.SEV4)
		if _, err := f.reports.Start(ctx, f.alice, inc.ID, report.StartOptions{}); err != nil {
			t.Fatal(err)
		}
		// +25h: the TBD sections have waited a day; the report is not late yet.
		f.clock.set(start.Add(25 * time.Hour))
		if n, err := f.reports.Remind(ctx); err != nil || n != 1 {
			t.Fatalf("TBD reminder: %d, %v", n, err)
		}
		if m := f.out.take(); len(m) != 1 || strings.Contains(m[0].Text, "was due") || !strings.Contains(m[0].Text, "still TBD") {
			t.Errorf("TBD reminder = %+v", m)
		}
		if n := f.eventCount(t, inc.ID, report.EventOverdue); n != 0 {
			t.Fatalf("flagged overdue before the deadline: %d", n)
		}
		// +49h: past the deadline, and the TBD reminder was a day ago.
		f.clock.set(start.Add(49 * time.Hour))
		if n, err := f.reports.Remind(ctx); err != nil || n != 1 {
			t.Fatalf("overdue reminder: %d, %v", n, err)
		}
		if m := f.out.take(); len(m) != 1 || !strings.Contains(m[0].Text, "was due at 2026-11-26 14:00 KST") {
			t.Errorf("overdue reminder = %+v", m)
		}
		if n := f.eventCount(t, inc.ID, report.EventOverdue); n != 1 {
			t.Fatalf("%d report_overdue events after the deadline, want 1", n)
		}
		f.clock.set(start.Add(74 * time.Hour))
		if n, _ := f.reports.Remind(ctx); n != 1 {
			t.Errorf("third reminder missing")
		}
		if n := f.eventCount(t, inc.ID, report.EventOverdue); n != 1 {
			t.Errorf("%d report_overdue events after another reminder, want 1", n)
		}
	})
}

func TestTBDReminderAfterAnOnTimeShare(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		f := newFixture(t, url)
		start := f.clock.now()
		inc := f.declare(t, "결제 승인 지연", incident.SEV2)
		if _, err := f.reports.Start(ctx, f.alice, inc.ID, report.StartOptions{Lang: "ko"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.reports.Share(ctx, f.alice, inc.ID); err != nil {
			t.Fatal(err)
		}
		f.out.take()
		// Shared on time, so no overdue; the TBD sections are fresh for a day.
		f.clock.set(start.Add(23 * time.Hour))
		if n, err := f.reports.Remind(ctx); err != nil || n != 0 {
			t.Fatalf("remind within remind_every: %d, %v", n, err)
		}
		f.clock.set(start.Add(25 * time.Hour))
		if n, err := f.reports.Remind(ctx); err != nil || n != 1 {
			t.Fatalf("TBD reminder: %d, %v", n, err)
		}
		m := f.out.take()
		if len(m) != 1 || m[0].To != "alice@example.com" || m[0].Lang != "ko" || !strings.Contains(m[0].Text, "아직 TBD인 항목: 원인, 해결 및 재발 방지.") ||
			strings.Contains(m[0].Text, "기한") || !strings.Contains(m[0].Subject, "장애 보고서 작성이 필요합니다") {
			t.Errorf("TBD reminder = %+v", m)
		}
		if n := f.eventCount(t, inc.ID, report.EventOverdue); n != 0 {
			t.Errorf("an on-time report was flagged overdue")
		}
		if n := f.eventCount(t, inc.ID, report.EventReminded); n != 1 {
			t.Errorf("%d report_reminded events, want 1", n)
		}
		// Filling the sections ends the reminders.
		if _, err := f.reports.Save(ctx, f.alice, inc.ID, 0, map[string]string{report.KeyCause: "풀 축소", report.KeyResolution: "롤백"}); err != nil {
			t.Fatal(err)
		}
		f.clock.set(start.Add(50 * time.Hour))
		if n, _ := f.reports.Remind(ctx); n != 0 {
			t.Errorf("reminded about a complete, shared report: %d", n)
		}
	})
}

// TestRemindersAndPendingPageThroughAll: with more pending reports than
// one query reads (200), every owner is still reminded in one run, and the
// reports page reaches them all a page at a time.
func TestRemindersAndPendingPageThroughAll(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		f := newFixture(t, url)
		const started, unstarted = 205, 3
		for i := range started + unstarted {
			inc := f.declare(t, fmt.Sprintf("Batch incident %d", i), incident.SEV3)
			if i < started {
				if _, err := f.reports.Start(ctx, f.alice, inc.ID, report.StartOptions{Events: []int64{}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		f.clock.set(time.Date(2026, 11, 24, 15, 1, 0, 0, time.UTC)) // past midnight in Seoul: all late
		if n, err := f.reports.Remind(ctx); err != nil || n != started+unstarted {
			t.Fatalf("reminded %d, %v; want %d", n, err, started+unstarted)
		}
		if n := len(f.out.take()); n != started+unstarted {
			t.Errorf("%d reminder mails, want %d", n, started+unstarted)
		}
		if n, err := f.reports.Remind(ctx); err != nil || n != 0 {
			t.Errorf("a second run reminded %d (%v)", n, err)
		}
		seen := map[int64]bool{}
		var after int64
		pages := 0
		for {
			items, next, err := f.reports.ListPending(ctx, f.bob, "en", after)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, p := range items {
				if seen[p.Incident.ID] {
					t.Errorf("%s listed twice", p.Incident.Ref())
				}
				seen[p.Incident.ID] = true
			}
			if next == 0 {
				break
			}
			if next <= after || pages > 10 {
				t.Fatalf("the cursor does not advance: %d after %d", next, after)
			}
			after = next
		}
		if len(seen) != started+unstarted || pages != 3 {
			t.Errorf("pending listed %d incidents in %d pages, want %d in 3", len(seen), pages, started+unstarted)
		}
	})
}
