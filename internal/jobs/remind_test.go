package jobs_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestReminderByEmail runs a whole Firebreak with a real SMTP server on
// 127.0.0.1 and a clock the test moves: when a SEV1's 15-minute cadence is
// missed, its communicator gets an e-mail, through the outbox, and the
// timeline records both the reminder and the delivery; a status update
// restarts the clock.
func TestReminderByEmail(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		sink := testutil.StartMailSink(t)
		start := time.Now().UTC().Truncate(time.Second)
		var offset atomic.Int64
		clock := func() time.Time { return start.Add(time.Duration(offset.Load())) }
		cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
		if err != nil {
			t.Fatal(err)
		}
		run := testutil.StartServer(t, server.Options{
			DatabaseURL: dbURL, Catalog: cat, Now: clock,
			Notify: &notify.Config{Email: &notify.EmailConfig{Host: sink.Host, Port: sink.Port, From: "Firebreak <firebreak@example.com>", TLS: "none"}},
			Jobs:   jobs.Config{StaleCheckEvery: 200 * time.Millisecond, PollInterval: 100 * time.Millisecond},
		})
		for name, email := range map[string]string{"cora": "cora@example.com", "rae": "rae@example.com"} {
			if _, err := run.Server.Users.AddUser(ctx, name, email, auth.Responder); err != nil {
				t.Fatal(err)
			}
		}
		rae := auth.User{Name: "rae", Role: auth.Responder}
		inc, err := run.Server.Incidents.Declare(ctx, rae, incident.Declaration{Title: "결제 실패 Checkout failing", Grade: incident.SEV1,
			Services: []string{"checkout-api"}, Roles: map[incident.Role]string{incident.Resolver: "rae", incident.Communicator: "cora"}})
		if err != nil {
			t.Fatal(err)
		}
		reminders := func() []incident.Event {
			return testutil.EventsOfKind(t, run.Server.DB, inc.ID, incident.EventUpdateOverdue)
		}

		time.Sleep(time.Second) // checks run at +0: nothing is due
		if n := len(sink.MessagesTo("cora@example.com")) + len(reminders()); n != 0 {
			t.Fatalf("reminded within the cadence: %d", n)
		}
		offset.Store(int64(16 * time.Minute))
		mails := sink.WaitForTo(t, "cora@example.com", 1, 30*time.Second)
		m := mails[0]
		if len(m.To) != 1 || m.To[0] != "cora@example.com" || m.Subject() != "["+inc.Ref()+"] 상태 업데이트 시간이 지났습니다 · Status update overdue (SEV1, every 15m)" ||
			!strings.Contains(m.Text, "firebreak incident update "+inc.Ref()) {
			t.Fatalf("reminder mail: to %v, subject %q\n%s", m.To, m.Subject(), m.Text)
		}
		waitFor(t, "the delivery on the timeline", func() bool {
			ev, _ := run.Server.DB.Incidents().LatestEvent(ctx, inc.ID, notify.EventDelivered)
			return ev != nil
		})
		if r := reminders(); len(r) != 1 || r[0].Data["remind"] != "cora" || r[0].Data["emailed"] != true {
			t.Fatalf("reminders on the timeline: %+v", r)
		}

		// An update at +20 restarts the clock: at +32, 16 minutes after the
		// reminder but 12 after the update, nothing is due.
		offset.Store(int64(20 * time.Minute))
		if _, err := run.Server.Incidents.PostUpdate(ctx, auth.User{Name: "cora", Role: auth.Responder}, inc.ID,
			incident.StatusUpdate{Text: "카드 결제 재시도 중 · retrying card payments"}); err != nil {
			t.Fatal(err)
		}
		offset.Store(int64(32 * time.Minute))
		time.Sleep(time.Second)
		if n := len(reminders()); n != 1 {
			t.Fatalf("%d reminders 12 minutes after an update, want still 1", n)
		}
		// 16 minutes after the update, the next one.
		offset.Store(int64(36 * time.Minute))
		if got := sink.WaitForTo(t, "cora@example.com", 2, 30*time.Second); got[1].To[0] != "cora@example.com" {
			t.Fatalf("second reminder to %v", got[1].To)
		}
		if n := len(reminders()); n != 2 {
			t.Fatalf("%d reminders, want 2", n)
		}
	})
}
