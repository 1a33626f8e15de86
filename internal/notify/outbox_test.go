package notify_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/notify/email"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// quickRetry retries after 50 ms, so tests see retries without waiting.
type quickRetry struct{}

func (quickRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(50 * time.Millisecond)
}

// rig is a database, an outbox with the channels given and a running queue.
type rig struct {
	db     *store.DB
	outbox *notify.Outbox
}

func startRig(t *testing.T, url string, channels map[notify.Channel]notify.Notifier) *rig {
	t.Helper()
	ctx := context.Background()
	db := testutil.OpenStore(t, url)
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	ob := notify.NewOutbox(db.Outbox())
	ob.Log = testutil.TestLogger()
	for ch, n := range channels {
		ob.Notifiers[ch] = n
	}
	client, err := jobs.New(db, time.Now, jobs.Config{
		PollInterval: 100 * time.Millisecond, RetryPolicy: quickRetry{}, MaxAttempts: 4, Logger: testutil.TestLogger(),
		Register: func(w *river.Workers) { river.AddWorker(w, ob.Worker()) },
		Queues:   map[string]river.QueueConfig{notify.QueueName: notify.QueueConfig},
	})
	if err != nil {
		t.Fatal(err)
	}
	ob.Queue = client
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	return &rig{db: db, outbox: ob}
}

func (r *rig) incident(t *testing.T) int64 {
	t.Helper()
	now := time.Now().UTC()
	inc := &incident.Incident{Title: "Payments down", Grade: incident.SEV2, Status: incident.Investigating, Source: "manual",
		Visibility: incident.Internal, CreatedBy: "alice", StartedAt: now, DetectedAt: now, CreatedAt: now, UpdatedAt: now}
	if err := r.db.Incidents().CreateIncident(context.Background(), inc, nil); err != nil {
		t.Fatal(err)
	}
	return inc.ID
}

// store saves msgs in a transaction of its own and commits it.
func (r *rig) store(t *testing.T, msgs ...notify.Message) {
	t.Helper()
	ctx := context.Background()
	tx, err := r.db.SQL.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.outbox.Store(ctx, tx, msgs...); err != nil {
		_ = tx.Rollback()
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func mailer(t *testing.T, sink *testutil.MailSink) *email.Notifier {
	t.Helper()
	n, err := email.New(notify.EmailConfig{Host: sink.Host, Port: sink.Port, From: "Firebreak <firebreak@example.com>", TLS: "none"})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func messages(t *testing.T, db *store.DB, incidentID int64) []notify.Message {
	t.Helper()
	ms, err := db.Outbox().IncidentMessages(context.Background(), incidentID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func events(t *testing.T, db *store.DB, incidentID int64, kind incident.EventKind) []incident.Event {
	t.Helper()
	evs, err := db.Incidents().ListEvents(context.Background(), incidentID, 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	var out []incident.Event
	for _, ev := range evs {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

func TestOutboxDeliversMailAsOneThread(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		sink := testutil.StartMailSink(t)
		r := startRig(t, url, map[notify.Channel]notify.Notifier{notify.Email: mailer(t, sink)})
		id := r.incident(t)
		thread := notify.IncidentThread(id)
		r.store(t,
			notify.Message{Key: "k1", IncidentID: id, Channel: notify.Email, Target: "team payments", To: "payments@example.com",
				Thread: thread, Subject: "[SEV2] 결제 장애 Payments down", Text: "결제가 실패합니다.\nPayments fail.", HTML: "<p>결제가 실패합니다.</p>"},
			notify.Message{Key: "k2", IncidentID: id, Channel: notify.Email, Target: "support", To: "support@example.com, cs@example.com",
				Thread: thread, Subject: "[SEV2] Payments down", Text: "Payments fail."},
		)
		got := sink.WaitFor(t, 2, 30*time.Second)
		bySubject := map[string]testutil.ReceivedMail{}
		for _, m := range got {
			bySubject[m.Subject()] = m
		}
		ko := bySubject["[SEV2] 결제 장애 Payments down"]
		if !strings.Contains(ko.Text, "결제가 실패합니다.") || !strings.Contains(ko.HTML, "<p>결제가 실패합니다.</p>") {
			t.Errorf("text/html parts: %q / %q", ko.Text, ko.HTML)
		}
		if len(ko.To) != 1 || ko.To[0] != "payments@example.com" {
			t.Errorf("envelope recipients %v", ko.To)
		}
		en := bySubject["[SEV2] Payments down"]
		if len(en.To) != 2 {
			t.Errorf("envelope recipients of the list %v, want 2", en.To)
		}
		// One thread: both refer to the same root, each has its own id.
		root := "<" + thread + "@example.com>"
		for _, m := range got {
			if m.Header.Get("In-Reply-To") != root || m.Header.Get("References") != root {
				t.Errorf("threading headers %q / %q, want %q", m.Header.Get("In-Reply-To"), m.Header.Get("References"), root)
			}
		}
		if ko.Header.Get("Message-Id") == en.Header.Get("Message-Id") || ko.Header.Get("Message-Id") == "" {
			t.Errorf("message ids %q and %q", ko.Header.Get("Message-Id"), en.Header.Get("Message-Id"))
		}
		waitFor(t, "both deliveries on the timeline", func() bool { return len(events(t, r.db, id, notify.EventDelivered)) == 2 })
		for _, m := range messages(t, r.db, id) {
			if m.Status != notify.Sent || m.SentAt == nil || m.ExternalID == "" {
				t.Errorf("message %s: status %s, sent %v, ref %q", m.Key, m.Status, m.SentAt, m.ExternalID)
			}
		}
	})
}

func TestOutboxStoresOnlyWithTheTransaction(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		sink := testutil.StartMailSink(t)
		r := startRig(t, url, map[notify.Channel]notify.Notifier{notify.Email: mailer(t, sink)})
		id := r.incident(t)
		ctx := context.Background()
		tx, err := r.db.SQL.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		msg := notify.Message{Key: "rolled-back", IncidentID: id, Channel: notify.Email, To: "a@example.com", Subject: "x", Text: "x"}
		if err := r.outbox.Store(ctx, tx, msg); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		// The same key, stored twice, is one message.
		kept := notify.Message{Key: "kept", IncidentID: id, Channel: notify.Email, To: "b@example.com", Subject: "kept", Text: "y"}
		r.store(t, kept)
		r.store(t, kept)
		sink.WaitFor(t, 1, 30*time.Second)
		waitFor(t, "the delivery on the timeline", func() bool { return len(events(t, r.db, id, notify.EventDelivered)) == 1 })
		time.Sleep(300 * time.Millisecond) // a duplicate would have arrived by now
		if got := sink.Messages(); len(got) != 1 || got[0].Subject() != "kept" {
			t.Fatalf("sink got %d messages, want only %q", len(got), "kept")
		}
		if ms := messages(t, r.db, id); len(ms) != 1 {
			t.Fatalf("%d stored messages, want 1", len(ms))
		}
	})
}

func TestOutboxRetriesAndKeepsFinalFailure(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		sink := testutil.StartMailSink(t)
		r := startRig(t, url, map[notify.Channel]notify.Notifier{notify.Email: mailer(t, sink)})
		id := r.incident(t)
		// Two temporary refusals, then accepted.
		sink.FailNext(&smtp.SMTPError{Code: 451, Message: "greylisted"}, &smtp.SMTPError{Code: 451, Message: "greylisted"})
		r.store(t, notify.Message{Key: "retry", IncidentID: id, Channel: notify.Email, To: "a@example.com", Subject: "retried", Text: "x"})
		sink.WaitFor(t, 1, 30*time.Second)
		waitFor(t, "the delivery", func() bool { return len(events(t, r.db, id, notify.EventDelivered)) == 1 })
		if m := messages(t, r.db, id)[0]; m.Attempts != 3 || !strings.Contains(m.LastError, "greylisted") {
			t.Errorf("attempts %d, last error %q; want 3 and the refusal", m.Attempts, m.LastError)
		}

		// A permanent refusal fails at once, with its reason kept.
		sink.FailNext(&smtp.SMTPError{Code: 550, Message: "no such mailbox"})
		r.store(t, notify.Message{Key: "perm", IncidentID: id, Channel: notify.Email, To: "gone@example.com", Subject: "x", Text: "x"})
		// A channel that is not configured fails with a reason too.
		r.store(t, notify.Message{Key: "noslack", IncidentID: id, Channel: notify.Slack, To: "#ops", Text: "x"})
		waitFor(t, "two failures on the timeline", func() bool { return len(events(t, r.db, id, notify.EventFailed)) == 2 })
		reasons := map[string]string{}
		for _, m := range messages(t, r.db, id) {
			if m.Status == notify.Failed {
				reasons[m.Key] = m.LastError
			}
		}
		if !strings.Contains(reasons["perm"], "no such mailbox") || !strings.Contains(reasons["noslack"], "no slack channel") {
			t.Errorf("failure reasons %q", reasons)
		}
		if got := len(sink.Messages()); got != 1 {
			t.Errorf("sink got %d messages, want 1", got)
		}
	})
}
