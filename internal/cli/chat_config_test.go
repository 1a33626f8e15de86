package cli

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckConfigTeamsAndLineWorks: check-config names the Teams and LINE
// WORKS targets a file sets up, and refuses a policy that names one the
// notify section lacks, at its line.
func TestCheckConfigTeamsAndLineWorks(t *testing.T) {
	dir := t.TempDir()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	if err := os.WriteFile(filepath.Join(dir, "lw.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FB_TEST_TEAMS_CS", "https://prod-1.westeurope.logic.azure.com/workflows/a/triggers/manual/paths/invoke?sig=1")
	const file = `teams:
  - name: payments
services: []
notify:
  teams:
    channels:
      - name: cs-room
        webhook_url_env: FB_TEST_TEAMS_CS
  lineworks:
    client_id: cid
    client_secret: s
    service_account: sa.serviceaccount@example.com
    private_key_file: lw.key
    bot_id: "2000001"
    targets:
      - {name: cs-lead, user_id: lead@example.com}
policy:
  departments:
    - name: cs
      from_grade: SEV2
      teams: cs-room
      lineworks: LEAD
`
	out, errOut, err := checkConfig(t, dir, "good.yaml", strings.Replace(file, "LEAD", "cs-lead", 1))
	if err != nil || !strings.Contains(out, "outbound channels: Microsoft Teams (1 channels), LINE WORKS (1 targets)") {
		t.Fatalf("good config: %v %s %s", err, out, errOut)
	}
	_, errOut, err = checkConfig(t, dir, "bad.yaml", strings.Replace(file, "LEAD", "cs-boss", 1))
	if err == nil || !strings.Contains(errOut, `bad.yaml:22:18: policy.departments[0].lineworks: no lineworks target named "cs-boss" under notify.lineworks.targets`) {
		t.Fatalf("bad config: %v %s", err, errOut)
	}
	// Without a lineworks section the channel is off, as Slack is without
	// one, and its names are not checked.
	start, end := strings.Index(file, "  lineworks:\n    client_id"), strings.Index(file, "policy:")
	out, errOut, err = checkConfig(t, dir, "off.yaml", strings.Replace(file[:start]+file[end:], "LEAD", "cs-boss", 1))
	if err != nil || !strings.Contains(out, "outbound channels: Microsoft Teams (1 channels);") {
		t.Fatalf("lineworks off: %v %s %s", err, out, errOut)
	}
}
