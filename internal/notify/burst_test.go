package notify_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// A declaration-sized burst (more deliveries than MaxSending at once, mail
// and Slack, two messages for one channel) hands every message to its
// channel exactly once, records each outcome once on the message and the
// timeline, and the channel with two messages gets its second only in its
// next slot.
func TestOutboxBurstDeliversEachOnce(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		r, api, sink := slackRig(t, url)
		id := r.incident(t)
		const departments = 60
		var msgs []notify.Message
		for i := range departments {
			msgs = append(msgs,
				notify.Message{Key: fmt.Sprintf("mail-%d", i), IncidentID: id, Channel: notify.Email,
					To: fmt.Sprintf("dept-%d@example.com", i), Subject: fmt.Sprintf("[SEV2] dept-%d", i), Text: "결제 장애"},
				notify.Message{Key: fmt.Sprintf("slack-%d", i), IncidentID: id, Channel: notify.Slack,
					To: fmt.Sprintf("#dept-%d", i), Text: fmt.Sprintf("dept-%d", i)})
		}
		msgs = append(msgs, notify.Message{Key: "slack-0-again", IncidentID: id, Channel: notify.Slack, To: "#dept-0", Text: "again"})
		start := time.Now()
		r.store(t, msgs...)
		waitFor(t, "every delivery on the timeline", func() bool {
			return len(events(t, r.db, id, notify.EventDelivered)) >= len(msgs)
		})
		time.Sleep(300 * time.Millisecond) // a duplicate would have arrived by now

		mails := map[string]int{}
		for _, m := range sink.Messages() {
			mails[m.Header.Get("X-Firebreak-Message")]++
		}
		posts := map[string]int{}
		var dept0 []time.Time // when Slack accepted #dept-0's posts
		for _, c := range api.Calls() {
			posts[c.Channel+" "+c.Text]++
			if c.Channel == "#dept-0" {
				dept0 = append(dept0, c.At)
			}
		}
		for i := range departments {
			if n := mails[fmt.Sprintf("mail-%d", i)]; n != 1 {
				t.Errorf("mail-%d arrived %d times", i, n)
			}
			if n := posts[fmt.Sprintf("#dept-%d dept-%d", i, i)]; n != 1 {
				t.Errorf("slack-%d posted %d times", i, n)
			}
		}
		if n := posts["#dept-0 again"]; n != 1 {
			t.Errorf("the second message to #dept-0 posted %d times", n)
		}
		if len(sink.Messages()) != departments || len(api.Calls()) != departments+1 {
			t.Errorf("%d mails and %d posts, want %d and %d", len(sink.Messages()), len(api.Calls()), departments, departments+1)
		}
		if evs := events(t, r.db, id, notify.EventDelivered); len(evs) != len(msgs) {
			t.Errorf("%d delivery events, want %d", len(evs), len(msgs))
		}
		stored, err := r.db.Outbox().IncidentMessages(t.Context(), id, 0, 500)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range stored {
			if m.Status != notify.Sent || m.Attempts != 1 || m.SentAt == nil {
				t.Errorf("%s: %s after %d attempts", m.Key, m.Status, m.Attempts)
			}
		}
		// The first of #dept-0's messages took the channel's slot no
		// earlier than the store, so the second went no earlier than a
		// slot (1 s) after that.
		if len(dept0) == 2 {
			last := dept0[0]
			if dept0[1].After(last) {
				last = dept0[1]
			}
			if wait := last.Sub(start); wait < time.Second {
				t.Errorf("#dept-0's second post %s after the store, want a slot (1 s) or more", wait)
			}
		}
	})
}
