package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/notify/teams"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// teamsRig is an outbox posting to a local Workflows server with two
// channels, ops and oncall, and sending e-mail to a local SMTP sink.
func teamsRig(t *testing.T, url string) (*rig, *testutil.TeamsWorkflows, *testutil.MailSink) {
	t.Helper()
	wf := testutil.StartTeamsWorkflows(t)
	sink := testutil.StartMailSink(t)
	cfg := &notify.TeamsConfig{Channels: []notify.TeamsChannel{
		{Name: "ops", WebhookURL: wf.Flow("f-ops", "sig-ops")},
		{Name: "oncall", WebhookURL: wf.Flow("f-oncall", "sig-oncall")},
		// A flow whose signature was regenerated after the config was written.
		{Name: "stale", WebhookURL: wf.Flow("f-stale", "sig-new") + "x"},
	}}
	r := startRig(t, url, nil)
	r.outbox.Notifiers[notify.Email] = mailer(t, sink)
	r.outbox.Notifiers[notify.Teams] = teams.New(cfg)
	return r, wf, sink
}

func TestTeamsPostsAdaptiveCards(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		r, wf, _ := teamsRig(t, url)
		id := r.incident(t)
		card := teams.Message(teams.CardData{Heading: "INC-1 · Payments down", Label: "Declared", Grade: "SEV2",
			Text: "*SEV2 incident INC-1 declared: Payments down*\nServices: payments", URL: "https://fb.example.com/incidents/1",
			Button: "Open in Firebreak"})
		r.store(t,
			notify.Message{Key: "declared", IncidentID: id, Channel: notify.Teams, To: "ops", Text: "x", Payload: card},
			notify.Message{Key: "plain", IncidentID: id, Channel: notify.Teams, To: "oncall", Subject: "Plain", Text: "no card given"})
		waitFor(t, "two cards", func() bool { return len(wf.Posts()) == 2 })
		for _, p := range wf.Posts() {
			switch p.Flow {
			case "f-ops":
				if len(p.Texts) != 3 || p.Texts[0] != "INC-1 · Payments down" || p.Texts[1] != "Declared" ||
					!strings.HasPrefix(p.Texts[2], "**SEV2 incident INC-1 declared: Payments down**\n\nServices") {
					t.Errorf("card texts %q", p.Texts)
				}
				if p.OpenURL != "https://fb.example.com/incidents/1" {
					t.Errorf("card links to %q", p.OpenURL)
				}
			case "f-oncall":
				if p.Texts[0] != "Plain" || p.Texts[2] != "no card given" {
					t.Errorf("plain card texts %q", p.Texts)
				}
			}
		}
		waitFor(t, "two deliveries on the timeline", func() bool { return len(events(t, r.db, id, notify.EventDelivered)) == 2 })
		for _, m := range messages(t, r.db, id) {
			if m.Status != notify.Sent || !strings.HasPrefix(m.ExternalID, "run-") {
				t.Errorf("message %s: %s, ref %q", m.Key, m.Status, m.ExternalID)
			}
		}
	})
}

func TestTeamsRetriesHonoursRetryAfterAndFallsBackToEmail(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		r, wf, sink := teamsRig(t, url)
		id := r.incident(t)
		// Throttled once, then a server error once: delivered on the third
		// try, after the wait the flow asked for.
		wf.Refuse(testutil.TeamsRefusal{Flow: "f-ops", Status: 429, RetryAfter: 1}, testutil.TeamsRefusal{Flow: "f-ops", Status: 502})
		start := time.Now()
		r.store(t, notify.Message{Key: "limited", IncidentID: id, Channel: notify.Teams, To: "ops", Subject: "S", Text: "hello",
			Fallback: "ops@example.com"})
		waitFor(t, "the card after the limit", func() bool { return len(wf.Posts()) == 1 })
		if took := time.Since(start); took < time.Second {
			t.Errorf("posted again %s after a 429 asking for 1 s", took)
		}

		// A flow that refuses the signature: no retry helps, so the message
		// goes by e-mail to the fallback address at once.
		r.store(t, notify.Message{Key: "stale", IncidentID: id, Channel: notify.Teams, To: "stale", Subject: "Payments down",
			Text: "Payments down\nmore", Fallback: "team@example.com", Thread: notify.IncidentThread(id)})
		got := sink.WaitForTo(t, "team@example.com", 1, 30*time.Second)
		if got[0].Subject() != "Payments down" || !strings.Contains(got[0].Text, "more") {
			t.Errorf("fallback mail %q %q", got[0].Subject(), got[0].Text)
		}
		// A channel the config does not name fails for good too.
		r.store(t, notify.Message{Key: "unknown", IncidentID: id, Channel: notify.Teams, To: "nowhere", Text: "lost?",
			Fallback: "nowhere@example.com"})
		sink.WaitForTo(t, "nowhere@example.com", 1, 30*time.Second)
		// Keeps failing with 5xx: falls back after three tries.
		wf.Refuse(testutil.TeamsRefusal{Flow: "f-oncall", Status: 503}, testutil.TeamsRefusal{Flow: "f-oncall", Status: 503},
			testutil.TeamsRefusal{Flow: "f-oncall", Status: 503})
		r.store(t, notify.Message{Key: "flaky", IncidentID: id, Channel: notify.Teams, To: "oncall", Text: "flaky",
			Fallback: "oncall@example.com"})
		sink.WaitForTo(t, "oncall@example.com", 1, 60*time.Second)

		waitFor(t, "three failures on the timeline", func() bool { return len(events(t, r.db, id, notify.EventFailed)) == 3 })
		for _, ev := range events(t, r.db, id, notify.EventFailed) {
			reason, _ := ev.Data["reason"].(string)
			if ev.Data["fallback"] == nil || !strings.Contains(reason, "by e-mail to") || strings.Contains(reason, "sig-") {
				t.Errorf("failure event %v", ev.Data)
			}
		}
		for _, m := range messages(t, r.db, id) {
			switch m.Key {
			case "limited":
				if m.Status != notify.Sent || m.Attempts < 2 {
					t.Errorf("limited message: %s after %d tries (%q)", m.Status, m.Attempts, m.LastError)
				}
			case "stale":
				if m.Status != notify.Failed || !strings.Contains(m.LastError, "401") {
					t.Errorf("stale flow: %s, %q", m.Status, m.LastError)
				}
			case "unknown":
				if !strings.Contains(m.LastError, `teams "nowhere": no such channel is configured`) {
					t.Errorf("unknown channel: %q", m.LastError)
				}
			case "flaky":
				if m.Status != notify.Failed || !strings.Contains(m.LastError, "gave up after 3 tries") {
					t.Errorf("flaky channel: %s, %q", m.Status, m.LastError)
				}
			}
		}
	})
}
