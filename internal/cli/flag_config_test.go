package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/catalog"
)

// TestCheckConfigFlags: check-config counts the flags: section's switches,
// and names file, line and field of a bad one; the demo config's switches
// are valid.
func TestCheckConfigFlags(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	check := func(path string) (string, string, error) {
		var out, errOut bytes.Buffer
		root := NewRoot(&out, &errOut)
		root.SetArgs([]string{"check-config", path})
		err := root.Execute()
		return out.String(), errOut.String(), err
	}
	const head = "teams:\n  - name: payments\nservices:\n  - name: checkout-api\n    team: payments\n"
	out, errOut, err := check(write("good.yaml", head+`flags:
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
`))
	if err != nil || !strings.Contains(out, "2 kill switches") {
		t.Fatalf("good config: %v %s %s", err, out, errOut)
	}
	_, errOut, err = check(write("bad.yaml", head+`flags:
  - key: new-payment-sheet
    service: ledger
`))
	if err == nil || !strings.Contains(errOut, `bad.yaml:8:14: flags[0].service: unknown service "ledger"`) {
		t.Fatalf("bad config: %v %s", err, errOut)
	}
	out, errOut, err = check(write("demo.yaml", string(catalog.DemoYAML)))
	if err != nil || !strings.Contains(out, "5 kill switches") {
		t.Fatalf("demo config: %v %s %s", err, out, errOut)
	}
}
