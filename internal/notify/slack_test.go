package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/notify/slack"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func slackRig(t *testing.T, url string) (*rig, *testutil.SlackAPI, *testutil.MailSink) {
	t.Helper()
	api := testutil.StartSlackAPI(t, "xoxb-good")
	sink := testutil.StartMailSink(t)
	r := startRig(t, url, nil)
	r.outbox.Notifiers[notify.Email] = mailer(t, sink)
	r.outbox.Notifiers[notify.Slack] = slack.New(notify.SlackConfig{Token: "xoxb-good", APIURL: api.URL}, r.db.Outbox())
	return r, api, sink
}

func TestSlackKeepsOneMessageASecondPerChannel(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		r, api, _ := slackRig(t, url)
		id := r.incident(t)
		var msgs []notify.Message
		for _, key := range []string{"a", "b", "c"} {
			msgs = append(msgs, notify.Message{Key: key, IncidentID: id, Channel: notify.Slack, To: "#ops", Text: "message " + key})
		}
		msgs = append(msgs, notify.Message{Key: "other", IncidentID: id, Channel: notify.Slack, To: "#other", Text: "elsewhere"})
		start := time.Now()
		r.store(t, msgs...)
		waitFor(t, "four posts", func() bool { return len(api.Calls()) == 4 })
		// Three messages to one channel need at least two slot intervals;
		// a slower machine only makes this longer.
		if took := time.Since(start); took < 2*time.Second {
			t.Errorf("three messages to #ops went out within %s", took)
		}
	})
}

func TestSlackRateLimitAndFallbackToEmail(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		r, api, sink := slackRig(t, url)
		id := r.incident(t)
		// Rate limited once: tried again after Retry-After, not given up.
		api.Refuse(testutil.SlackRefusal{Channel: "#ops", Error: "ratelimited", RetryAfter: 1})
		r.store(t, notify.Message{Key: "limited", IncidentID: id, Channel: notify.Slack, To: "#ops", Text: "hello", Fallback: "ops@example.com"})
		waitFor(t, "the post after the limit", func() bool { return len(api.Calls()) == 1 })

		// A channel that does not exist: the message goes by e-mail to the
		// fallback address, and the timeline says so.
		api.Refuse(testutil.SlackRefusal{Channel: "#gone", Error: "channel_not_found"})
		r.store(t, notify.Message{Key: "gone", IncidentID: id, Channel: notify.Slack, To: "#gone", Text: "Payments fail\nmore",
			Fallback: "team@example.com", Thread: notify.IncidentThread(id)})
		got := sink.WaitFor(t, 1, 30*time.Second)
		if got[0].To[0] != "team@example.com" || got[0].Subject() != "Payments fail" || !strings.Contains(got[0].Text, "more") {
			t.Errorf("fallback mail to %v: %q %q", got[0].To, got[0].Subject(), got[0].Text)
		}
		// A chat channel that keeps failing (5xx-like errors) falls back after three tries.
		api.Refuse(testutil.SlackRefusal{Channel: "#flaky", Error: "internal_error"}, testutil.SlackRefusal{Channel: "#flaky", Error: "internal_error"},
			testutil.SlackRefusal{Channel: "#flaky", Error: "internal_error"})
		r.store(t, notify.Message{Key: "flaky", IncidentID: id, Channel: notify.Slack, To: "#flaky", Text: "flaky", Fallback: "flaky@example.com"})
		sink.WaitFor(t, 2, 60*time.Second)

		waitFor(t, "two failures on the timeline", func() bool { return len(events(t, r.db, id, notify.EventFailed)) == 2 })
		for _, ev := range events(t, r.db, id, notify.EventFailed) {
			if ev.Data["fallback"] == nil || !strings.Contains(ev.Data["reason"].(string), "by e-mail to") {
				t.Errorf("failure event without fallback: %v", ev.Data)
			}
		}
		for _, m := range messages(t, r.db, id) {
			switch m.Key {
			case "limited":
				if m.Status != notify.Sent || !strings.Contains(m.LastError, "rate limited") {
					t.Errorf("rate-limited message: %s, %q", m.Status, m.LastError)
				}
			case "flaky":
				if m.Status != notify.Failed || !strings.Contains(m.LastError, "gave up after 3 tries") {
					t.Errorf("flaky message: %s, %q", m.Status, m.LastError)
				}
			}
		}
	})
}

func TestSlackRefusesABadToken(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		api := testutil.StartSlackAPI(t, "xoxb-good")
		r := startRig(t, url, map[notify.Channel]notify.Notifier{
			notify.Slack: slack.New(notify.SlackConfig{Token: "xoxb-wrong", APIURL: api.URL}, nil),
		})
		id := r.incident(t)
		r.store(t, notify.Message{Key: "k", IncidentID: id, Channel: notify.Slack, To: "#ops", Text: "x"})
		waitFor(t, "the failure", func() bool { return len(events(t, r.db, id, notify.EventFailed)) == 1 })
		if m := messages(t, r.db, id)[0]; !strings.Contains(m.LastError, "invalid_auth") || len(api.Calls()) != 0 {
			t.Errorf("bad token: %q, %d calls", m.LastError, len(api.Calls()))
		}
	})
}
