package jobs_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

func eachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		db := testutil.OpenStore(t, url)
		if err := jobs.Migrate(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		fn(t, db)
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// recordedReminders keeps what the stale check asked to send, after
// checking that it was asked inside the transaction that stored the event.
type recordedReminders struct {
	mu   sync.Mutex
	sent []jobs.Reminder
}

func (r *recordedReminders) Remind(ctx context.Context, tx *sql.Tx, rem jobs.Reminder) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM timeline_events WHERE id = $1", rem.Event.ID).Scan(&n); err != nil || n != 1 {
		return fmt.Errorf("the event is not visible in the reminder's transaction: %d, %v", n, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, rem)
	return nil
}

func (r *recordedReminders) list() []jobs.Reminder {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent)
}

// TestCadenceReminder: an open incident whose last status update is older
// than its grade's cadence gets a reminder for its communicator, once per
// interval while the silence lasts; a status update restarts the clock, and
// notes do not.
func TestCadenceReminder(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		users := auth.NewService(db.Users(), clock)
		for _, u := range []struct{ name, email string }{{"cora", "cora@example.com"}, {"rae", ""}, {"dana", "dana@example.com"}} {
			if _, err := users.AddUser(ctx, u.name, u.email, auth.Responder); err != nil {
				t.Fatal(err)
			}
		}
		s := db.Incidents()
		mk := func(g incident.Grade, st incident.Status, declared time.Time, roles map[incident.Role]string) *incident.Incident {
			inc := &incident.Incident{Title: "t", Grade: g, Status: st, Source: "manual", Visibility: incident.Internal, Roles: roles,
				CreatedBy: "dana", StartedAt: declared, DetectedAt: declared, CreatedAt: declared, UpdatedAt: declared}
			if err := s.CreateIncident(ctx, inc, nil); err != nil {
				t.Fatal(err)
			}
			return inc
		}
		silent := mk(incident.SEV1, incident.Investigating, now.Add(-20*time.Minute), map[incident.Role]string{incident.Communicator: "cora", incident.Resolver: "rae"})
		fresh := mk(incident.SEV1, incident.Identified, now.Add(-5*time.Minute), map[incident.Role]string{incident.Resolver: "rae"})
		slowGrade := mk(incident.SEV4, incident.Monitoring, now.Add(-3*time.Hour), nil) // 4 h by default, 2 h by this policy
		resolved := mk(incident.SEV1, incident.Resolved, now.Add(-48*time.Hour), nil)

		rem := &recordedReminders{}
		every := func(g incident.Grade) time.Duration {
			if g == incident.SEV4 {
				return 2 * time.Hour
			}
			return g.UpdateInterval()
		}
		// The real queue runs the periodic check on start.
		client, err := jobs.New(db, clock, jobs.Config{PollInterval: 100 * time.Millisecond, Reminders: rem, UpdateEvery: every})
		if err != nil {
			t.Fatal(err)
		}
		if err := client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the periodic stale check", func() bool { return len(rem.list()) == 2 })
		if err := client.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		got := map[int64]jobs.Reminder{}
		for _, r := range rem.list() {
			got[r.Incident.ID] = r
		}
		if r := got[silent.ID]; r.To.Name != "cora" || r.To.Email != "cora@example.com" || r.Every != 15*time.Minute {
			t.Errorf("silent SEV1 reminder: %+v", r)
		}
		if r := got[slowGrade.ID]; r.To.Name != "dana" || r.Every != 2*time.Hour { // no roles: whoever declared
			t.Errorf("SEV4 reminder: %+v", r)
		}
		ev, _ := s.LatestEvent(ctx, silent.ID, incident.EventUpdateOverdue)
		if ev == nil || ev.Data["remind"] != "cora" || ev.Data["interval"] != "15m0s" || ev.Data["emailed"] != true {
			t.Fatalf("timeline entry: %+v", ev)
		}
		for _, inc := range []*incident.Incident{fresh, resolved} {
			if ev, _ := s.LatestEvent(ctx, inc.ID, incident.EventUpdateOverdue); ev != nil {
				t.Errorf("incident %d (%s, %s) was reminded", inc.ID, inc.Grade, inc.Status)
			}
		}

		w := &jobs.StaleCheckWorker{Incidents: s, Users: db.Users(), Reminders: rem, UpdateEvery: every}
		check := func(at time.Time) int {
			t.Helper()
			now = at
			n, err := w.Check(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		start := now
		if n := check(start.Add(time.Minute)); n != 0 {
			t.Fatalf("second check reminded %d, want 0", n)
		}
		// A note is not news for the people told: the clock runs on.
		svc := incident.NewService(s, allowAll{}, clock)
		rae := auth.User{Name: "rae", Role: auth.Responder}
		if _, err := svc.AddNote(ctx, rae, fresh.ID, "looking at the logs"); err != nil {
			t.Fatal(err)
		}
		// A status update restarts it.
		now = start.Add(2 * time.Minute)
		if _, err := svc.PostUpdate(ctx, rae, silent.ID, incident.StatusUpdate{Text: "결제 재시도 중 / retrying payments"}); err != nil {
			t.Fatal(err)
		}
		if n := check(start.Add(11 * time.Minute)); n != 1 { // fresh: 16 min since its declaration, the note notwithstanding
			t.Fatalf("reminded %d at +11m, want 1 (the other SEV1)", n)
		}
		if n := check(start.Add(16 * time.Minute)); n != 0 { // silent: 14 min since its update
			t.Fatalf("reminded %d at +16m, want 0", n)
		}
		if n := check(start.Add(18 * time.Minute)); n != 1 { // silent: 16 min since its update
			t.Fatalf("reminded %d at +18m, want 1", n)
		}
		ev, _ = s.LatestEvent(ctx, silent.ID, incident.EventUpdateOverdue)
		if !ev.At.Equal(start.Add(18 * time.Minute)) {
			t.Fatalf("silent's second reminder at %s", ev.At)
		}
		if ev.Data["emailed"] != true || ev.Data["remind"] != "cora" {
			t.Fatalf("second reminder: %+v", ev.Data)
		}
		if r := rem.list(); r[len(r)-1].To.Name != "cora" || len(r) != 4 {
			t.Fatalf("reminders sent: %d", len(r))
		}
		// rae, resolver of fresh, has no address: the timeline says so.
		ev, _ = s.LatestEvent(ctx, fresh.ID, incident.EventUpdateOverdue)
		if ev == nil || ev.Data["remind"] != "rae" || ev.Data["emailed"] != false || ev.Data["why_not"] != "no_address" {
			t.Fatalf("fresh's reminder: %+v", ev)
		}
	})
}

// allowAll is a directory where every name exists.
type allowAll struct{}

func (allowAll) ServiceExists(string) bool                        { return true }
func (allowAll) UserExists(context.Context, string) (bool, error) { return true, nil }

type alwaysFailArgs struct{}

func (alwaysFailArgs) Kind() string { return "test.always_fail" }

type alwaysFail struct {
	river.WorkerDefaults[alwaysFailArgs]
	tries atomic.Int32
}

func (w *alwaysFail) Work(ctx context.Context, _ *river.Job[alwaysFailArgs]) error {
	w.tries.Add(1)
	return errors.New("peer answered 503")
}

type quickRetry struct{}

func (quickRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(50 * time.Millisecond)
}

func TestFailingJobIsRetriedThenKeptWithItsErrors(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := &alwaysFail{}
		client, err := jobs.New(db, time.Now, jobs.Config{
			MaxAttempts: 3, RetryPolicy: quickRetry{}, PollInterval: 100 * time.Millisecond,
			Register: func(ws *river.Workers) { river.AddWorker(ws, w) },
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := client.Insert(ctx, alwaysFailArgs{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = client.Stop(context.Background()) })
		var job *rivertype.JobRow
		waitFor(t, "the job to be discarded", func() bool {
			job, err = client.JobGet(ctx, res.Job.ID)
			return err == nil && job.State == rivertype.JobStateDiscarded
		})
		if len(job.Errors) != 3 || job.Errors[2].Error != "peer answered 503" || w.tries.Load() != 3 {
			t.Fatalf("attempts %d, tries %d, errors %+v", job.Attempt, w.tries.Load(), job.Errors)
		}
		counts, err := jobs.Counts(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if counts["discarded"] != 1 {
			t.Fatalf("counts = %v", counts)
		}
	})
}

func TestReminderMail(t *testing.T) {
	last := time.Date(2026, 11, 24, 10, 2, 0, 0, time.UTC)
	r := jobs.Reminder{
		Incident: &incident.Incident{ID: 7, Title: "결제 실패 Checkout failing", Grade: incident.SEV1, Status: incident.Identified},
		Event:    incident.Event{ID: 99, Data: map[string]any{"last_update": last}},
		To:       auth.User{Name: "cora", Email: "cora@example.com"},
		Every:    15 * time.Minute,
	}
	subject, text := jobs.ReminderMail(r, "https://fb.example.com/")
	if subject != "[INC-7] 상태 업데이트 시간이 지났습니다 · Status update overdue (SEV1, every 15m)" {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{"INC-7 결제 실패 Checkout failing (SEV1, identified)", "15m마다", "every 15m",
		"Last update: 2026-11-24 10:02 UTC", "https://fb.example.com/incidents/INC-7", "firebreak incident update INC-7", "/incident update INC-7"} {
		if !strings.Contains(text, want) {
			t.Errorf("mail lacks %q:\n%s", want, text)
		}
	}
	for every, want := range map[time.Duration]string{time.Hour: "every 1h)", 90 * time.Minute: "every 1h30m)", 24 * time.Hour: "every 24h)"} {
		r.Every = every
		if s, _ := jobs.ReminderMail(r, ""); !strings.HasSuffix(s, want) {
			t.Errorf("%s: %q", every, s)
		}
	}
	if jobs.ReminderKey(r) != "update-reminder:7:99" {
		t.Error(jobs.ReminderKey(r))
	}
}
