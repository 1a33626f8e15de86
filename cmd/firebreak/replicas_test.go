package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// The replica tests run three `firebreak serve` processes, the real binary,
// on one PostgreSQL cluster of their own (so that they may stop it), and
// drive them at once: every outbound message goes out once whichever
// replica declared, periodic work runs once per period, a live view on one
// sees what another wrote, and sign-in, CSRF, rate limits and kill switches
// hold across them. Then the faults: a replica killed mid-storm and
// mid-delivery, and the database stopped for ten seconds.

// replicaPartners is how many partner webhooks a public incident tells.
const replicaPartners = 12

// cluster is three replicas on one database and the peers they talk to.
type cluster struct {
	t        *testing.T // the whole test's: replicas live until it ends
	pg       *testutil.PostgresCluster
	db       *sql.DB
	sink     *testutil.MailSink
	hook     *testutil.WebhookReceiver
	config   string
	token    string // an admin's API token
	flags    string // an OFREP token
	replicas []*serverProc
	args     []string // serve's flags, for restarting a replica
}

// replicaConfig is a config file whose channels reach the test's peers,
// with short limits to trip and a kill switch to flip.
func replicaConfig(t *testing.T, sink *testutil.MailSink, hook *testutil.WebhookReceiver) string {
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
intake:
  alertmanager:
    token: storm-token
  form:
    rate_limit: 2
    rate_window: 1h
auth:
  login_rate_limit: 3
  login_rate_window: 1h
flags:
  - key: new-payment-sheet
    service: payments
    description: 새 결제 시트 New payment sheet
    default: "on"
policy:
  base_url: https://fb.example.com
  grades:
    SEV3:
      update_every: 1m
  departments:
    - name: support
      from_grade: SEV2
      email: support@example.com
      lang: ko
  partners:
`, sink.Host, sink.Port)
	for i := 0; i < replicaPartners; i++ {
		fmt.Fprintf(&b, "    - name: partner-%d\n      from_grade: SEV3\n      webhook: %s?p=%d\n      secret: %s\n", i, hook.URL, i, hook.Secret)
	}
	path := filepath.Join(t.TempDir(), "firebreak.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// startCluster starts the database, the peers and three replicas.
func startCluster(t *testing.T) *cluster { return startReplicas(t, 3) }

// startReplicas starts the database, the peers and n replicas.
func startReplicas(t *testing.T, n int) *cluster {
	t.Helper()
	c := &cluster{t: t, pg: testutil.StartPostgresCluster(t), sink: testutil.StartMailSink(t)}
	c.hook = testutil.StartWebhookReceiver(t, "partner-secret")
	c.config = replicaConfig(t, c.sink, c.hook)
	dbArgs := []string{"--database-url", c.pg.URL}
	mustRun(t, nil, append([]string{"migrate"}, dbArgs...)...)
	mustRun(t, nil, append([]string{"user", "add", "ops", "--role", "admin", "--email", "ops@example.com"}, dbArgs...)...)
	c.token = strings.TrimSpace(mustRun(t, nil, append([]string{"token", "create", "--user", "ops"}, dbArgs...)...))
	c.flags = strings.TrimSpace(mustRun(t, nil, append([]string{"token", "create", "--user", "ops", "--scope", "flags:read"}, dbArgs...)...))
	passwd := command("user", "passwd", "ops", "--database-url", c.pg.URL)
	passwd.Stdin = strings.NewReader("correct horse battery\n")
	if out, err := passwd.CombinedOutput(); err != nil {
		t.Fatalf("passwd: %v\n%s", err, out)
	}
	// Short periods, so that periodic work runs many times within the test
	// (hidden flags).
	c.args = append(dbArgs, "--config", c.config, "--stale-check-every", "1s", "--review-sweep-every", "1s")
	var wg sync.WaitGroup
	c.replicas = make([]*serverProc, n)
	for i := range c.replicas {
		wg.Add(1)
		go func() { defer wg.Done(); c.replicas[i] = startServeQuiet(t, c.args...) }()
	}
	wg.Wait()
	for _, r := range c.replicas {
		if r == nil {
			t.FailNow()
		}
	}
	var err error
	if c.db, err = sql.Open("pgx", c.pg.URL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.db.Close() })
	return c
}

// startServeQuiet starts a replica like startServe, with its output in
// a file that a failure shows, and reports a failure without calling
// FailNow, so that replicas may start from several goroutines.
func startServeQuiet(t *testing.T, args ...string) *serverProc {
	t.Helper()
	port := testutil.FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	logf, err := os.CreateTemp(t.TempDir(), "replica-*.log")
	if err != nil {
		t.Error(err)
		return nil
	}
	cmd := exec.Command(binary, append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Error(err)
		return nil
	}
	p := &serverProc{cmd: cmd, base: "http://" + addr, exited: make(chan error, 1)}
	go func() { p.exited <- cmd.Wait() }()
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
		exited := false
		select {
		case err = <-p.exited:
			exited = true
		default:
		}
		if exited || time.Now().After(deadline) {
			out, _ := os.ReadFile(logf.Name())
			t.Errorf("replica did not become ready: %v\n%s", err, out)
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// command prepares a firebreak command without running it.
func command(args ...string) *exec.Cmd { return exec.Command(binary, args...) }

func (c *cluster) declare(t *testing.T, on int, title, grade string) string {
	t.Helper()
	status, body := api(t, c.replicas[on].base, c.token, "POST", "/api/v1/incidents", map[string]any{
		"title": title, "grade": grade, "services": []string{"payments"}, "visibility": "public",
		"roles": map[string]string{"communicator": "ops"}})
	if status != 201 {
		t.Fatalf("declare through replica %d: %d %v", on, status, body)
	}
	return body["id"].(string)
}

// mailsBySubject counts the sink's mails per (recipient, subject) pair.
func mailsBySubject(sink *testutil.MailSink, contains string) map[string]int {
	out := map[string]int{}
	for _, m := range sink.Messages() {
		if s := m.Subject(); strings.Contains(s, contains) {
			out[strings.Join(m.To, ",")+" "+s]++
		}
	}
	return out
}

func TestThreeReplicas(t *testing.T) {
	c := startCluster(t)

	t.Run("each message is delivered once whichever replica declared", func(t *testing.T) {
		var refs []string
		for i := range c.replicas {
			refs = append(refs, c.declare(t, i, fmt.Sprintf("Replica %d payments fail", i), "SEV2"))
		}
		// Each declaration tells the owning team and support by e-mail
		// and every partner by webhook.
		waitUntil(t, "every delivery", 60*time.Second, func() bool {
			return len(c.hook.Handled()) >= 3*replicaPartners && len(mailsBySubject(c.sink, "payments fail")) >= 6
		})
		time.Sleep(2 * time.Second) // room for a duplicate to show up
		for key, n := range c.hook.Deliveries() {
			if n != 1 {
				t.Errorf("webhook %s arrived %d times", key, n)
			}
		}
		if n := len(c.hook.Handled()); n != 3*replicaPartners {
			t.Errorf("%d webhooks handled, want %d", n, 3*replicaPartners)
		}
		mails := mailsBySubject(c.sink, "payments fail")
		for _, ref := range refs {
			for _, to := range []string{"pay@example.com", "support@example.com"} {
				found := 0
				for k, n := range mails {
					if strings.HasPrefix(k, to+" ") && strings.Contains(k, ref+" ") {
						found += n
					}
				}
				if found != 1 {
					t.Errorf("%s got %d mails of %s: %v", to, found, ref, mails)
				}
			}
		}
	})

	t.Run("periodic jobs run once per period", func(t *testing.T) {
		ref := c.declare(t, 0, "Quiet incident", "SEV3")
		// The incident has gone without an update for longer than its
		// grade's minute: the next stale check reminds its communicator,
		// and no check reminds again within the minute.
		if _, err := c.db.Exec("UPDATE incidents SET created_at = created_at - interval '90 seconds' WHERE id = $1",
			strings.TrimPrefix(ref, "INC-")); err != nil {
			t.Fatal(err)
		}
		from := time.Now()
		// An action item already overdue: the review sweep, which runs only
		// when something fell due or changed, has its escalation to give.
		if status, body := api(t, c.replicas[1].base, c.token, "POST", "/api/v1/incidents/"+ref+"/action-items", map[string]any{
			"title": "Page the payments on-call on queue depth", "category": "detect", "term": "short", "owner": "ops",
			"due_at": time.Now().Add(-48 * time.Hour).UTC().Format("2006-01-02")}); status != 201 {
			t.Fatalf("add an action item: %d %v", status, body)
		}
		overdue := func() int {
			var n int
			if err := c.db.QueryRow("SELECT COUNT(*) FROM timeline_events WHERE incident_id = $1 AND kind = 'update_overdue'",
				strings.TrimPrefix(ref, "INC-")).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		waitUntil(t, "the overdue reminder", 30*time.Second, func() bool { return overdue() >= 1 })
		window := 8 * time.Second
		time.Sleep(window)
		if n := overdue(); n != 1 {
			t.Errorf("%d update_overdue events for one missed update, want 1", n)
		}
		reminders := c.sink.WaitForTo(t, "ops@example.com", 1, 30*time.Second)
		time.Sleep(time.Second)
		if n := len(c.sink.MessagesTo("ops@example.com")); n != 1 {
			t.Errorf("%d reminder mails, want 1 (first: %s)", n, reminders[0].Subject())
		}
		// Each periodic job was scheduled once per period across the three
		// replicas (the elected leader schedules), not once per replica.
		elapsed := time.Since(from)
		for _, kind := range []string{"incident.stale_check", "review.sweep"} {
			var n int
			if err := c.db.QueryRow("SELECT COUNT(*) FROM river_job WHERE kind = $1 AND created_at >= $2", kind, from).Scan(&n); err != nil {
				t.Fatal(err)
			}
			most := int(elapsed/time.Second) + 2
			t.Logf("%s ran %d times in %s (every 1s)", kind, n, elapsed.Round(time.Millisecond))
			if n > most || n == 0 {
				t.Errorf("%s ran %d times in %s at one period a second; want 1..%d", kind, n, elapsed, most)
			}
		}
	})

	t.Run("a live view on one replica sees what another wrote within a second", func(t *testing.T) {
		ref := c.declare(t, 0, "Live view", "SEV2")
		viewer := signIn(t, c.replicas[0].base, "ops", "correct horse battery")
		events := openLive(t, viewer, c.replicas[0].base, ref, "")
		var lat []time.Duration
		for i := range 8 {
			text := fmt.Sprintf("note %d from replica %d", i, 1+i%2)
			status, body := api(t, c.replicas[1+i%2].base, c.token, "POST", "/api/v1/incidents/"+ref+"/notes", map[string]any{"text": text})
			written := time.Now()
			if status != 201 {
				t.Fatalf("note: %d %v", status, body)
			}
			lat = append(lat, events.waitFor(t, text, 10*time.Second).Sub(written))
		}
		slices.Sort(lat)
		p50, worst := lat[len(lat)/2], lat[len(lat)-1]
		t.Logf("write on B/C to event on A: p50 %s, max %s", p50.Round(time.Millisecond), worst.Round(time.Millisecond))
		// The requirement is one second; the slack on the worst case is
		// for a loaded CI machine, the median must meet it.
		if p50 > time.Second || worst > 3*time.Second {
			t.Errorf("live events took p50 %s, max %s (%v)", p50, worst, lat)
		}
	})

	t.Run("a session and its CSRF token hold across replicas", func(t *testing.T) {
		ref := c.declare(t, 0, "Session", "SEV3")
		a := signIn(t, c.replicas[0].base, "ops", "correct horse battery")
		page := get(t, a, c.replicas[0].base+"/incidents/"+ref)
		m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no CSRF token on the incident page")
		}
		// The same cookie on replica B: signed in, and A's token is good.
		b := withCookiesFor(t, a, c.replicas[0].base, c.replicas[1].base)
		if page := get(t, b, c.replicas[1].base+"/incidents/"+ref); !strings.Contains(page, "Session") {
			t.Fatal("replica B did not know replica A's session")
		}
		resp := postForm(t, b, c.replicas[1].base+"/incidents/"+ref+"/notes", url.Values{"csrf": {m[1]}, "text": {"through B with A's token"}})
		if resp != http.StatusSeeOther {
			t.Fatalf("note through B with A's CSRF token: %d", resp)
		}
		if resp := postForm(t, b, c.replicas[2].base+"/incidents/"+ref+"/notes", url.Values{"csrf": {"forged"}, "text": {"forged"}}); resp == http.StatusSeeOther {
			t.Fatal("a forged CSRF token was taken")
		}
	})

	t.Run("a kill switch flipped on one replica is served by the others", func(t *testing.T) {
		eval := func(i int) any {
			req, _ := http.NewRequest("POST", c.replicas[i].base+"/ofrep/v1/evaluate/flags/new-payment-sheet",
				strings.NewReader(`{"context":{"targetingKey":"u1"}}`))
			req.Header.Set("Authorization", "Bearer "+c.flags)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&out)
			return out["value"]
		}
		for i := 1; i < 3; i++ {
			if v := eval(i); v != true {
				t.Fatalf("before the flip replica %d serves %v", i, v)
			}
		}
		status, body := api(t, c.replicas[0].base, c.token, "POST", "/api/v1/flags/new-payment-sheet/flip",
			map[string]any{"to": "off", "reason": "결제 오류 payment errors"})
		flipped := time.Now()
		if status != 200 {
			t.Fatalf("flip on A: %d %v", status, body)
		}
		for i := 1; i < 3; i++ {
			waitUntil(t, fmt.Sprintf("replica %d serving the flip", i), 10*time.Second, func() bool { return eval(i) == false })
			t.Logf("replica %d served the flip %s after A answered", i, time.Since(flipped).Round(time.Millisecond))
		}
	})

	t.Run("faults", func(t *testing.T) { replicaFaults(t, c) })

	// The limits come last: all the test's clients share 127.0.0.1, and a
	// locked-out address cannot sign in for the rest of the window.
	t.Run("the sign-in lockout counts failures on every replica", func(t *testing.T) {
		mustRun(t, nil, "user", "add", "locked", "--database-url", c.pg.URL)
		passwd := command("user", "passwd", "locked", "--database-url", c.pg.URL)
		passwd.Stdin = strings.NewReader("right password here\n")
		if out, err := passwd.CombinedOutput(); err != nil {
			t.Fatalf("passwd: %v\n%s", err, out)
		}
		// The limit is 3 failures an hour: one on each replica.
		for i := range c.replicas {
			if code := loginStatus(t, c.replicas[i].base, "locked", "wrong"); code != http.StatusUnauthorized {
				t.Fatalf("failure %d on replica %d: %d", i+1, i, code)
			}
		}
		for i := range c.replicas {
			if code := loginStatus(t, c.replicas[i].base, "locked", "right password here"); code != http.StatusTooManyRequests {
				t.Errorf("replica %d let the right password in after 3 failures spread over A, B, C: %d", i, code)
			}
		}
	})

	t.Run("the report form's rate limit counts on every replica", func(t *testing.T) {
		// Two reports an hour per client: one on A, one on B, none on C.
		for i := range 2 {
			if code := report(t, c.replicas[i].base, fmt.Sprintf("결제가 안 돼요 %d", i)); code != http.StatusOK {
				t.Fatalf("report %d on replica %d: %d", i+1, i, code)
			}
		}
		if code := report(t, c.replicas[2].base, "세 번째"); code != http.StatusTooManyRequests {
			t.Errorf("the third report within the window, on replica C: %d, want 429", code)
		}
	})

}

// signIn signs in through the web form and returns a client holding the
// session cookie.
func signIn(t *testing.T, base, name, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+"/login", url.Values{"name": {name}, "password": {password}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", name, resp.StatusCode)
	}
	return client
}

// loginStatus tries one sign-in and returns the answer's status.
func loginStatus(t *testing.T, base, name, password string) int {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+"/login", url.Values{"name": {name}, "password": {password}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// report sends the public report form and returns the answer's status.
func report(t *testing.T, base, what string) int {
	t.Helper()
	resp, err := http.PostForm(base+"/report", url.Values{"what": {what}, "service": {"payments"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// withCookiesFor returns a client that sends to "to" the cookies that
// client holds for "from": the same browser behind a load balancer.
func withCookiesFor(t *testing.T, client *http.Client, from, to string) *http.Client {
	t.Helper()
	fu, _ := url.Parse(from)
	tu, _ := url.Parse(to)
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(tu, client.Jar.Cookies(fu))
	return &http.Client{Jar: jar, CheckRedirect: client.CheckRedirect}
}

func get(t *testing.T, client *http.Client, u string) string {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	return string(b)
}

func postForm(t *testing.T, client *http.Client, u string, v url.Values) int {
	t.Helper()
	resp, err := client.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// liveStream is an open live timeline (server-sent events).
type liveStream struct {
	mu     sync.Mutex
	seen   map[string]time.Time // text found in a timeline event → when it arrived
	lastID string
	ended  atomic.Bool
	body   io.Closer
}

// openLive connects to an incident's live timeline, resuming after
// lastID when it is set, as a browser's EventSource does on reconnect.
func openLive(t *testing.T, client *http.Client, base, ref, lastID string) *liveStream {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/incidents/"+ref+"/live", nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	stream := &http.Client{Jar: client.Jar} // no timeout: the stream stays open
	resp, err := stream.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		resp.Body.Close()
		t.Fatalf("live view: %d", resp.StatusCode)
	}
	s := &liveStream{seen: map[string]time.Time{}, lastID: lastID, body: resp.Body}
	t.Cleanup(func() { resp.Body.Close() })
	go func() {
		defer s.ended.Store(true)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var event, data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "id: "):
				s.mu.Lock()
				s.lastID = strings.TrimPrefix(line, "id: ")
				s.mu.Unlock()
			case strings.HasPrefix(line, "data: "):
				data += strings.TrimPrefix(line, "data: ") + "\n"
			case line == "":
				if event == "timeline" {
					s.mu.Lock()
					s.seen[data] = time.Now()
					s.mu.Unlock()
				}
				event, data = "", ""
			}
		}
	}()
	return s
}

// waitFor returns when an event holding text arrived.
func (s *liveStream) waitFor(t *testing.T, text string, within time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		s.mu.Lock()
		for data, at := range s.seen {
			if strings.Contains(data, text) {
				s.mu.Unlock()
				return at
			}
		}
		s.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no live event with %q within %s", text, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// alertBody is an Alertmanager webhook of the given fingerprints.
func alertBody(fps []string) []byte {
	alerts := make([]map[string]any, len(fps))
	for j, fp := range fps {
		alerts[j] = map[string]any{"status": "firing", "fingerprint": fp, "startsAt": time.Now().UTC(),
			"labels": map[string]string{"alertname": "Storm", "n": fp}, "annotations": map[string]string{}}
	}
	body, _ := json.Marshal(map[string]any{"version": "4", "status": "firing", "receiver": "fb", "alerts": alerts})
	return body
}

// sendAlerts posts one webhook and returns its status (0: no answer).
func sendAlerts(client *http.Client, base string, fps []string) int {
	req, _ := http.NewRequest("POST", base+"/hooks/alertmanager", bytes.NewReader(alertBody(fps)))
	req.Header.Set("Authorization", "Bearer storm-token")
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// storedOnce checks that every fingerprint is stored, each exactly once,
// and returns how many were missing or doubled.
func storedOnce(t *testing.T, db *sql.DB, fps []string) (missing, doubled int) {
	t.Helper()
	found := map[string]int{}
	rows, err := db.Query("SELECT fingerprint, COUNT(*) FROM signals WHERE source = 'alertmanager' GROUP BY fingerprint")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var fp string
		var n int
		if err := rows.Scan(&fp, &n); err != nil {
			t.Fatal(err)
		}
		found[fp] = n
	}
	for _, fp := range fps {
		switch found[fp] {
		case 0:
			missing++
		case 1:
		default:
			doubled++
		}
	}
	return missing, doubled
}

// kill sends SIGKILL to replica i and waits until it is gone.
func (c *cluster) kill(t *testing.T, i int) {
	t.Helper()
	if err := c.replicas[i].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-c.replicas[i].exited
}

// sender returns the replica running the most deliveries right now, and
// how many: River records the worker's client id, which names its process.
func (c *cluster) sender(t *testing.T) (replica, running int) {
	t.Helper()
	rows, err := c.db.Query(`SELECT attempted_by[array_length(attempted_by, 1)], COUNT(*) FROM river_job
		WHERE kind = 'notify.deliver' AND state = 'running' GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	replica = -1
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		for i, r := range c.replicas {
			if strings.Contains(id, fmt.Sprintf("_pid%d_", r.cmd.Process.Pid)) && n > running {
				replica, running = i, n
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return replica, running
}

// ready returns replica i's /readyz status (0: no answer).
func (c *cluster) ready(i int) int {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(c.replicas[i].base + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// restart starts a replica in place of a killed one. It belongs to the
// whole test, not to the subtest that restarts it.
func (c *cluster) restart(t *testing.T) *serverProc {
	t.Helper()
	p := startServeQuiet(c.t, c.args...)
	if p == nil {
		t.FailNow()
	}
	return p
}
