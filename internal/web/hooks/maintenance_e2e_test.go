package hooks_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/teamtarget"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// maintenanceConfig routes checkout-api's alerts to a SEV2 incident per
// alertname; the payments team is told by e-mail, and by the signed
// webhook it adds as a team target.
const maintenanceConfig = `
teams:
  - name: payments
    email: payments@example.com
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
policy:
  language: en
`

// TestAlertmanagerStormDuringMaintenance is issue #19's "done when": a
// real Alertmanager sends a storm during a maintenance window on the
// service, through the intake journal (the fast path). No incident opens,
// nothing is sent (the SMTP sink and the webhook receiver stay empty), and
// every signal is stored and marked with the window. After the window the
// same alerts, re-sent by Alertmanager, open an incident and notify.
func TestAlertmanagerStormDuringMaintenance(t *testing.T) {
	if _, err := os.Stat(alertmanagerBin); err != nil {
		testutil.Missing(t, "prometheus-alertmanager (apt-get install prometheus-alertmanager)")
	}
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		mail := testutil.StartMailSink(t)
		hook := testutil.StartWebhookReceiver(t, "acme-secret")
		yaml := []byte(maintenanceConfig)
		cat, err := catalog.Parse("firebreak.yaml", yaml)
		if err != nil {
			t.Fatal(err)
		}
		services := func(s string) bool { _, ok := cat.Service(s); return ok }
		in, err := intake.ParseConfig("firebreak.yaml", yaml, services)
		if err != nil {
			t.Fatal(err)
		}
		pol, err := policy.ParseConfig("firebreak.yaml", yaml, services)
		if err != nil {
			t.Fatal(err)
		}
		fb := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Intake: in, Policy: pol,
			IntakeJournal: t.TempDir(),
			Notify:        &notify.Config{Email: &notify.EmailConfig{Host: mail.Host, Port: mail.Port, From: "Firebreak <fb@example.com>", TLS: "none"}},
			Jobs:          jobs.Config{PollInterval: 100 * time.Millisecond}})
		if _, err := fb.Server.TeamTargets.Add(ctx, intake.System, "payments",
			teamtarget.Input{Channel: "webhook", Address: hook.URL, Secret: "acme-secret"}); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		win, err := fb.Server.Maintenance.CreateWindow(ctx, intake.System, maintenance.Window{Title: "결제 DB 업그레이드",
			Reason: "PostgreSQL 17", Services: []string{"checkout-api"}, StartsAt: now.Add(-time.Minute), EndsAt: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		am := startAlertmanager(t, fmt.Sprintf(realAMRouting, fb.Base+"/hooks/alertmanager", in.Alertmanager.Token))

		// The storm: 40 instances of two alerts, posted five times over.
		const instances = 40
		startsAt := now.Add(-time.Minute).Truncate(time.Second)
		alerts := make([]map[string]any, 0, instances)
		for i := range instances {
			name := []string{"CheckoutLatency", "CheckoutErrors"}[i%2]
			alerts = append(alerts, map[string]any{
				"labels":      map[string]string{"alertname": name, "service": "checkout-api", "instance": fmt.Sprintf("i-%02d:9100", i)},
				"annotations": map[string]string{"summary": "checkout degraded during the DB upgrade (결제 지연)"},
				"startsAt":    startsAt.Format(time.RFC3339Nano),
			})
		}
		for range 5 {
			am.post(t, alerts...)
		}
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := fb.Server.DB.SQL.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		testutil.WaitFor(t, "every alert stored, marked with the window", func() bool {
			return count("SELECT COUNT(*) FROM signals WHERE suppressed_by = $1 AND routed = 1", win.Ref()) == instances
		})
		// Alertmanager keeps re-sending (repeat_interval 1s): give routing
		// and the outbox several rounds to do what they would do.
		testutil.WaitFor(t, "repeats of the stored alerts", func() bool {
			return count("SELECT COUNT(*) FROM signals WHERE count >= 3") == instances
		})
		if n := count("SELECT COUNT(*) FROM signals"); n != instances {
			t.Fatalf("%d signals, want %d", n, instances)
		}
		if n := count("SELECT COUNT(*) FROM incidents"); n != 0 {
			t.Fatalf("%d incidents opened during the maintenance window", n)
		}
		if n := count("SELECT COUNT(*) FROM signals WHERE incident_id IS NOT NULL OR triage <> ''"); n != 0 {
			t.Fatalf("%d suppressed signals joined an incident or the triage inbox", n)
		}
		if n := count("SELECT COUNT(*) FROM outbound_messages"); n != 0 {
			t.Fatalf("%d messages queued during the window", n)
		}
		if got := mail.Messages(); len(got) != 0 {
			t.Fatalf("mail sent during the window: %+v", got)
		}
		if got := hook.Handled(); len(got) != 0 {
			t.Fatalf("webhooks sent during the window: %s", got)
		}

		// The window ends (early, as when the upgrade finishes): the same
		// alerts, re-sent, open an incident per alertname and notify.
		if _, err := fb.Server.Maintenance.EndWindow(ctx, intake.System, win.ID); err != nil {
			t.Fatal(err)
		}
		am.post(t, alerts...)
		testutil.WaitFor(t, "incidents after the window", func() bool {
			return count("SELECT COUNT(*) FROM incidents") == 2 &&
				count("SELECT COUNT(*) FROM signals WHERE incident_id IS NOT NULL AND suppressed_by = ''") == instances
		})
		mail.WaitFor(t, 1, 30*time.Second)
		testutil.WaitFor(t, "the team's webhook", func() bool { return len(hook.Handled()) >= 2 })
		got := mail.Messages()
		if !strings.Contains(strings.Join(got[0].To, ","), "payments@example.com") {
			t.Errorf("first mail went to %v, want the payments team", got[0].To)
		}
	})
}
