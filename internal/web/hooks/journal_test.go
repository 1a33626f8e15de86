package hooks_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestJournaledWebhookSurvivesRestart: with an intake journal the webhook
// answers once the alerts are fsync'd in the journal. A server that stops
// before applying them (here: its handler served without the applier, its
// database closed with nothing drained, as after a crash) leaves them in
// the journal; the next start applies every one — deduplicated, resolved,
// routed — and goes on applying new alerts as they come.
func TestJournaledWebhookSurvivesRestart(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		dir := filepath.Join(t.TempDir(), "journal")
		opts := hooksOptions(t, server.Options{DatabaseURL: url, IntakeJournal: dir, Logger: testutil.TestLogger()})
		first, err := server.Open(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(first.Handler)
		f := &firebreak{base: hs.URL, srv: first}
		labels := func(name string) map[string]string {
			return map[string]string{"alertname": name, "service": "checkout-api"}
		}
		f.post(t, "/hooks/alertmanager", amAuth, amPayload("firing", amAlert("firing", "fp-a", labels("Latency")))).want(t, 200)
		f.post(t, "/hooks/alertmanager", amAuth, amPayload("firing", amAlert("firing", "fp-a", labels("Latency")),
			amAlert("firing", "fp-b", labels("Errors")))).want(t, 200)
		f.post(t, "/hooks/alertmanager", amAuth, amPayload("resolved", amAlert("resolved", "fp-a", labels("Latency")))).want(t, 200)
		// A malformed payload is still refused at once and kept.
		f.post(t, "/hooks/alertmanager", amAuth, []byte(`{"version":"4","alerts":[{"labels":"x"}]}`)).want(t, 400)
		if got := f.signals(t); len(got) != 0 {
			t.Fatalf("signals stored without an applier: %v", got)
		}
		if segs, _ := filepath.Glob(filepath.Join(dir, "*.journal")); len(segs) != 1 {
			t.Fatalf("journal segments: %v", segs)
		}
		hs.Close()
		first.DB.Close()

		second := startFirebreakWith(t, server.Options{DatabaseURL: url, IntakeJournal: dir})
		byFP := func() map[string]map[string]any {
			out := map[string]map[string]any{}
			for _, s := range second.signals(t) {
				out[s["fingerprint"].(string)] = s
			}
			return out
		}
		eventually(t, "the journal applied after the restart", func() bool {
			got := byFP()
			return len(got) == 2 && got["fp-a"]["status"] == "resolved" && got["fp-a"]["count"] == int64(2) &&
				got["fp-b"]["status"] == "firing" && got["fp-a"]["routed"] == true && got["fp-b"]["routed"] == true
		})
		if n, done := second.srv.Journaled.Applied(); !done || n == 0 {
			t.Fatalf("applied %d, all: %v", n, done)
		}

		second.post(t, "/hooks/alertmanager", amAuth, amPayload("firing", amAlert("firing", "fp-c", labels("Saturation")))).want(t, 200)
		eventually(t, "a new alert applied", func() bool { return len(byFP()) == 3 })
	})
}
