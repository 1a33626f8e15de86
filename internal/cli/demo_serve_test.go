package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// syncBuffer is a buffer the serve command writes to while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serveDemo runs `serve --demo` on a fresh SQLite file until the test
// ends, and returns what it printed once it was up.
func serveDemo(t *testing.T) string {
	t.Helper()
	var out, errOut syncBuffer
	root := NewRoot(&out, &errOut)
	root.SetArgs([]string{"serve", "--demo", "--addr", "127.0.0.1:0", "--database-url", testutil.SQLiteURL(t), "--log-level", "error"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(out.String(), "Demo outbox"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve --demo printed:\n%s\nstderr:\n%s", out.String(), errOut.String())
		}
	}
	return out.String()
}

// TestServeDemoTurnsIntakeOn runs `serve --demo`: it prints the
// Alertmanager and Grafana webhook URLs with an intake token that works at
// once, and the demo admin's API token may make more intake tokens (for a
// team too), recorded in the audit log, but no wider team token.
func TestServeDemoTurnsIntakeOn(t *testing.T) {
	printed := serveDemo(t)
	am := regexp.MustCompile(`Alertmanager webhook: (http://\S+/hooks/alertmanager)`).FindStringSubmatch(printed)
	gf := regexp.MustCompile(`Grafana webhook: +(http://\S+/hooks/grafana)`).FindStringSubmatch(printed)
	tok := regexp.MustCompile(`bearer token \(shown once\): (fbt_[a-z0-9]+)`).FindStringSubmatch(printed)
	admin := regexp.MustCompile(`Demo admin token \(shown once\): (fbt_[a-z0-9]+)`).FindStringSubmatch(printed)
	if am == nil || gf == nil || tok == nil || admin == nil {
		t.Fatalf("serve --demo printed:\n%s", printed)
	}
	base := strings.TrimSuffix(am[1], "/hooks/alertmanager")
	checkDemoDetection(t, base, admin[1])

	post := func(url, token, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	alert := `{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"HighErrorRate","service":"checkout-api"},"startsAt":"2026-12-05T01:00:00Z"}]}`
	if code, body := post(am[1], tok[1], alert); code != http.StatusOK {
		t.Fatalf("Alertmanager hook with the printed token: %d %s", code, body)
	}
	grafana := `{"status":"firing","alerts":[{"status":"firing","labels":{"alertname":"DiskFull","service":"ledger"},"fingerprint":"abc"}]}`
	if code, body := post(gf[1], tok[1], grafana); code != http.StatusOK {
		t.Fatalf("Grafana hook with the printed token: %d %s", code, body)
	}
	if code, _ := post(am[1], "fbt_notatoken", alert); code != http.StatusUnauthorized {
		t.Fatalf("a wrong token: %d", code)
	}

	// The admin makes a team's intake token through the API and it works.
	code, body := post(base+"/api/v1/tokens", admin[1], `{"scopes":["intake"],"team":"payments","label":"payments alertmanager"}`)
	made := regexp.MustCompile(`"secret":"(fbt_[a-z0-9]+)"`).FindStringSubmatch(body)
	if code != http.StatusCreated || made == nil {
		t.Fatalf("admin makes an intake token through the API: %d %s", code, body)
	}
	if code, body := post(am[1], made[1], alert); code != http.StatusOK {
		t.Fatalf("the API-made intake token: %d %s", code, body)
	}
	// Wider team tokens still need a signed-in browser or the CLI.
	if code, body := post(base+"/api/v1/tokens", admin[1], `{"scopes":["intake","write"],"team":"payments"}`); code != http.StatusForbidden {
		t.Fatalf("a write team token through the API: %d %s", code, body)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/audit", nil)
	req.Header.Set("Authorization", "Bearer "+admin[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	audit, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(audit), "token.create") || !strings.Contains(string(audit), "payments alertmanager") {
		t.Fatalf("audit log lacks the token: %s", audit)
	}
}
