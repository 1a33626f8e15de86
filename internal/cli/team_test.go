package cli

import (
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestTeamTargetsCommands: a payments responder adds, lists and removes the
// team's targets from the command line against a running server; a refused
// target names the flag and stores nothing; a platform responder is refused.
func TestTeamTargetsCommands(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		run, pay, plat := twoTeams(t, dbURL)
		team := func(tok string, args ...string) (string, error) {
			return runCLI(t, "", append(append([]string{"team", "targets"}, args...), "--server", run.Base, "--token", tok)...)
		}

		if _, err := team(pay, "add", "payments", "--channel", "webhook", "--address", "https://hooks.example.com/fb"); err == nil ||
			!strings.HasPrefix(err.Error(), "--secret-env: ") {
			t.Fatalf("a webhook without a secret: %v", err)
		}
		if _, err := team(pay, "add", "payments", "--channel", "email", "--address", "nope"); err == nil || !strings.HasPrefix(err.Error(), "--address: ") {
			t.Fatalf("a malformed address: %v", err)
		}
		t.Setenv("PAY_HOOK_SECRET", "hook-secret-from-env")
		out, err := team(pay, "add", "payments", "--channel", "webhook", "--address", "https://hooks.example.com/fb", "--secret-env", "PAY_HOOK_SECRET", "--from-grade", "SEV2")
		if err != nil || !strings.Contains(out, "Added target") {
			t.Fatalf("add: %v %s", err, out)
		}
		if _, err := team(plat, "add", "payments", "--channel", "email", "--address", "x@example.com"); err == nil || !strings.Contains(err.Error(), "HTTP 403") {
			t.Fatalf("a platform responder adds to payments: %v", err)
		}
		list, err := team(pay, "list", "payments")
		if err != nil || !strings.Contains(list, "webhook (signed)") || !strings.Contains(list, "SEV2") || strings.Contains(list, "hook-secret-from-env") {
			t.Fatalf("list: %v\n%s", err, list)
		}
		lines := strings.Split(strings.TrimSpace(list), "\n")
		if len(lines) != 2 {
			t.Fatalf("list has %d lines, want a header and one target:\n%s", len(lines), list)
		}
		id := strings.Fields(lines[1])[0]
		if out, err := team(pay, "remove", "payments", id); err != nil || !strings.Contains(out, "Removed target "+id) {
			t.Fatalf("remove: %v %s", err, out)
		}
		if _, err := team(pay, "remove", "payments", id); err == nil || !strings.Contains(err.Error(), "HTTP 409") {
			t.Fatalf("remove twice: %v", err)
		}
		if list, _ := team(pay, "list", "payments"); strings.Contains(list, "hooks.example.com") {
			t.Fatalf("after removing:\n%s", list)
		}
	})
}
