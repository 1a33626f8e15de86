package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestInsightsQuarter: `firebreak insights --period 2026-Q3`, as the issue
// writes it, counts the incidents of that quarter only, by grade with the
// grade filter, and as JSON.
func TestInsightsQuarter(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		run, token := insightsServer(t, dbURL)
		mk := func(grade incident.Grade, start time.Time, detect time.Duration) {
			resolved := start.Add(2 * time.Hour)
			inc := &incident.Incident{Title: "원장 지연", Grade: grade, Status: incident.Resolved, Source: "manual",
				Visibility: incident.Internal, Services: []string{"ledger"}, Labels: map[string]string{}, Roles: map[incident.Role]string{},
				CreatedBy: "kim", StartedAt: start, DetectedAt: start.Add(detect), ResolvedAt: &resolved, CreatedAt: start, UpdatedAt: start}
			if err := run.Server.DB.Incidents().CreateIncident(ctx, inc, nil); err != nil {
				t.Fatal(err)
			}
		}
		mk(incident.SEV2, time.Date(2026, 7, 20, 3, 0, 0, 0, time.UTC), 11*time.Minute)
		mk(incident.SEV1, time.Date(2026, 9, 2, 3, 0, 0, 0, time.UTC), 4*time.Minute)
		mk(incident.SEV1, time.Date(2026, 10, 2, 3, 0, 0, 0, time.UTC), 50*time.Minute) // Q4
		out, err := runCLI(t, "", "insights", "--period", "2026-Q3", "--server", run.Base, "--token", token)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"2026-Q3", "2 incidents", "4m", "11m"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "50m") {
			t.Errorf("October's incident counted in 2026-Q3:\n%s", out)
		}
		out, err = runCLI(t, "", "insights", "--period", "2026-Q3", "--grade", "SEV1", "--json", "--server", run.Base, "--token", token)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, `"incidents": 1`) && !strings.Contains(out, `"incidents":1`) {
			t.Errorf("SEV1 in 2026-Q3 as JSON, want 1 incident:\n%.600s", out)
		}
	})
}
