package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// propagateConfig is a config file whose channels reach the test's peers.
func propagateConfig(t *testing.T, sink *testutil.MailSink, hook *testutil.WebhookReceiver, partners int) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `teams:
  - name: pay
    email: pay@example.com
services:
  - name: payments
    team: pay
notify:
  email:
    smtp: %s:%d
    from: "Firebreak <fb@example.com>"
    tls: none
policy:
  base_url: https://fb.example.com
  departments:
    - name: support
      from_grade: SEV2
      email: support@example.com
      lang: ko
  partners:
`, sink.Host, sink.Port)
	for i := 0; i < partners; i++ {
		fmt.Fprintf(&b, "    - name: partner-%d\n      from_grade: SEV3\n      webhook: %s?p=%d\n      secret: %s\n", i, hook.URL, i, hook.Secret)
	}
	path := filepath.Join(t.TempDir(), "firebreak.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func waitUntil(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestPreviewAndDeclareFromTheCLI(t *testing.T) {
	sink := testutil.StartMailSink(t)
	hook := testutil.StartWebhookReceiver(t, "partner-secret")
	cfg := propagateConfig(t, sink, hook, 1)
	dir := t.TempDir()

	// Without a server: the policy read from the file.
	out := mustRun(t, nil, "policy", "preview", "--config", cfg, "--grade", "2", "--service", "payments", "--title", "결제 실패")
	for _, want := range []string{"email    pay@example.com", "support@example.com", "Subject: [SEV2] INC-0 결제 실패", "장애", "owns payments"} {
		if !strings.Contains(out, want) {
			t.Errorf("local preview lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "partner-0") {
		t.Errorf("an internal incident's preview names a partner:\n%s", out)
	}
	if out, err := run(t, nil, "policy", "preview", "--config", cfg, "--grade", "2", "--service", "nope"); err == nil ||
		!strings.Contains(out, `--service: unknown service "nope"`) {
		t.Errorf("unknown service: %v\n%s", err, out)
	}

	mustRun(t, nil, "user", "add", "ops", "--role", "admin", "--data-dir", dir)
	token := strings.TrimSpace(mustRun(t, nil, "token", "create", "--user", "ops", "--data-dir", dir))
	srv := startServe(t, nil, "--data-dir", dir, "--config", cfg)
	client := []string{"--server", srv.base, "--token", token}

	// Through the server: the same targets, and the partner for a public one.
	out = mustRun(t, nil, append([]string{"policy", "preview", "--grade", "SEV2", "--service", "payments", "--visibility", "public"}, client...)...)
	if !strings.Contains(out, "partner-0") || !strings.Contains(out, "pay@example.com") {
		t.Errorf("server preview:\n%s", out)
	}
	if len(sink.Messages()) != 0 || len(hook.Handled()) != 0 {
		t.Fatal("a preview sent something")
	}

	// Declare in one step; one person in both roles is warned about.
	out = mustRun(t, nil, append([]string{"incident", "declare", "--title", "Payments fail", "--grade", "SEV2", "--service", "payments",
		"--visibility", "public", "--resolver", "ops", "--communicator", "ops"}, client...)...)
	if !strings.Contains(out, "warning: ops holds both the resolver and the communicator role") || !strings.Contains(out, "Declared INC-1") {
		t.Errorf("declare output:\n%s", out)
	}
	got := sink.WaitFor(t, 2, 60*time.Second)
	waitUntil(t, "the partner's webhook", 60*time.Second, func() bool { return len(hook.Handled()) == 1 })
	subjects := got[0].Subject() + " | " + got[1].Subject()
	if !strings.Contains(subjects, "[SEV2] INC-1 Payments fail") {
		t.Errorf("subjects %s", subjects)
	}
	// The sink has the mails a moment before the delivery is on the timeline.
	waitUntil(t, "the delivery on the timeline", 60*time.Second, func() bool {
		out = mustRun(t, nil, append([]string{"incident", "show", "INC-1"}, client...)...)
		return strings.Contains(out, "email to team pay (pay@example.com)")
	})
	for _, want := range []string{"One person holds both roles", "Message delivered", "email to team pay (pay@example.com)"} {
		if !strings.Contains(out, want) {
			t.Errorf("incident show lacks %q:\n%s", want, out)
		}
	}
}

// TestKilledMidDeliveryDeliversEverythingOnce: the server dies by SIGKILL
// while messages are going out; after a restart every stored message is
// delivered, and the idempotent receiver handles each exactly once.
func TestKilledMidDeliveryDeliversEverythingOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, dbArgs []string) {
		// More messages than a server delivers at once (notify.QueueConfig),
		// so the kill always finds some not yet sent.
		const partners = 150
		sink := testutil.StartMailSink(t)
		hook := testutil.StartWebhookReceiver(t, "partner-secret")
		hook.SetDelay(300 * time.Millisecond) // slow enough to be caught mid-way
		cfg := propagateConfig(t, sink, hook, partners)
		mustRun(t, nil, append([]string{"user", "add", "ops", "--role", "admin"}, dbArgs...)...)
		token := strings.TrimSpace(mustRun(t, nil, append([]string{"token", "create", "--user", "ops"}, dbArgs...)...))

		srv := startServe(t, nil, append(dbArgs, "--config", cfg)...)
		status, body := api(t, srv.base, token, "POST", "/api/v1/incidents", map[string]any{
			"title": "Payments fail", "grade": "SEV2", "services": []string{"payments"}, "visibility": "public"})
		if status != 201 {
			t.Fatalf("declare: %d %v", status, body)
		}
		waitUntil(t, "the first deliveries", 60*time.Second, func() bool { return len(hook.Deliveries()) >= 3 })
		if n := len(hook.Handled()); n >= partners {
			t.Fatalf("all %d delivered before the kill; the test proves nothing", n)
		}
		if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-srv.exited
		before := len(hook.Handled())

		startServe(t, nil, append(dbArgs, "--config", cfg)...)
		waitUntil(t, "every webhook", 120*time.Second, func() bool { return len(hook.Handled()) == partners })
		sink.WaitFor(t, 2, 60*time.Second)
		for key, n := range hook.Deliveries() {
			if n > 2 {
				t.Errorf("key %s arrived %d times", key, n)
			}
		}
		db, err := openDB(dbArgs)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var pending, sent int
		waitUntil(t, "every message marked sent", 60*time.Second, func() bool {
			_ = db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM outbound_messages WHERE status = 'pending'").Scan(&pending)
			_ = db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM outbound_messages WHERE status = 'sent'").Scan(&sent)
			return pending == 0
		})
		if sent != partners+2 {
			t.Errorf("%d messages sent, want %d", sent, partners+2)
		}
		t.Logf("handled %d of %d before the kill; %d keys arrived twice", before, partners, twice(hook.Deliveries()))
	})
}

func twice(d map[string]int) int {
	n := 0
	for _, c := range d {
		if c > 1 {
			n++
		}
	}
	return n
}
