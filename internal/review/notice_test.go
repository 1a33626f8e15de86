package review_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/review/reviewtest"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestRemindersAndEscalationsByMail: the sweep's reminder reaches the owner
// and the overdue item's escalation reaches the team lead as real e-mail,
// through the outbox (stored with the notice, then delivered over SMTP).
func TestRemindersAndEscalationsByMail(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		sink := testutil.StartMailSink(t)
		clock := reviewtest.NewClock(time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC))
		s := reviewtest.Start(t, url, server.Options{Now: clock.Now, ReviewSweepEvery: 200 * time.Millisecond,
			Notify: &notify.Config{Email: &notify.EmailConfig{Host: sink.Host, Port: sink.Port, From: "Firebreak <firebreak@example.com>", TLS: "none"}}})
		inc := s.Call(t, "alice", "POST", "/api/v1/incidents", map[string]any{"title": "결제 지연", "grade": "SEV2",
			"services": []string{"checkout-api"}}, 201)["id"].(string)
		s.Call(t, "alice", "POST", "/api/v1/incidents/"+inc+"/action-items", map[string]any{"title": "Cap checkout retries at 2",
			"category": "prevent", "term": "short", "owner": "alice", "due_at": "2026-02-03"}, 201)

		reminder := sink.WaitForTo(t, "alice@example.com", 1, 30*time.Second)[0]
		if reminder.To[0] != "alice@example.com" || !strings.Contains(reminder.Subject(), "Cap checkout retries at 2") ||
			!strings.Contains(reminder.Text, "기한은 2026-02-03") {
			t.Fatalf("reminder: to %v, %q, %q", reminder.To, reminder.Subject(), reminder.Text)
		}
		clock.Set(time.Date(2026, 2, 5, 9, 0, 0, 0, time.UTC))
		esc := sink.WaitForTo(t, "minji.kim@example.com", 1, 30*time.Second)[0]
		if esc.To[0] != "minji.kim@example.com" || !strings.Contains(esc.Subject(), "Overdue") || !strings.Contains(esc.Text, "owned by alice") {
			t.Fatalf("escalation: to %v, %q, %q", esc.To, esc.Subject(), esc.Text)
		}
		time.Sleep(time.Second) // more sweeps: nothing is sent twice
		if a, m := len(sink.MessagesTo("alice@example.com")), len(sink.MessagesTo("minji.kim@example.com")); a != 1 || m != 1 {
			t.Errorf("%d reminders and %d escalations, want one each", a, m)
		}
	})
}
