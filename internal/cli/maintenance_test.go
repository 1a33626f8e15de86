package cli

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestMaintenanceDemoAndCLI runs `serve --demo` and drives the maintenance
// and silence commands against it: the demo's windows (tonight's ledger
// upgrade, the weekly patch slot) and its silence are there on the first
// run, the silenced disk alert is kept quiet, a window is planned and
// ended, a refused one names the flag to fix.
func TestMaintenanceDemoAndCLI(t *testing.T) {
	printed := serveDemo(t)
	admin := regexp.MustCompile(`Demo admin token \(shown once\): (fbt_[a-z0-9]+)`).FindStringSubmatch(printed)
	web := regexp.MustCompile(`Web: (http://\S+)/ `).FindStringSubmatch(printed)
	if admin == nil || web == nil {
		t.Fatalf("serve --demo printed:\n%s", printed)
	}
	run := func(args ...string) (string, error) {
		var o, e syncBuffer
		cmd := NewRoot(&o, &e)
		cmd.SetArgs(append(args, "--server", web[1], "--token", admin[1]))
		err := cmd.ExecuteContext(context.Background())
		return o.String() + e.String(), err
	}
	list, err := run("maintenance", "list")
	if err != nil || !strings.Contains(list, "Ledger database upgrade") || !strings.Contains(list, "every tue,thu at 03:00 Asia/Seoul for 1h") {
		t.Fatalf("maintenance list: %v\n%s", err, list)
	}
	sil, err := run("silence", "list")
	if err != nil || !strings.Contains(sil, `alertname="DiskSpaceLow", instance=~"build-.*"`) || !strings.Contains(sil, "빌드 러너") {
		t.Fatalf("silence list: %v\n%s", err, sil)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		sup, err := runGet(web[1]+"/api/v1/signals/suppressed", admin[1])
		if err == nil && strings.Contains(sup, `"suppressed_by":"SIL-1"`) && strings.Contains(sup, "build-7") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo's disk alert was not kept quiet: %s %v", sup, err)
		}
	}
	if msg, err := run("maintenance", "create", "--title", "x", "--service", "ledger", "--weekly", "mon", "--at", "25:00", "--for", "1h"); err == nil ||
		!strings.Contains(err.Error(), "--at:") {
		t.Fatalf("a bad --at: %v %s", err, msg)
	}
	made, err := run("maintenance", "create", "--title", "Auth key rotation", "--service", "auth",
		"--start", time.Now().Add(time.Hour).Format(time.RFC3339), "--end", time.Now().Add(2*time.Hour).Format(time.RFC3339))
	if err != nil || !strings.Contains(made, "Planned MW-3: Auth key rotation") {
		t.Fatalf("maintenance create: %v\n%s", err, made)
	}
	if ended, err := run("maintenance", "end", "MW-3"); err != nil || !strings.Contains(ended, "Ended MW-3") {
		t.Fatalf("maintenance end: %v\n%s", err, ended)
	}
	if ended, err := run("silence", "end", "SIL-1"); err != nil || !strings.Contains(ended, "Ended SIL-1") {
		t.Fatalf("silence end: %v\n%s", err, ended)
	}
	if expired, err := run("silence", "list", "--expired"); err != nil || !strings.Contains(expired, "SIL-1") {
		t.Fatalf("silence list --expired: %v\n%s", err, expired)
	}
}

// runGet reads an API page with a token.
func runGet(url, token string) (string, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
