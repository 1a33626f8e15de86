package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestChangeAndMitigateCommands: a responder records changes from the
// command line against a running server; the incident's changes include its
// dependency's and leave out other services', with the verdicts and the
// version to return to; mitigate refuses a time in the future, naming the
// field, and then records now.
func TestChangeAndMitigateCommands(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		cat, err := catalog.Parse("c.yaml", []byte(`teams:
  - name: payments
services:
  - name: checkout-api
    team: payments
    depends_on: [ledger]
  - name: ledger
    team: payments
  - name: search
    team: payments
`))
		if err != nil {
			t.Fatal(err)
		}
		run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat})
		op := auth.User{Name: auth.SystemActor, Role: auth.Admin}
		if _, err := run.Server.Users.AddUser(ctx, "kim", "", auth.Viewer); err != nil {
			t.Fatal(err)
		}
		if _, err := run.Server.Users.SetTeamRole(ctx, op, "kim", "payments", auth.TeamResponder); err != nil {
			t.Fatal(err)
		}
		token, _, err := run.Server.Users.OperatorToken(ctx, auth.TokenRequest{User: "kim", Scopes: []auth.Scope{auth.ScopeWrite}})
		if err != nil {
			t.Fatal(err)
		}
		started := time.Now().Add(-2 * time.Hour)
		inc := &incident.Incident{Title: "결제 오류", Grade: incident.SEV2, Status: incident.Investigating, Source: "manual",
			Visibility: incident.Internal, Services: []string{"checkout-api"}, Labels: map[string]string{}, Roles: map[incident.Role]string{},
			CreatedBy: "kim", StartedAt: started, DetectedAt: started, CreatedAt: started, UpdatedAt: started}
		if err := run.Server.DB.Incidents().CreateIncident(ctx, inc, nil); err != nil {
			t.Fatal(err)
		}
		cli := func(args ...string) (string, error) {
			return runCLI(t, "", append(args, "--server", run.Base, "--token", token)...)
		}
		ago := func(d time.Duration) string { return time.Now().Add(-d).UTC().Format(time.RFC3339) }

		if _, err := cli("change", "record", "--kind", "deploy"); err == nil || !strings.Contains(err.Error(), "--service") {
			t.Fatalf("no service: %v", err)
		}
		if _, err := cli("change", "record", "--service", "ledger", "--kind", "rollout"); err == nil || !strings.Contains(err.Error(), "kind") {
			t.Fatalf("bad kind: %v", err)
		}
		out, err := cli("change", "record", "--service", "checkout-api", "--kind", "deploy", "--version", "v2.13.0", "--at", ago(5*time.Hour))
		if err != nil || !strings.Contains(out, "rollbackable") {
			t.Fatalf("record v2.13.0: %v %s", err, out)
		}
		if _, err := cli("change", "record", "--service", "checkout-api", "--kind", "deploy", "--version", "v2.14.0", "--at", ago(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		out, err = cli("change", "record", "--service", "ledger", "--kind", "migration", "--title", "orders.shipping_address 추가", "--at", ago(time.Hour))
		if err != nil || !strings.Contains(out, "NOT rollbackable") {
			t.Fatalf("a migration: %v %s", err, out)
		}
		if _, err := cli("change", "record", "--service", "search", "--kind", "config", "--title", "unrelated"); err != nil {
			t.Fatal(err)
		}
		out, err = cli("change", "incident", inc.Ref())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "orders.shipping_address") || !strings.Contains(out, "v2.14.0") || strings.Contains(out, "unrelated") ||
			!strings.Contains(out, "checkout-api: last safe version v2.13.0 (now v2.14.0)") {
			t.Fatalf("incident changes:\n%s", out)
		}
		// A not rollbackable deploy leaves no version to return to.
		if _, err := cli("change", "record", "--service", "checkout-api", "--kind", "deploy", "--version", "v2.15.0",
			"--not-rollbackable", "drops the v1 column", "--link", "https://github.com/acme/shop/pull/9"); err != nil {
			t.Fatal(err)
		}
		reason, link, err := run.Server.Changes.RollbackBlocker(ctx, "checkout-api")
		if err != nil || reason != "drops the v1 column" || link != "https://github.com/acme/shop/pull/9" {
			t.Fatalf("RollbackBlocker = %q %q %v", reason, link, err)
		}
		if out, _ := cli("change", "incident", inc.Ref()); !strings.Contains(out, "do not roll back v2.15.0: drops the v1 column") {
			t.Fatalf("blocked rollback not shown:\n%s", out)
		}

		future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		if _, err := cli("incident", "mitigate", inc.Ref(), "--at", future); err == nil || !strings.Contains(err.Error(), "mitigated_at") {
			t.Fatalf("mitigated in the future: %v", err)
		}
		if _, err := cli("incident", "mitigate", inc.Ref(), "--at", started.Add(-time.Hour).UTC().Format(time.RFC3339)); err == nil ||
			!strings.Contains(err.Error(), "mitigated_at") {
			t.Fatalf("mitigated before the start: %v", err)
		}
		got, _ := run.Server.DB.Incidents().GetIncident(ctx, inc.ID)
		if got.MitigatedAt != nil {
			t.Fatalf("a refused mitigation changed the incident: %v", got.MitigatedAt)
		}
		if out, err := cli("incident", "mitigate", inc.Ref()); err != nil || !strings.Contains(out, "impact stopped at") {
			t.Fatalf("mitigate: %v %s", err, out)
		}
		ev, err := run.Server.DB.Incidents().LatestEvent(ctx, inc.ID, incident.EventMitigated)
		if err != nil || ev == nil || ev.Actor != "kim" {
			t.Fatalf("mitigated event: %+v %v", ev, err)
		}
	})
}
