package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestFlagCommands: a payments responder creates, lists, flips and shows a
// switch from the command line; a refused flip names the flag at fault and
// a platform responder may not flip payments' switch.
func TestFlagCommands(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		run, pay, plat := twoTeams(t, dbURL)
		fl := func(tok string, args ...string) (string, error) {
			return runCLI(t, "", append(append([]string{"flag"}, args...), "--server", run.Base, "--token", tok)...)
		}
		out, err := fl(pay, "create", "new-payment-sheet", "--service", "checkout-api", "--description", "새 결제 시트",
			"--rule", "off if platform eq ios and appVersion semver_lt 5.2.0")
		if err != nil || !strings.Contains(out, "Created switch new-payment-sheet of checkout-api (boolean, default on)") {
			t.Fatalf("create: %q %v", out, err)
		}
		if _, err := fl(pay, "create", "bad", "--service", "checkout-api", "--rule", "off if appVersion semver_lt five"); err == nil ||
			!strings.HasPrefix(err.Error(), "--rule: ") {
			t.Fatalf("a bad rule: %v", err)
		}
		if _, err := fl(pay, "flip", "new-payment-sheet", "--to", "maybe", "--reason", "x"); err == nil || !strings.HasPrefix(err.Error(), "--to: ") {
			t.Fatalf("flip to a missing variant: %v", err)
		}
		if _, err := fl(plat, "flip", "new-payment-sheet", "--to", "off", "--reason", "x"); err == nil || !strings.Contains(err.Error(), "HTTP 403") {
			t.Fatalf("another team's flip: %v", err)
		}
		out, err = fl(pay, "flip", "new-payment-sheet", "--to", "off", "--reason", "결제 오류 급증")
		if err != nil || !strings.Contains(out, "Flipped new-payment-sheet from default to off (version 2)") {
			t.Fatalf("flip: %q %v", out, err)
		}
		out, err = fl(pay, "list", "--service", "checkout-api")
		if err != nil || !strings.Contains(out, "new-payment-sheet") || !strings.Contains(out, "off") {
			t.Fatalf("list: %q %v", out, err)
		}
		out, err = fl(pay, "show", "new-payment-sheet")
		if err != nil || !strings.Contains(out, "Rule 1: off if platform eq ios and appVersion semver_lt 5.2.0") ||
			!strings.Contains(out, "결제 오류 급증") || !strings.Contains(out, "State: off") {
			t.Fatalf("show: %q %v", out, err)
		}
		out, err = fl(pay, "show", "new-payment-sheet", "--json")
		var doc struct {
			State     string `json:"state"`
			Revisions []any  `json:"revisions"`
		}
		if err != nil || json.Unmarshal([]byte(out), &doc) != nil || doc.State != "off" || len(doc.Revisions) != 2 {
			t.Fatalf("show --json: %q %v", out, err)
		}
	})
}
