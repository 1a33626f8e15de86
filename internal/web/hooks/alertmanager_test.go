package hooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// alertmanagerBin is Debian's Alertmanager (package prometheus-alertmanager).
const alertmanagerBin = "/usr/bin/prometheus-alertmanager"

// realAMConfig is Firebreak's config for the real-Alertmanager test: one
// service, the Alertmanager source on, and a route that declares an incident
// per alertname for the service.
const realAMConfig = `
teams:
  - name: payments
services:
  - name: checkout-api
    team: payments
intake:
  alertmanager:
    token: real-am-token
  routes:
    - match: {service: checkout-api}
      service: checkout-api
      grade: SEV2
      action: declare
      group_by: [alertname]
`

// realAMRouting makes Alertmanager notify as soon as it can: the first
// notification at once, and the group again every second. 0.25 refuses only
// a zero group_interval or repeat_interval; group_wait may be 0s.
const realAMRouting = `
route:
  receiver: firebreak
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1s
receivers:
  - name: firebreak
    webhook_configs:
      - url: %q
        send_resolved: true
        http_config:
          authorization:
            credentials: %q
`

// TestRealAlertmanager drives Firebreak's webhook with Debian's Alertmanager
// itself: the payloads, retries, repeats and resolved notifications are the
// ones production sees, not hand-written copies.
func TestRealAlertmanager(t *testing.T) {
	if _, err := os.Stat(alertmanagerBin); err != nil {
		testutil.Missing(t, "prometheus-alertmanager (apt-get install prometheus-alertmanager)")
	}
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		cat, err := catalog.Parse("firebreak.yaml", []byte(realAMConfig))
		if err != nil {
			t.Fatal(err)
		}
		in, err := intake.ParseConfig("firebreak.yaml", []byte(realAMConfig), func(s string) bool { _, ok := cat.Service(s); return ok })
		if err != nil {
			t.Fatal(err)
		}
		fb := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Intake: in})
		am := startAlertmanager(t, fmt.Sprintf(realAMRouting, fb.Base+"/hooks/alertmanager", in.Alertmanager.Token))
		signals := fb.Server.DB.Signals()

		// Two instances of one alert: two fingerprints, one Alertmanager
		// group, one Firebreak route group.
		startsAt := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
		alert := func(instance string, endsAt time.Time) map[string]any {
			a := map[string]any{
				"labels":       map[string]string{"alertname": "CheckoutLatency", "service": "checkout-api", "instance": instance},
				"annotations":  map[string]string{"summary": "checkout p99 latency above 2s (결제 지연)"},
				"startsAt":     startsAt.Format(time.RFC3339Nano),
				"generatorURL": "http://prometheus.example/graph?g0.expr=checkout_latency",
			}
			if !endsAt.IsZero() {
				a["endsAt"] = endsAt.UTC().Format(time.RFC3339Nano)
			}
			return a
		}
		am.post(t, alert("a:9100", time.Time{}), alert("b:9100", time.Time{}))
		fps := am.fingerprints(t)
		if len(fps) != 2 {
			t.Fatalf("Alertmanager holds %d alerts, want 2: %v", len(fps), fps)
		}

		get := func(instance string) *intake.Signal {
			t.Helper()
			var id int64
			err := fb.Server.DB.SQL.QueryRowContext(ctx, "SELECT id FROM signals WHERE source = $1 AND fingerprint = $2",
				"alertmanager", fps[instance]).Scan(&id)
			if err != nil {
				return nil
			}
			s, err := signals.GetSignal(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		countSignals := func() int {
			t.Helper()
			var n int
			if err := fb.Server.DB.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM signals").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		// The first notification stores one signal per alert, under
		// Alertmanager's own fingerprint.
		testutil.WaitFor(t, "both alerts stored as signals", func() bool { return get("a:9100") != nil && get("b:9100") != nil })
		a := get("a:9100")
		if a.Status != intake.Firing || a.Title != "checkout p99 latency above 2s (결제 지연)" || a.Labels["instance"] != "a:9100" ||
			!a.StartsAt.Equal(startsAt) {
			t.Fatalf("signal from Alertmanager: %+v", a)
		}

		// Prometheus re-posts firing alerts on every evaluation and
		// Alertmanager re-sends the group every repeat_interval: each repeat
		// raises the count and last-seen time of the one signal.
		for range 3 {
			am.post(t, alert("a:9100", time.Time{}), alert("b:9100", time.Time{}))
		}
		testutil.WaitFor(t, "repeat notifications to raise the count", func() bool {
			s := get("a:9100")
			return s.Count >= 3 && s.LastSeen.After(s.FirstSeen)
		})
		if n := countSignals(); n != 2 {
			t.Fatalf("%d signals after repeats, want 2", n)
		}

		// The route declared an incident and both signals joined it.
		testutil.WaitFor(t, "routing", func() bool { return get("a:9100").IncidentID != 0 && get("b:9100").IncidentID != 0 })
		a, b := get("a:9100"), get("b:9100")
		if a.IncidentID != b.IncidentID || a.Service != "checkout-api" || a.Grade != incident.SEV2 {
			t.Fatalf("routing: a=%+v b=%+v", a, b)
		}
		inc, err := fb.Server.Incidents.Get(ctx, intake.System, a.IncidentID)
		if err != nil {
			t.Fatal(err)
		}
		if inc.Grade != incident.SEV2 || inc.Source != "alertmanager" || !slices.Contains(inc.Services, "checkout-api") {
			t.Fatalf("declared incident: %+v", inc)
		}
		timeline := func() []incident.Event {
			t.Helper()
			evs, err := fb.Server.Incidents.Timeline(ctx, intake.System, a.IncidentID, 0, 500)
			if err != nil {
				t.Fatal(err)
			}
			return evs
		}
		joined := map[float64]bool{}
		for _, ev := range timeline() {
			if ev.Kind == intake.EventSignalJoined {
				id, _ := ev.Data["signal_id"].(float64)
				joined[id] = true
			}
		}
		if len(joined) != 2 || !joined[float64(a.ID)] || !joined[float64(b.ID)] {
			t.Fatalf("signal_joined events name signals %v, want %d and %d", joined, a.ID, b.ID)
		}

		// An alert posted with endsAt in the past is resolved; Alertmanager
		// sends the resolved notification and the signal follows.
		am.post(t, alert("a:9100", time.Now().Add(-time.Second)))
		testutil.WaitFor(t, "the resolved notification", func() bool { return get("a:9100").Status == intake.Resolved })
		a = get("a:9100")
		if a.ResolvedAt == nil {
			t.Fatalf("resolved signal without resolved_at: %+v", a)
		}
		if b := get("b:9100"); b.Status != intake.Firing {
			t.Fatalf("the other instance was resolved too: %+v", b)
		}
		resolvedEvent := func() bool {
			for _, ev := range timeline() {
				id, _ := ev.Data["signal_id"].(float64)
				if ev.Kind == intake.EventSignalStatus && id == float64(a.ID) && ev.Data["status"] == string(intake.Resolved) {
					return true
				}
			}
			return false
		}
		if !resolvedEvent() {
			t.Fatalf("no signal_status event for the resolution on the timeline: %+v", timeline())
		}
		if n := countSignals(); n != 2 {
			t.Fatalf("%d signals at the end, want 2", n)
		}
	})
}

// alertmanager is an Alertmanager process started for one test.
type alertmanager struct {
	base string
}

// startAlertmanager runs Debian's Alertmanager with the config on free
// loopback ports, without clustering, and stops it when the test ends.
func startAlertmanager(t *testing.T, config string) *alertmanager {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "alertmanager.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(testutil.FreePort(t))
	cmd := exec.Command(alertmanagerBin, "--config.file="+cfg, "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--cluster.listen-address=", "--log.level=debug")
	cmd.Stdout, cmd.Stderr = logf, logf
	// Pdeathsig takes Alertmanager down with a test process that dies early.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Alertmanager: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		logf.Close()
		if t.Failed() {
			out, _ := os.ReadFile(logPath)
			t.Logf("Alertmanager's log:\n%s", out)
		}
	})
	am := &alertmanager{base: "http://" + addr}
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("Alertmanager exited at start (see its log below)")
		default:
		}
		if resp, err := http.Get(am.base + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return am
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Alertmanager at %s not ready after 15s", am.base)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// post sends alerts as Prometheus does, to the v2 API.
func (am *alertmanager) post(t *testing.T, alerts ...map[string]any) {
	t.Helper()
	body, _ := json.Marshal(alerts)
	resp, err := http.Post(am.base+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		out, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST /api/v2/alerts: %s: %s", resp.Status, out)
	}
}

// fingerprints returns Alertmanager's fingerprint of each alert it holds, by
// instance label.
func (am *alertmanager) fingerprints(t *testing.T) map[string]string {
	t.Helper()
	resp, err := http.Get(am.base + "/api/v2/alerts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var alerts []struct {
		Fingerprint string            `json:"fingerprint"`
		Labels      map[string]string `json:"labels"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&alerts); err != nil {
		t.Fatalf("GET /api/v2/alerts: %v", err)
	}
	out := map[string]string{}
	for _, a := range alerts {
		out[a.Labels["instance"]] = a.Fingerprint
	}
	return out
}
