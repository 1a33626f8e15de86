package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/notify/webhook"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestWebhookSignsRetriesAndKeepsItsKey: a partner's webhook gets a signed
// body with the message's idempotency key; 503s are retried with the same
// key, and a refused signature (wrong secret) fails for good with its reason.
func TestWebhookSignsRetriesAndKeepsItsKey(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		recv := testutil.StartWebhookReceiver(t, "right-secret")
		secrets := map[string]string{"partner:good": "right-secret", "partner:bad": "wrong-secret"}
		r := startRig(t, url, map[notify.Channel]notify.Notifier{
			notify.Webhook: webhook.New(func(m *notify.Message) string { return secrets[m.TargetKey] }),
		})
		id := r.incident(t)
		recv.FailNext(2)
		r.store(t, notify.Message{Key: "hook-1", IncidentID: id, Channel: notify.Webhook, Target: "good", TargetKey: "partner:good",
			To: recv.URL, Payload: []byte(`{"kind":"declared"}`)})
		waitFor(t, "the delivery", func() bool { return len(events(t, r.db, id, notify.EventDelivered)) == 1 })
		if got := recv.Handled(); len(got) != 1 || string(got[0]) != `{"kind":"declared"}` {
			t.Errorf("handled %q", got)
		}
		if d := recv.Deliveries(); d["hook-1"] != 1 || len(d) != 1 {
			t.Errorf("deliveries by key %v (the two 503s are refused before counting)", d)
		}
		if m := messages(t, r.db, id)[0]; m.Attempts != 3 || !strings.Contains(m.LastError, "503") {
			t.Errorf("attempts %d, last error %q", m.Attempts, m.LastError)
		}

		r.store(t, notify.Message{Key: "hook-2", IncidentID: id, Channel: notify.Webhook, Target: "bad", TargetKey: "partner:bad",
			To: recv.URL, Payload: []byte(`{"kind":"declared"}`)})
		waitFor(t, "the failure", func() bool { return len(events(t, r.db, id, notify.EventFailed)) == 1 })
		time.Sleep(200 * time.Millisecond) // no retry may follow a permanent failure
		if n := recv.BadlySigned(); n != 1 {
			t.Errorf("%d badly signed requests, want exactly 1 (401 is final)", n)
		}
		for _, m := range messages(t, r.db, id) {
			if m.Key == "hook-2" && (m.Status != notify.Failed || !strings.Contains(m.LastError, "401")) {
				t.Errorf("bad secret: %s %q", m.Status, m.LastError)
			}
		}
	})
}
