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

// TestInsightsCommand: `firebreak insights` prints the durations and counts
// of the period from a running server, and a bad period names the field.
func TestInsightsCommand(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		run, token := insightsServer(t, dbURL)
		start := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
		resolved := start.Add(90 * time.Minute)
		inc := &incident.Incident{Title: "원장 지연", Grade: incident.SEV2, Status: incident.Resolved, Source: "manual",
			Visibility: incident.Internal, Services: []string{"ledger"}, Labels: map[string]string{}, Roles: map[incident.Role]string{},
			CreatedBy: "kim", StartedAt: start, DetectedAt: start.Add(7 * time.Minute), ResolvedAt: &resolved, CreatedAt: start, UpdatedAt: start}
		if err := run.Server.DB.Incidents().CreateIncident(ctx, inc, nil); err != nil {
			t.Fatal(err)
		}
		out, err := runCLI(t, "", "insights", "--period", "last-30d", "--by", "service", "--server", run.Base, "--token", token)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"last-30d", "1 incidents", "ledger", "7m", "1h30m"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if _, err := runCLI(t, "", "insights", "--period", "2026-Q5", "--server", run.Base, "--token", token); err == nil || !strings.Contains(err.Error(), "period") {
			t.Errorf("bad period: %v", err)
		}
	})
}

// insightsServer starts a server with one team and service, and a viewer
// kim whose read-only token the insights command uses.
func insightsServer(t *testing.T, dbURL string) (*testutil.Running, string) {
	t.Helper()
	cat, err := catalog.Parse("c.yaml", []byte("teams:\n  - name: payments\nservices:\n  - name: ledger\n    team: payments\n"))
	if err != nil {
		t.Fatal(err)
	}
	run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat})
	if _, err := run.Server.Users.AddUser(t.Context(), "kim", "", auth.Viewer); err != nil {
		t.Fatal(err)
	}
	token, _, err := run.Server.Users.OperatorToken(t.Context(), auth.TokenRequest{User: "kim", Scopes: []auth.Scope{auth.ScopeRead}})
	if err != nil {
		t.Fatal(err)
	}
	return run, token
}
