package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestStatusUpdateFromTheCLI posts status updates with the real binary
// against a real server on both databases, and reads them back from the
// timeline and the public status page.
func TestStatusUpdateFromTheCLI(t *testing.T) {
	eachDB(t, func(t *testing.T, dbArgs []string) {
		dir := t.TempDir()
		config := filepath.Join(dir, "firebreak.yaml")
		os.WriteFile(config, []byte("teams:\n  - name: pay\nservices:\n  - name: checkout-api\n    team: pay\n"), 0o644)
		mustRun(t, nil, append([]string{"user", "add", "cora", "--role", "admin", "--email", "cora@example.com"}, dbArgs...)...)
		token := strings.TrimSpace(mustRun(t, nil, append([]string{"token", "create", "--user", "cora"}, dbArgs...)...))
		srv := startServe(t, nil, append([]string{"--config", config}, dbArgs...)...)
		env := []string{"FIREBREAK_SERVER=" + srv.base, "FIREBREAK_TOKEN=" + token}

		out := mustRun(t, env, "incident", "declare", "--title", "결제 실패 Checkout failing", "--grade", "SEV2",
			"--service", "checkout-api", "--visibility", "public", "--communicator", "cora")
		ref := regexp.MustCompile(`Declared (INC-\d+)`).FindStringSubmatch(out)
		if ref == nil {
			t.Fatalf("declare: %s", out)
		}
		out = mustRun(t, env, "incident", "update", ref[1], "--public", "--text", "일부 카드 결제 실패. Some card payments fail.")
		if !strings.Contains(out, "Posted a status update (public, on the status page) to "+ref[1]) {
			t.Fatalf("update: %s", out)
		}
		out = mustRun(t, env, "incident", "update", strings.ToLower(ref[1]), "--text", "primary DB failover started")
		if !strings.Contains(out, "(internal)") {
			t.Fatalf("internal update: %s", out)
		}
		for _, c := range []struct {
			args []string
			says string
		}{
			{[]string{"incident", "update", ref[1]}, "--text is required"},
			{[]string{"incident", "update", ref[1], "--text", "  "}, "--text: the update is empty"},
			{[]string{"incident", "update", "INC-999", "--text", "x"}, "404"},
			{[]string{"incident", "update", ref[1], "--text", strings.Repeat("가", 3001)}, "text: is longer than 3000 characters"},
		} {
			if out, err := run(t, env, c.args...); err == nil || !strings.Contains(out, c.says) {
				t.Errorf("%v: %v %s", c.args, err, out)
			}
		}
		show := mustRun(t, env, "incident", "show", ref[1])
		for _, want := range []string{"Status update", "[public] 일부 카드 결제 실패. Some card payments fail.", "primary DB failover started"} {
			if !strings.Contains(show, want) {
				t.Errorf("show lacks %q:\n%s", want, show)
			}
		}
		if strings.Count(show, "Status update") != 2 {
			t.Errorf("refused updates reached the timeline:\n%s", show)
		}
		resp, err := http.Get(srv.base + "/status?lang=en")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(page), "Some card payments fail.") || strings.Contains(string(page), "failover") {
			t.Errorf("status page: public update missing or internal one shown")
		}
	})
}
