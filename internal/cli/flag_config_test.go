package cli

import (
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/catalog"
)

// TestCheckConfigFlags: check-config counts the flags: section's switches,
// and names file, line and field of a bad one; the demo config's switches
// are valid.
func TestCheckConfigFlags(t *testing.T) {
	dir := t.TempDir()
	const head = "teams:\n  - name: payments\nservices:\n  - name: checkout-api\n    team: payments\n"
	out, errOut, err := checkConfig(t, dir, "good.yaml", head+`flags:
  - key: new-payment-sheet
    service: checkout-api
    rules:
      - variant: "off"
        when: [{attribute: appVersion, op: semver_lt, value: 5.2.0}]
  - key: limit
    service: checkout-api
    type: number
    default: low
    variants: {low: 1, high: 9}
`)
	if err != nil || !strings.Contains(out, "2 kill switches") {
		t.Fatalf("good config: %v %s %s", err, out, errOut)
	}
	_, errOut, err = checkConfig(t, dir, "bad.yaml", head+`flags:
  - key: new-payment-sheet
    service: ledger
`)
	if err == nil || !strings.Contains(errOut, `bad.yaml:8:14: flags[0].service: unknown service "ledger"`) {
		t.Fatalf("bad config: %v %s", err, errOut)
	}
	out, errOut, err = checkConfig(t, dir, "demo.yaml", string(catalog.DemoYAML))
	if err != nil || !strings.Contains(out, "5 kill switches") {
		t.Fatalf("demo config: %v %s %s", err, out, errOut)
	}
}
