package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// binary is the firebreak executable built once for these tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "firebreak-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "firebreak")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build firebreak: %v\n%s", err, out)
		os.Exit(1)
	}
	code := testutil.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs a firebreak command to completion and returns its output.
func run(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	// English output unless a test asks for another language (LANG picks
	// the wording of timeline events).
	cmd.Env = append(append(os.Environ(), "LANG=C.UTF-8"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func mustRun(t *testing.T, env []string, args ...string) string {
	t.Helper()
	out, err := run(t, env, args...)
	if err != nil {
		t.Fatalf("firebreak %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// serverProc is a running `firebreak serve`.
type serverProc struct {
	cmd    *exec.Cmd
	base   string
	lines  chan string // the server's output, line by line
	exited chan error
}

// startServe starts `firebreak serve` and waits until /readyz answers.
func startServe(t *testing.T, env []string, args ...string) *serverProc {
	t.Helper()
	port := testutil.FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(binary, append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serverProc{cmd: cmd, base: "http://" + addr, lines: make(chan string, 1000), exited: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
	}()
	go func() { err := cmd.Wait(); pw.Close(); p.exited <- err }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("firebreak serve did not become ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func api(t *testing.T, base, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func eachDB(t *testing.T, fn func(t *testing.T, dbArgs []string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, []string{"--data-dir", t.TempDir()}) })
	t.Run("postgres", func(t *testing.T) { fn(t, []string{"--database-url", testutil.PostgresURL(t)}) })
}

// TestKilledRightAfter201LosesNothing: an answered 201 means the write is
// durable, so SIGKILL straight after it loses nothing.
func TestKilledRightAfter201LosesNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, dbArgs []string) {
		mustRun(t, nil, append([]string{"user", "add", "ops", "--role", "responder"}, dbArgs...)...)
		token := strings.TrimSpace(mustRun(t, nil, append([]string{"token", "create", "--user", "ops"}, dbArgs...)...))

		srv := startServe(t, nil, dbArgs...)
		var refs []string
		for i := 0; i < 3; i++ {
			status, body := api(t, srv.base, token, "POST", "/api/v1/incidents", map[string]any{"title": fmt.Sprintf("사고 %d", i), "grade": "SEV2"})
			if status != 201 {
				t.Fatalf("declare: %d %v", status, body)
			}
			refs = append(refs, body["id"].(string))
		}
		status, _ := api(t, srv.base, token, "POST", "/api/v1/incidents/"+refs[2]+"/notes", map[string]any{"text": "last words"})
		if status != 201 {
			t.Fatalf("note: %d", status)
		}
		if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-srv.exited

		srv = startServe(t, nil, dbArgs...)
		for i, ref := range refs {
			status, body := api(t, srv.base, token, "GET", "/api/v1/incidents/"+ref, nil)
			if status != 200 || body["title"] != fmt.Sprintf("사고 %d", i) {
				t.Fatalf("after restart %s: %d %v", ref, status, body)
			}
		}
		_, tl := api(t, srv.base, token, "GET", "/api/v1/incidents/"+refs[2]+"/timeline", nil)
		items := tl["items"].([]any)
		if last := items[len(items)-1].(map[string]any); last["kind"] != "note" {
			t.Fatalf("note lost: %v", tl)
		}
	})
}

// TestQuickStartDemo runs the README's quick start: serve --demo prints an
// admin token that works with the CLI, and SIGTERM shuts down cleanly.
func TestQuickStartDemo(t *testing.T) {
	dir := t.TempDir()
	srv := startServe(t, []string{"FIREBREAK_DATA_DIR=" + dir}, "--demo")
	token := ""
	tokenLine := regexp.MustCompile(`token \(shown once\): (fbt_\w+)`)
	timeout := time.After(30 * time.Second)
	for token == "" {
		select {
		case line := <-srv.lines:
			if m := tokenLine.FindStringSubmatch(line); m != nil {
				token = m[1]
			}
		case <-timeout:
			t.Fatal("serve --demo printed no token")
		}
	}
	env := []string{"FIREBREAK_SERVER=" + srv.base, "FIREBREAK_TOKEN=" + token}
	list := mustRun(t, env, "incident", "list")
	for _, want := range []string{"결제 승인 지연", "Suspicious admin logins", "SEV1"} {
		if !strings.Contains(list, want) {
			t.Errorf("demo list lacks %q:\n%s", want, list)
		}
	}
	// The demo's switches: one flipped during the first live incident (on
	// its timeline), one left flipped after the fourth closed. A year of
	// closed history comes before them.
	refOf := func(title string) string {
		m := regexp.MustCompile(`(INC-\d+) .*` + regexp.QuoteMeta(title)).FindStringSubmatch(list)
		if m == nil {
			t.Fatalf("no %q in the list:\n%s", title, list)
		}
		return m[1]
	}
	first, fourth := refOf("결제 승인 지연"), refOf("Suspicious admin logins")
	if show := mustRun(t, env, "incident", "show", first); !strings.Contains(show, "결제 승인 지연") ||
		!strings.Contains(show, "kill switch express-pay: default → off") {
		t.Errorf("%s's timeline lacks the demo flip:\n%s", first, show)
	}
	if show := mustRun(t, env, "flag", "show", "agent-chat-widget"); !strings.Contains(show, fourth) {
		t.Errorf("the left-flipped demo switch:\n%s", show)
	}
	out := mustRun(t, env, "incident", "declare", "--title", "Quick start works", "--grade", "SEV4", "--service", "status-page")
	ref := regexp.MustCompile(`INC-\d+`).FindString(out)
	if ref == "" {
		t.Fatalf("declare printed no id: %s", out)
	}
	mustRun(t, env, "incident", "assign", ref, "resolver", "alice")
	mustRun(t, env, "incident", "status", ref, "identified", "-m", "원인 파악")
	mustRun(t, env, "incident", "note", ref, "checking", "the", "CDN")
	show := mustRun(t, env, "incident", "show", ref)
	for _, want := range []string{"Quick start works", "alice", "원인 파악", "checking the CDN", "identified"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	if out, err := run(t, env, "incident", "status", ref, "closed"); err == nil || !strings.Contains(out, "status") || !strings.Contains(out, "409") {
		t.Errorf("illegal transition via CLI: %v\n%s", err, out)
	}

	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-srv.exited:
		if err != nil {
			t.Fatalf("graceful shutdown exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no shutdown within 30 s of SIGTERM")
	}
	// A second start keeps the data and prints a fresh token.
	srv = startServe(t, []string{"FIREBREAK_DATA_DIR=" + dir}, "--demo")
	_ = srv
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("teams:\n  - name: ops\nservices:\n  - name: api\n    team: ops\n"), 0o644)
	os.WriteFile(bad, []byte("teams:\n  - name: ops\nservices:\n  - name: api\n    team: opz\n  - name: api\n    team: ops\n"), 0o644)
	if out := mustRun(t, nil, "check-config", good); !strings.Contains(out, "valid: 1 teams, 1 services") {
		t.Fatalf("good config: %s", out)
	}
	out, err := run(t, nil, "check-config", bad)
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, want := range []string{bad + ":5:11: services[0].team: unknown team", bad + ":6:", "services[1].name"} {
		if !strings.Contains(out, want) {
			t.Errorf("check-config output lacks %q:\n%s", want, out)
		}
	}
}

func TestAdminCommands(t *testing.T) {
	dir := t.TempDir()
	if out := mustRun(t, nil, "migrate", "--data-dir", dir); !regexp.MustCompile(`\(sqlite\) is at schema version [1-9]`).MatchString(out) {
		t.Fatalf("migrate: %s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "firebreak.db")); err != nil {
		t.Fatalf("no database file: %v", err)
	}
	mustRun(t, nil, "user", "add", "lee", "--role", "viewer", "--data-dir", dir)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"user", "add", "lee"}, `NAME: a user named "lee" exists already`},
		{[]string{"user", "add", "Bad Name"}, "NAME: must be"},
		{[]string{"user", "add", "kim", "--role", "boss"}, "--role: must be one of viewer, responder, admin"},
		{[]string{"token", "create"}, "--user: required"},
		{[]string{"token", "create", "--user", "nobody"}, `no user named "nobody"`},
	} {
		out, err := run(t, nil, append(c.args, "--data-dir", dir)...)
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("firebreak %v: err %v, output %q, want %q", c.args, err, out, c.want)
		}
	}
	if tok := mustRun(t, nil, "token", "create", "--user", "lee", "--data-dir", dir); !strings.HasPrefix(tok, "fbt_") {
		t.Fatalf("token: %q", tok)
	}
	passwd := func(user, password string) (string, error) {
		cmd := exec.Command(binary, "user", "passwd", user, "--data-dir", dir)
		cmd.Stdin = strings.NewReader(password + "\n")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := passwd("lee", "short"); err == nil || !strings.Contains(out, "password: must be at least 8") {
		t.Fatalf("short password accepted: %v %s", err, out)
	}
	if out, err := passwd("lee", "long enough 비밀번호"); err != nil || !strings.Contains(out, "Password set for lee") {
		t.Fatalf("passwd: %v %s", err, out)
	}
}

// TestKilledDuringAlertStormLosesNothing sends alerts from several senders,
// kills the server with SIGKILL in the middle, restarts it and checks that
// every alert that was answered 200 is there: committed to the database
// before the answer, or, with --intake-journal, written to the journal and
// applied after the restart.
func TestKilledDuringAlertStormLosesNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, dbArgs []string) {
		t.Run("database", func(t *testing.T) { stormAndKill(t, dbArgs, false) })
		t.Run("journal", func(t *testing.T) { stormAndKill(t, dbArgs, true) })
	})
}

func stormAndKill(t *testing.T, dbArgs []string, journaled bool) {
	{
		config := filepath.Join(t.TempDir(), "firebreak.yaml")
		os.WriteFile(config, []byte("teams:\n  - name: ops\nservices:\n  - name: api\n    team: ops\nintake:\n  alertmanager:\n    token: storm-token\n"), 0o644)
		args := append([]string{"--config", config}, dbArgs...)
		if journaled {
			args = append(args, "--intake-journal", filepath.Join(t.TempDir(), "journal"))
		}
		srv := startServe(t, nil, args...)

		var mu sync.Mutex
		var accepted []string
		var sent atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Timeout: 5 * time.Second}
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					fps := make([]string, 10)
					alerts := make([]map[string]any, 10)
					for j := range alerts {
						fps[j] = fmt.Sprintf("storm-%t-%d-%d-%d", journaled, w, i, j) // the two runs share a database
						alerts[j] = map[string]any{"status": "firing", "fingerprint": fps[j], "startsAt": time.Now().UTC(),
							"labels": map[string]string{"alertname": "Storm", "n": fps[j]}, "annotations": map[string]string{}}
					}
					body, _ := json.Marshal(map[string]any{"version": "4", "status": "firing", "receiver": "fb", "alerts": alerts})
					req, _ := http.NewRequest("POST", srv.base+"/hooks/alertmanager", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer storm-token")
					sent.Add(1)
					resp, err := client.Do(req)
					if err != nil {
						return // the server is gone
					}
					resp.Body.Close()
					if resp.StatusCode == 200 {
						mu.Lock()
						accepted = append(accepted, fps...)
						mu.Unlock()
					}
				}
			}()
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			mu.Lock()
			n := len(accepted)
			mu.Unlock()
			if n >= 1000 || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-srv.exited
		close(stop)
		wg.Wait()
		if len(accepted) == 0 {
			t.Fatal("no alert was accepted before the kill")
		}

		db, err := openDB(dbArgs)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		// missing counts the accepted alerts not in the database.
		missing := func() (lost, stored int) {
			found := map[string]bool{}
			rows, err := db.Query("SELECT fingerprint FROM signals WHERE source = 'alertmanager'")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var fp string
				rows.Scan(&fp)
				found[fp] = true
			}
			rows.Close()
			for _, fp := range accepted {
				if !found[fp] {
					lost++
				}
			}
			return lost, len(found)
		}
		beforeRestart, _ := missing()
		if beforeRestart > 0 && !journaled {
			t.Fatalf("%d of %d accepted alerts lost across SIGKILL", beforeRestart, len(accepted))
		}
		srv = startServe(t, nil, args...)
		lost, stored := missing()
		for deadline := time.Now().Add(30 * time.Second); lost > 0 && time.Now().Before(deadline); lost, stored = missing() {
			time.Sleep(50 * time.Millisecond)
		}
		if lost > 0 {
			t.Fatalf("%d of %d accepted alerts lost across SIGKILL", lost, len(accepted))
		}
		t.Logf("%d requests sent, %d alerts accepted before SIGKILL (%d of them only in the journal then), all found after restart (%d stored in all)",
			sent.Load(), len(accepted), beforeRestart, stored)
		_ = srv
	}
}

// openDB opens the database a test's serve flags name, for checking it.
func openDB(dbArgs []string) (*sql.DB, error) {
	if dbArgs[0] == "--data-dir" {
		return sql.Open("sqlite", "file:"+filepath.Join(dbArgs[1], "firebreak.db")+"?_pragma=busy_timeout(10000)")
	}
	return sql.Open("pgx", dbArgs[1])
}

// TestTriageFromTheCLI works the triage inbox with `firebreak triage`
// against a real server: alerts that match no route wait there.
func TestTriageFromTheCLI(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "firebreak.yaml")
	os.WriteFile(config, []byte("teams:\n  - name: ops\nservices:\n  - name: api\n    team: ops\nintake:\n  alertmanager:\n    token: am\n"), 0o644)
	dbArgs := []string{"--data-dir", dir}
	mustRun(t, nil, append([]string{"user", "add", "ops", "--role", "responder"}, dbArgs...)...)
	token := strings.TrimSpace(mustRun(t, nil, append([]string{"token", "create", "--user", "ops"}, dbArgs...)...))
	srv := startServe(t, nil, append([]string{"--config", config}, dbArgs...)...)
	env := []string{"FIREBREAK_SERVER=" + srv.base, "FIREBREAK_TOKEN=" + token}
	for i, name := range []string{"DiskFull", "결제지연", "QueueBacklog"} {
		body, _ := json.Marshal(map[string]any{"version": "4", "status": "firing", "alerts": []map[string]any{{
			"status": "firing", "fingerprint": fmt.Sprintf("fp-%d", i), "labels": map[string]string{"alertname": name}}}})
		req, _ := http.NewRequest("POST", srv.base+"/hooks/alertmanager", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer am")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("alert %d: %v %v", i, err, resp)
		}
		resp.Body.Close()
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(mustRun(t, env, "triage", "list"), "SIG-3") {
		if time.Now().After(deadline) {
			t.Fatal("alerts never reached the triage inbox")
		}
		time.Sleep(100 * time.Millisecond)
	}
	list := mustRun(t, env, "triage", "list")
	for _, want := range []string{"REF", "SIG-1", "DiskFull", "결제지연", "alertmanager"} {
		if !strings.Contains(list, want) {
			t.Errorf("triage list lacks %q:\n%s", want, list)
		}
	}
	if out, err := run(t, env, "triage", "dismiss", "SIG-1"); err == nil || !strings.Contains(out, "--reason") {
		t.Errorf("dismiss without reason: %v %s", err, out)
	}
	if out := mustRun(t, env, "triage", "dismiss", "SIG-1", "--reason", "disk cleaned by cron"); !strings.Contains(out, "Dismissed SIG-1") {
		t.Errorf("dismiss: %s", out)
	}
	out := mustRun(t, env, "triage", "declare", "SIG-2", "--grade", "SEV3")
	ref := regexp.MustCompile(`Declared (INC-\d+) \(SEV3, investigating\) from SIG-2: 결제지연`).FindStringSubmatch(out)
	if ref == nil {
		t.Fatalf("declare: %s", out)
	}
	if out := mustRun(t, env, "triage", "merge", "sig-3", ref[1]); !strings.Contains(out, "SIG-3 joined "+ref[1]) {
		t.Errorf("merge: %s", out)
	}
	if out, err := run(t, env, "triage", "merge", "SIG-3", ref[1]); err == nil || !strings.Contains(out, "409") {
		t.Errorf("second merge: %v %s", err, out)
	}
	if show := mustRun(t, env, "triage", "show", "SIG-3"); !strings.Contains(show, ref[1]) || !strings.Contains(show, "merged") {
		t.Errorf("show: %s", show)
	}
	if left := mustRun(t, env, "triage", "list"); !strings.Contains(left, "No signals pending triage.") {
		t.Errorf("inbox after triage: %s", left)
	}
}
