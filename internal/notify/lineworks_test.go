package notify_test

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/notify/lineworks"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// lineWorksRig is an outbox sending as a bot of a local LINE WORKS server
// and e-mail to a local SMTP sink. The server knows chat room room-1;
// targets: ops (room-1), kim (a user) and gone (a room the bot left).
func lineWorksRig(t *testing.T, url, clientSecret string) (*rig, *testutil.LineWorks, *testutil.MailSink) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	lw := testutil.StartLineWorks(t, "client-1", "secret-1", "sa1.serviceaccount@example.com", "2000001", &key.PublicKey, "room-1")
	cfg := &notify.LineWorksConfig{
		ClientID: "client-1", ClientSecret: clientSecret, ServiceAccount: "sa1.serviceaccount@example.com", PrivateKey: key,
		BotID: "2000001", AuthURL: lw.AuthURL, APIURL: lw.APIURL,
		Targets: []notify.LineWorksTarget{{Name: "ops", ChannelID: "room-1"}, {Name: "kim", UserID: "kim@example.com"},
			{Name: "gone", ChannelID: "room-9"}},
	}
	sink := testutil.StartMailSink(t)
	r := startRig(t, url, nil)
	r.outbox.Notifiers[notify.Email] = mailer(t, sink)
	r.outbox.Notifiers[notify.LineWorks] = lineworks.New(cfg, time.Now)
	return r, lw, sink
}

func TestLineWorksTokensAreKeptAndReplaced(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		r, lw, _ := lineWorksRig(t, url, "secret-1")
		id := r.incident(t)
		sent := func(n int) func() bool { return func() bool { return len(lw.Messages()) == n } }
		r.store(t,
			notify.Message{Key: "a", IncidentID: id, Channel: notify.LineWorks, To: "ops", Text: "*SEV2 incident INC-1 declared*\n_Tell partners._"},
			notify.Message{Key: "b", IncidentID: id, Channel: notify.LineWorks, To: "kim", Text: "second"})
		waitFor(t, "two messages", sent(2))
		if issued, _ := lw.Issued(); issued != 1 {
			t.Errorf("%d tokens for two messages, want one kept", issued)
		}
		for _, m := range lw.Messages() {
			switch {
			case m.Channel == "room-1" && m.Text != "SEV2 incident INC-1 declared\nTell partners.":
				t.Errorf("room message %q", m.Text)
			case m.Channel == "" && m.User != "kim@example.com":
				t.Errorf("user message to %q", m.User)
			}
		}

		// Tokens revoked: the API answers 401, and the message goes with a
		// new token, in the same try.
		lw.RevokeTokens()
		lw.SetTokenLifetime(5 * time.Second)
		r.store(t, notify.Message{Key: "c", IncidentID: id, Channel: notify.LineWorks, To: "ops", Text: "third"})
		waitFor(t, "the message after the 401", sent(3))
		if issued, unauthorized := lw.Issued(); issued != 2 || unauthorized != 1 {
			t.Errorf("after revoking: %d tokens, %d refused, want 2 and 1", issued, unauthorized)
		}
		// The new token lives 5 s: once that has passed, it is replaced
		// before use, not after a refusal.
		time.Sleep(6 * time.Second)
		r.store(t, notify.Message{Key: "d", IncidentID: id, Channel: notify.LineWorks, To: "ops", Text: "fourth"})
		waitFor(t, "the message after expiry", sent(4))
		if issued, unauthorized := lw.Issued(); issued != 3 || unauthorized != 1 {
			t.Errorf("after expiry: %d tokens, %d refused, want 3 and 1", issued, unauthorized)
		}
		waitFor(t, "four deliveries on the timeline", func() bool { return len(events(t, r.db, id, notify.EventDelivered)) == 4 })
	})
}

func TestLineWorksRetriesHonoursRetryAfterAndFallsBackToEmail(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		r, lw, sink := lineWorksRig(t, url, "secret-1")
		id := r.incident(t)
		lw.Refuse(testutil.LineWorksRefusal{Status: 429, RetryAfter: 1}, testutil.LineWorksRefusal{Status: 500})
		start := time.Now()
		r.store(t, notify.Message{Key: "limited", IncidentID: id, Channel: notify.LineWorks, To: "ops", Text: "hello",
			Fallback: "ops@example.com"})
		waitFor(t, "the message after the limit", func() bool { return len(lw.Messages()) == 1 })
		if took := time.Since(start); took < time.Second {
			t.Errorf("sent again %s after a 429 asking for 1 s", took)
		}
		// A room the bot is not in: no retry helps; told by e-mail instead.
		r.store(t, notify.Message{Key: "gone", IncidentID: id, Channel: notify.LineWorks, To: "gone", Subject: "Payments down",
			Text: "Payments down\nmore", Fallback: "team@example.com"})
		got := sink.WaitForTo(t, "team@example.com", 1, 30*time.Second)
		if got[0].Subject() != "Payments down" || !strings.Contains(got[0].Text, "more") {
			t.Errorf("fallback mail %q %q", got[0].Subject(), got[0].Text)
		}
		waitFor(t, "the failure on the timeline", func() bool { return len(events(t, r.db, id, notify.EventFailed)) == 1 })
		for _, m := range messages(t, r.db, id) {
			switch m.Key {
			case "limited":
				if m.Status != notify.Sent || m.Attempts < 3 {
					t.Errorf("limited message: %s after %d tries (%q)", m.Status, m.Attempts, m.LastError)
				}
			case "gone":
				if m.Status != notify.Failed || !strings.Contains(m.LastError, "403") || !strings.Contains(m.LastError, "by e-mail to team@example.com") {
					t.Errorf("gone room: %s, %q", m.Status, m.LastError)
				}
			}
		}
	})
}

func TestLineWorksWrongClientSecretFallsBackToEmail(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		r, lw, sink := lineWorksRig(t, url, "wrong")
		id := r.incident(t)
		r.store(t, notify.Message{Key: "k", IncidentID: id, Channel: notify.LineWorks, To: "ops", Text: "x", Fallback: "ops@example.com"})
		sink.WaitForTo(t, "ops@example.com", 1, 30*time.Second)
		waitFor(t, "the failure", func() bool { return len(events(t, r.db, id, notify.EventFailed)) == 1 })
		if m := messages(t, r.db, id)[0]; !strings.Contains(m.LastError, "invalid_client") || len(lw.Messages()) != 0 {
			t.Errorf("wrong secret: %q, %d messages", m.LastError, len(lw.Messages()))
		}
	})
}
