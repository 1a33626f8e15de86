package hooks_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestJournaledWebhookSurvivesRestart: with an intake journal the webhook
// answers once the alerts are fsync'd in the journal. A server that stops
// before applying them (here: its handler served without the applier, its
// database closed with nothing drained, as after a crash) leaves them in
// the journal; the next start applies every one — deduplicated, resolved,
// routed — and goes on applying new alerts as they come, routing them as
// it stores them when their group's incident is open or their route triages.
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
		testutil.WaitFor(t, "the journal applied after the restart", func() bool {
			got := byFP()
			return len(got) == 2 && got["fp-a"]["status"] == "resolved" && got["fp-a"]["count"] == int64(2) &&
				got["fp-b"]["status"] == "firing" && got["fp-a"]["routed"] == true && got["fp-b"]["routed"] == true
		})
		if n, done := second.srv.Journaled.Applied(); !done || n == 0 {
			t.Fatalf("applied %d, all: %v", n, done)
		}

		second.post(t, "/hooks/alertmanager", amAuth, amPayload("firing", amAlert("firing", "fp-c", labels("Saturation")))).want(t, 200)
		testutil.WaitFor(t, "a new alert applied", func() bool { return len(byFP()) == 3 })

		// Routed as they are applied: a new alert of fp-a's group joins the
		// incident fp-a declared, once (the routing job does not join it
		// again); one whose route triages, and one no route matches, go to
		// the inbox.
		second.post(t, "/hooks/alertmanager", amAuth, amPayload("firing", amAlert("firing", "fp-d", labels("Latency")),
			amAlert("firing", "fp-e", map[string]string{"alertname": "DiskFull", "severity": "warning"}),
			amAlert("firing", "fp-f", map[string]string{"alertname": "Stray"}))).want(t, 200)
		testutil.WaitFor(t, "routed on arrival", func() bool {
			got := byFP()
			return len(got) == 6 && got["fp-d"]["routed"] == true && got["fp-e"]["routed"] == true && got["fp-f"]["routed"] == true
		})
		got := byFP()
		incidentID := got["fp-a"]["incident_id"].(int64)
		if incidentID == 0 || got["fp-d"]["incident_id"] != incidentID || got["fp-d"]["triage"] != "" {
			t.Fatalf("fp-d did not join fp-a's incident: %v, %v", got["fp-d"], got["fp-a"])
		}
		for _, fp := range []string{"fp-e", "fp-f"} {
			if got[fp]["triage"] != "pending" || got[fp]["incident_id"] != int64(0) {
				t.Errorf("%s: %v, want it in the triage inbox", fp, got[fp])
			}
		}
		evs, err := second.srv.DB.Incidents().ListEvents(ctx, incidentID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		joins := 0
		for _, ev := range evs {
			if ev.Kind == intake.EventSignalJoined && ev.Data["signal_id"] == float64(got["fp-d"]["id"].(int64)) {
				joins++
			}
		}
		if joins != 1 {
			t.Fatalf("fp-d joined %d times: %+v", joins, evs)
		}
	})
}
