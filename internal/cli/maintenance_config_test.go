package cli

import (
	"strings"
	"testing"
)

// TestCheckConfigMaintenance: check-config counts the maintenance:
// section's windows, and names file, line and field of a bad one.
func TestCheckConfigMaintenance(t *testing.T) {
	dir := t.TempDir()
	const head = "teams:\n  - name: payments\nservices:\n  - name: checkout-api\n    team: payments\n"
	out, errOut, err := checkConfig(t, dir, "good.yaml", head+`maintenance:
  - title: 결제 DB 업그레이드
    services: [checkout-api]
    starts_at: 2030-12-05T23:00:00+09:00
    ends_at: 2030-12-06T01:00:00+09:00
  - title: Weekly patching
    matchers: ['env="staging"']
    recurrence: {weekdays: [tue, thu], at: "02:00", duration: 2h, zone: Asia/Seoul}
`)
	if err != nil || !strings.Contains(out, "2 maintenance windows") {
		t.Fatalf("good config: %v %s %s", err, out, errOut)
	}
	_, errOut, err = checkConfig(t, dir, "bad.yaml", head+`maintenance:
  - title: x
    services: [ledger]
    recurrence: {weekdays: [someday], at: "02:00", duration: 2h}
`)
	if err == nil || !strings.Contains(errOut, "bad.yaml:8") || !strings.Contains(errOut, `maintenance[0].services: no service "ledger"`) {
		t.Fatalf("bad config: %v %s", err, errOut)
	}
}
