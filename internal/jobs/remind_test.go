package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestReminderByEmail runs a whole Firebreak with a real SMTP server on
// 127.0.0.1 and a clock the test moves: when a SEV1's cadence (10 minutes,
// from the policy) is missed, its communicator gets an e-mail, through the
// outbox, with a link to the incident; the timeline records both the
// reminder and the delivery; a status update restarts the clock.
func TestReminderByEmail(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		pol := policy.DefaultPolicy()
		sev1 := pol.Grades[incident.SEV1]
		sev1.UpdateEvery = 10 * time.Minute // the grade's default is 15
		pol.Grades[incident.SEV1] = sev1
		site := startMailedSite(t, dbURL, pol, jobs.Config{StaleCheckEvery: 200 * time.Millisecond, PollInterval: 100 * time.Millisecond})
		run, sink, offset := site.run, site.sink, site.offset
		rae := auth.User{Name: "rae", Role: auth.Responder}
		inc, err := run.Server.Incidents.Declare(ctx, rae, incident.Declaration{Title: "결제 실패 Checkout failing", Grade: incident.SEV1,
			Services: []string{"checkout-api"}, Roles: map[incident.Role]string{incident.Resolver: "rae", incident.Communicator: "cora"}})
		if err != nil {
			t.Fatal(err)
		}
		reminders := func() []incident.Event {
			return testutil.EventsOfKind(t, run.Server.DB, inc.ID, incident.EventUpdateOverdue)
		}

		// Cora owns the first report too; only the update reminders count here.
		updateReminderTo := func(m testutil.ReceivedMail) bool {
			return len(m.To) == 1 && m.To[0] == "cora@example.com" && strings.Contains(m.Subject(), "Status update overdue")
		}
		time.Sleep(time.Second) // checks run at +0: nothing is due
		if n := len(sink.MessagesTo("cora@example.com")) + len(reminders()); n != 0 {
			t.Fatalf("reminded within the cadence: %d", n)
		}
		offset.Store(int64(11 * time.Minute))
		mails := sink.WaitForMatching(t, 1, 30*time.Second, updateReminderTo)
		m := mails[0]
		if len(m.To) != 1 || m.To[0] != "cora@example.com" || m.Subject() != "["+inc.Ref()+"] 상태 업데이트 시간이 지났습니다 · Status update overdue (SEV1, every 10m)" ||
			!strings.Contains(m.Text, "firebreak incident update "+inc.Ref()) || !strings.Contains(m.Text, "https://firebreak.example.com/incidents/"+inc.Ref()) {
			t.Fatalf("reminder mail: to %v, subject %q\n%s", m.To, m.Subject(), m.Text)
		}
		waitFor(t, "the delivery on the timeline", func() bool {
			ev, _ := run.Server.DB.Incidents().LatestEvent(ctx, inc.ID, notify.EventDelivered)
			return ev != nil
		})
		if r := reminders(); len(r) != 1 || r[0].Data["remind"] != "cora" || r[0].Data["emailed"] != true {
			t.Fatalf("reminders on the timeline: %+v", r)
		}

		// An update at +14 restarts the clock: at +22, 11 minutes after the
		// reminder but 8 after the update, nothing is due.
		offset.Store(int64(14 * time.Minute))
		if _, err := run.Server.Incidents.PostUpdate(ctx, auth.User{Name: "cora", Role: auth.Responder}, inc.ID,
			incident.StatusUpdate{Text: "카드 결제 재시도 중 · retrying card payments"}); err != nil {
			t.Fatal(err)
		}
		offset.Store(int64(22 * time.Minute))
		time.Sleep(time.Second)
		if n := len(reminders()); n != 1 {
			t.Fatalf("%d reminders 8 minutes after an update, want still 1", n)
		}
		// 11 minutes after the update, the next one.
		offset.Store(int64(25 * time.Minute))
		sink.WaitForMatching(t, 2, 30*time.Second, updateReminderTo)
		waitFor(t, "the second reminder on the timeline", func() bool { return len(reminders()) == 2 })
	})
}
