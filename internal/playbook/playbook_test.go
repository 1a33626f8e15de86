package playbook_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/playbook"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// quickRetry retries after 50 ms, so tests see retries without waiting.
type quickRetry struct{}

func (quickRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(50 * time.Millisecond)
}

const testCatalog = `
teams:
  - name: payments
    email: payments@example.com
  - name: messaging
    email: messaging@example.com
services:
  - name: checkout-api
    team: payments
  - name: notification-worker
    team: messaging
`

// peer is a local stand-in for GitHub, Argo CD and Jenkins that checks the
// credential each documented API asks for and counts what it accepted.
type peer struct {
	*httptest.Server
	mu       sync.Mutex
	fail     []int // statuses to answer first, one per request, before accepting
	accepted []string
	bodies   []string
	requests int
}

func (p *peer) next() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	if len(p.fail) > 0 {
		s := p.fail[0]
		p.fail = p.fail[1:]
		return s
	}
	return 0
}

func (p *peer) accept(what, body string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.accepted = append(p.accepted, what)
	p.bodies = append(p.bodies, body)
}

func (p *peer) counts() (accepted, requests int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.accepted), p.requests
}

func (p *peer) lastBody() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bodies[len(p.bodies)-1]
}

// hang, as a status in peer.fail, makes the peer act and answer late.
const hang = -1

const (
	githubToken  = "ghp_test_secret_1"
	argoToken    = "argo-secret-2"
	jenkinsToken = "jenkins-api-token-3"
)

func startPeer(t *testing.T) *peer {
	p := &peer{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /repos/{owner}/{repo}/actions/workflows/{wf}/dispatches", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Authorization") != "Bearer "+githubToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`)
			return
		}
		if r.Header.Get("Accept") != "application/vnd.github+json" || r.Header.Get("X-GitHub-Api-Version") != "2022-11-28" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if s := p.next(); s != 0 {
			w.WriteHeader(s)
			_, _ = io.WriteString(w, `{"message":"Service unavailable"}`)
			return
		}
		var req struct {
			Ref    string            `json:"ref"`
			Inputs map[string]string `json:"inputs"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.Ref == "" {
			w.WriteHeader(http.StatusUnprocessableEntity)
			return
		}
		p.accept("github "+r.PathValue("owner")+"/"+r.PathValue("repo")+" "+r.PathValue("wf"), string(body))
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /api/v1/applications/{name}/{op}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Authorization") != "Bearer "+argoToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"invalid session: token is invalid","code":16}`)
			return
		}
		p.next()
		p.accept("argocd "+r.PathValue("op")+" "+r.PathValue("name"), string(body))
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"metadata":{"name":%q}}`, r.PathValue("name"))
	})
	mux.HandleFunc("POST /job/{folder}/job/{job}/buildWithParameters", func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "firebreak" || pass != jenkinsToken {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if p.next() == hang {
			// Takes the build, then answers too late for the sender.
			p.accept("jenkins (late)", r.URL.RawQuery)
			time.Sleep(time.Second)
			w.WriteHeader(http.StatusCreated)
			return
		}
		p.accept("jenkins "+r.PathValue("folder")+"/"+r.PathValue("job"), r.URL.RawQuery)
		w.Header().Set("Location", "http://"+r.Host+"/queue/item/7/")
		w.WriteHeader(http.StatusCreated)
	})
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	return p
}

func playbooksYAML(peerURL, ghToken string) string {
	return fmt.Sprintf(`
playbooks:
  checkout-api:
    - kind: rollback
      steps:
        - text: "Check [the dashboard](https://grafana.example.com/d/x) first."
        - action: github_workflow
          title: Rollback workflow
          api_url: %[1]s
          repo: shop/checkout-api
          workflow: rollback.yml
          ref: main
          inputs: {incident: "{{.Incident.Ref}}"}
          idempotency_input: firebreak_key
          token: %[2]s
        - action: argocd
          server: %[1]s
          application: checkout-api
          operation: rollback
          history_id: "{{.RollbackTo}}"
          token_env: TEST_ARGO_TOKEN
    - kind: restart
      steps:
        - action: jenkins
          url: %[1]s
          job: payments/restart
          user: firebreak
          params: {INCIDENT: "{{.Incident.Ref}}"}
          token: %[3]s
`, peerURL, ghToken, jenkinsToken)
}

// blocker is a change registry that finds checkout-api's newest deploy not
// rollbackable.
type blocker struct {
	on  bool
	err error
}

func (b *blocker) RollbackBlocker(_ context.Context, service string) (string, string, error) {
	if b.err != nil {
		return "", "", b.err
	}
	if b.on && service == "checkout-api" {
		return "schema change (migration 0042 drops a column)", "https://github.com/shop/checkout-api/pull/42", nil
	}
	return "", "", nil
}

type env struct {
	run    *testutil.Running
	peer   *peer
	tokens map[string]string
	block  *blocker
}

func start(t *testing.T, dbURL, ghToken string) *env {
	t.Helper()
	return startWith(t, dbURL, ghToken, true)
}

// startWith starts Firebreak with the playbooks and the peers; with
// ownBlocker false the change registry itself gives the rollback verdict.
func startWith(t *testing.T, dbURL, ghToken string, ownBlocker bool) *env {
	t.Helper()
	t.Setenv("TEST_ARGO_TOKEN", argoToken)
	ctx := context.Background()
	p := startPeer(t)
	cfgYAML := testCatalog + playbooksYAML(p.URL, ghToken)
	cat, err := catalog.Parse("test.yaml", []byte(cfgYAML))
	if err != nil {
		t.Fatal(err)
	}
	pbs, err := playbook.ParseConfig("test.yaml", []byte(cfgYAML), func(s string) bool { _, ok := cat.Service(s); return ok })
	if err != nil {
		t.Fatal(err)
	}
	b := &blocker{}
	opts := server.Options{DatabaseURL: dbURL, Catalog: cat, Playbooks: pbs,
		Jobs: jobs.Config{PollInterval: 100 * time.Millisecond, RetryPolicy: quickRetry{}}}
	if ownBlocker {
		opts.RollbackBlocker = b
	}
	run := testutil.StartServer(t, opts)
	e := &env{run: run, peer: p, tokens: map[string]string{}, block: b}
	admin := auth.User{Name: auth.SystemActor, Role: auth.Admin}
	users := []struct {
		name string
		role auth.Role
		team string
	}{{"pat", auth.Viewer, "payments"}, {"mo", auth.Viewer, "messaging"}, {"vic", auth.Viewer, ""}, {"ada", auth.Admin, ""}}
	for _, u := range users {
		if _, err := run.Server.Users.AddUser(ctx, u.name, u.name+"@example.com", u.role); err != nil {
			t.Fatal(err)
		}
		if u.team != "" {
			if _, err := run.Server.Users.SetTeamRole(ctx, admin, u.name, u.team, auth.TeamResponder); err != nil {
				t.Fatal(err)
			}
		}
		secret, _, err := run.Server.Users.CreateToken(ctx, u.name, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[u.name] = secret
	}
	return e
}

func (e *env) declare(t *testing.T, vis incident.Visibility, services ...string) *incident.Incident {
	t.Helper()
	inc, err := e.run.Server.Incidents.Declare(context.Background(), auth.User{Name: auth.SystemActor, Role: auth.Admin},
		incident.Declaration{Title: "결제 오류 Payment errors", Grade: incident.SEV2, Services: services, Visibility: vis})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

type answer struct {
	status int
	raw    string
	body   map[string]any
}

func (e *env) call(t *testing.T, user, method, path string, body any) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.run.Base+"/api/v1"+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.tokens[user])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &a.body)
	return a
}

func (a answer) want(t *testing.T, status int) answer {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.raw)
	}
	return a
}

// waitRun polls the runs list until run id is done.
func (e *env) waitRun(t *testing.T, ref string, id int64) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		a := e.call(t, "pat", "GET", "/incidents/"+ref+"/playbooks/runs", nil).want(t, 200)
		items, _ := a.body["items"].([]any)
		for _, it := range items {
			m := it.(map[string]any)
			if int64(m["id"].(float64)) == id && playbook.State(m["state"].(string)).Done() {
				return m
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("run %d did not finish", id)
	return nil
}

func runID(a answer) int64 { return int64(a.body["id"].(float64)) }

func eventsOf(t *testing.T, e *env, inc *incident.Incident, kind incident.EventKind) []incident.Event {
	return testutil.EventsOfKind(t, e.run.Server.DB, inc.ID, kind)
}

// TestRunningActions runs a GitHub workflow, an Argo CD rollback and a
// Jenkins build against local peers that check credentials: confirmation
// first, then one dispatch each, results on the timeline and in the audit
// log, and the credentials never in an answer.
func TestRunningActions(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := start(t, url, githubToken)
		inc := e.declare(t, incident.Internal, "checkout-api")
		ref := inc.Ref()

		list := e.call(t, "pat", "GET", "/incidents/"+ref+"/playbooks", nil).want(t, 200)
		if list.body["can_run"] != true || !strings.Contains(list.raw, `"method":"POST"`) ||
			!strings.Contains(list.raw, e.peer.URL+"/repos/shop/checkout-api/actions/workflows/rollback.yml/dispatches") ||
			!strings.Contains(list.raw, `href=\"https://grafana.example.com/d/x\"`) {
			t.Fatalf("playbooks: %s", list.raw)
		}
		if strings.Contains(list.raw, githubToken) || strings.Contains(list.raw, jenkinsToken) || !strings.Contains(list.raw, "Bearer ••••••") {
			t.Fatalf("a credential shows in the playbooks: %s", list.raw)
		}

		// Without confirmation: refused, with the preview; nothing sent.
		ask := map[string]any{"service": "checkout-api", "playbook": "rollback", "step": 2}
		a := e.call(t, "pat", "POST", "/incidents/"+ref+"/playbooks/runs", ask).want(t, 400)
		preview, _ := a.body["preview"].(map[string]any)
		if a.body["field"] != "confirm" || preview == nil || preview["method"] != "POST" || !strings.Contains(preview["body"].(string), `"ref":"main"`) {
			t.Fatalf("unconfirmed: %s", a.raw)
		}
		if n, _ := e.peer.counts(); n != 0 {
			t.Fatal("an unconfirmed run was sent")
		}

		ask["confirm"] = true
		a = e.call(t, "pat", "POST", "/incidents/"+ref+"/playbooks/runs", ask).want(t, 202)
		if strings.Contains(a.raw, githubToken) {
			t.Fatalf("the token shows in the answer: %s", a.raw)
		}
		done := e.waitRun(t, ref, runID(a))
		if done["state"] != "succeeded" || done["attempts"].(float64) != 1 {
			t.Fatalf("run: %v", done)
		}
		if n, _ := e.peer.counts(); n != 1 {
			t.Fatalf("%d dispatches, want 1", n)
		}
		body := e.peer.lastBody()
		if !strings.Contains(body, `"incident":"`+ref+`"`) || !strings.Contains(body, `"firebreak_key":"pb-`) {
			t.Fatalf("dispatch body: %s", body)
		}
		if ev := eventsOf(t, e, inc, playbook.EventStarted); len(ev) != 1 || ev[0].Actor != "pat" {
			t.Fatalf("started events: %+v", ev)
		}
		if ev := eventsOf(t, e, inc, playbook.EventSucceeded); len(ev) != 1 || ev[0].Data["status"].(float64) != 204 {
			t.Fatalf("succeeded events: %+v", ev)
		}

		// Argo CD: the step sends the history id to roll back to.
		argo := map[string]any{"service": "checkout-api", "playbook": "rollback", "step": 3, "confirm": true}
		a = e.call(t, "pat", "POST", "/incidents/"+ref+"/playbooks/runs", argo).want(t, 400)
		if a.body["field"] != "rollback_to" {
			t.Fatalf("no rollback target: %s", a.raw)
		}
		argo["rollback_to"] = "41"
		a = e.call(t, "pat", "POST", "/incidents/"+ref+"/playbooks/runs", argo).want(t, 202)
		if done := e.waitRun(t, ref, runID(a)); done["state"] != "succeeded" {
			t.Fatalf("argo run: %v", done)
		}
		if body := e.peer.lastBody(); body != `{"id":41,"prune":false}` {
			t.Fatalf("argo body: %s", body)
		}

		// Jenkins: 201 with the queue item.
		a = e.call(t, "pat", "POST", "/incidents/"+ref+"/playbooks/runs",
			map[string]any{"service": "checkout-api", "playbook": "restart", "step": 1, "confirm": true}).want(t, 202)
		done = e.waitRun(t, ref, runID(a))
		answerOf := done["answer"].(map[string]any)
		if done["state"] != "succeeded" || answerOf["status"].(float64) != 201 || !strings.HasSuffix(answerOf["location"].(string), "/queue/item/7/") {
			t.Fatalf("jenkins run: %v", done)
		}
		if q := e.peer.lastBody(); q != "INCIDENT="+ref {
			t.Fatalf("jenkins query: %s", q)
		}

		// The audit log has each run and each result.
		entries, err := e.run.Server.Users.Audit(context.Background(), auth.User{Name: "ada", Role: auth.Admin}, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, en := range entries {
			count[en.Action]++
			if strings.Contains(string(en.After), githubToken) || strings.Contains(string(en.After), argoToken) {
				t.Fatalf("a credential in the audit log: %s", en.After)
			}
		}
		if count[playbook.AuditRun] != 3 || count[playbook.AuditSucceeded] != 3 {
			t.Fatalf("audit: %v", count)
		}
		runs := e.call(t, "pat", "GET", "/incidents/"+ref+"/playbooks/runs", nil).want(t, 200)
		if strings.Contains(runs.raw, githubToken) || strings.Contains(runs.raw, argoToken) || strings.Contains(runs.raw, jenkinsToken) {
			t.Fatalf("a credential in the runs: %s", runs.raw)
		}
	})
}

// TestRetryWithoutDoubleRun: GitHub answers 503, then 204: the run is
// retried and exactly one dispatch is accepted; running its job again
// after success sends nothing; the same idempotency key twice is one run.
func TestRetryWithoutDoubleRun(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := start(t, url, githubToken)
		inc := e.declare(t, incident.Internal, "checkout-api")
		ref := inc.Ref()
		e.peer.fail = []int{http.StatusServiceUnavailable}
		ask := map[string]any{"service": "checkout-api", "playbook": "rollback", "step": 2, "confirm": true, "idempotency_key": "pb-retry-test-1"}
		a := e.call(t, "pat", "POST", "/incidents/"+ref+"/playbooks/runs", ask).want(t, 202)
		id := runID(a)
		done := e.waitRun(t, ref, id)
		if done["state"] != "succeeded" || done["attempts"].(float64) != 2 {
			t.Fatalf("run: %v", done)
		}
		if accepted, requests := e.peer.counts(); accepted != 1 || requests != 2 {
			t.Fatalf("%d dispatches accepted of %d requests, want 1 of 2", accepted, requests)
		}
		// The same confirmation again: the same run, nothing sent.
		again := e.call(t, "pat", "POST", "/incidents/"+ref+"/playbooks/runs", ask).want(t, 202)
		if runID(again) != id {
			t.Fatalf("a repeated key made run %d, want %d", runID(again), id)
		}
		// The job once more, as River would after a lost acknowledgement.
		w := e.run.Server.Playbooks.Worker(nil)
		job := &river.Job[playbook.RunArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: playbook.MaxAttempts}, Args: playbook.RunArgs{RunID: id}}
		if err := w.Work(context.Background(), job); err != nil {
			t.Fatal(err)
		}
		if accepted, requests := e.peer.counts(); accepted != 1 || requests != 2 {
			t.Fatalf("after a second job: %d accepted of %d requests", accepted, requests)
		}
		if n := len(eventsOf(t, e, inc, playbook.EventSucceeded)); n != 1 {
			t.Fatalf("%d success events, want 1", n)
		}

		// A run whose worker died after claiming it (stored here without a
		// job, and claimed as that worker did): outcome unknown, not sent.
		store := e.run.Server.DB.PlaybookRuns()
		now := time.Now().UTC()
		lost := &playbook.Run{IncidentID: inc.ID, Service: "checkout-api", Playbook: playbook.Rollback, Step: 2,
			Action: playbook.GitHubWorkflow, ConfirmedBy: "pat", State: playbook.Queued, IdempotencyKey: "pb-lost-worker-1",
			CreatedAt: now, UpdatedAt: now, Request: playbook.Request{Method: "POST", URL: e.peer.URL + "/repos/shop/checkout-api/actions/workflows/rollback.yml/dispatches",
				Headers: map[string]string{}, Body: `{"ref":"main"}`, Auth: "bearer"}}
		if err := store.CreateRun(context.Background(), lost, nil, nil, func(*sql.Tx, int64) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if claimed, err := store.ClaimRun(context.Background(), lost.ID, now); err != nil || !claimed {
			t.Fatalf("claim: %v %v", claimed, err)
		}
		job.Args.RunID = lost.ID
		if err := w.Work(context.Background(), job); err != nil {
			t.Fatal(err)
		}
		got := e.waitRun(t, ref, lost.ID)
		if got["state"] != "unknown" || !strings.Contains(got["reason"].(string), "may or may not have been sent") {
			t.Fatalf("lost run: %v", got)
		}
		if len(eventsOf(t, e, inc, playbook.EventUnknown)) != 1 {
			t.Fatal("no unknown-outcome event")
		}
		if accepted, requests := e.peer.counts(); accepted != 1 || requests != 2 {
			t.Fatalf("the lost run was sent: %d accepted of %d requests", accepted, requests)
		}
	})
}

// TestNoAnswerWithoutKey: Jenkins takes the build but answers after the
// sender gave up, and the job has no parameter for the key: the run ends
// unknown and is not sent again, since a second build could double-deploy.
func TestNoAnswerWithoutKey(t *testing.T) {
	e := start(t, testutil.SQLiteURL(t), githubToken)
	e.run.Server.Playbooks.Sender.Timeout = 200 * time.Millisecond
	e.peer.fail = []int{hang}
	inc := e.declare(t, incident.Internal, "checkout-api")
	a := e.call(t, "pat", "POST", "/incidents/"+inc.Ref()+"/playbooks/runs",
		map[string]any{"service": "checkout-api", "playbook": "restart", "step": 1, "confirm": true}).want(t, 202)
	done := e.waitRun(t, inc.Ref(), runID(a))
	if done["state"] != "unknown" || !strings.Contains(done["reason"].(string), "no answer within 200ms") {
		t.Fatalf("run: %v", done)
	}
	time.Sleep(500 * time.Millisecond) // room for a retry, were there one
	if accepted, requests := e.peer.counts(); accepted != 1 || requests != 1 {
		t.Fatalf("%d accepted of %d requests, want 1 of 1", accepted, requests)
	}
	if len(eventsOf(t, e, inc, playbook.EventUnknown)) != 1 {
		t.Fatal("no unknown-outcome event")
	}
}

// TestPeerRefuses: a wrong token makes the fake GitHub answer 401; the run
// fails at once with the peer's answer on the timeline and in the audit log.
func TestPeerRefuses(t *testing.T) {
	e := start(t, testutil.SQLiteURL(t), "wrong-token")
	inc := e.declare(t, incident.Internal, "checkout-api")
	a := e.call(t, "pat", "POST", "/incidents/"+inc.Ref()+"/playbooks/runs",
		map[string]any{"service": "checkout-api", "playbook": "rollback", "step": 2, "confirm": true}).want(t, 202)
	done := e.waitRun(t, inc.Ref(), runID(a))
	if done["state"] != "failed" || done["attempts"].(float64) != 1 {
		t.Fatalf("run: %v", done)
	}
	evs := eventsOf(t, e, inc, playbook.EventFailed)
	if len(evs) != 1 || evs[0].Data["status"].(float64) != 401 || !strings.Contains(evs[0].Data["answer"].(string), "Bad credentials") {
		t.Fatalf("failed events: %+v", evs)
	}
	if n, _ := e.peer.counts(); n != 0 {
		t.Fatal("the peer accepted a wrong token")
	}
	entries, _ := e.run.Server.Users.Audit(context.Background(), auth.User{Name: "ada", Role: auth.Admin}, 0, 50)
	var found bool
	for _, en := range entries {
		found = found || (en.Action == playbook.AuditFailed && strings.Contains(string(en.After), "401"))
	}
	if !found {
		t.Fatal("no audit entry for the failure")
	}
}

// TestWhoMayRun: a responder of another team and a viewer are refused, an
// admin may; a restricted incident is not found for a non-member; bad input
// names its field and stores nothing; a not-rollbackable deploy needs a
// second confirmation naming the reason.
func TestWhoMayRun(t *testing.T) {
	e := start(t, testutil.SQLiteURL(t), githubToken)
	inc := e.declare(t, incident.Internal, "checkout-api")
	path := "/incidents/" + inc.Ref() + "/playbooks/runs"
	ask := map[string]any{"service": "checkout-api", "playbook": "rollback", "step": 2, "confirm": true}
	e.call(t, "mo", "POST", path, ask).want(t, 403)
	e.call(t, "vic", "POST", path, ask).want(t, 403)
	if got := e.call(t, "mo", "GET", "/incidents/"+inc.Ref()+"/playbooks", nil).want(t, 200); got.body["can_run"] != false {
		t.Fatalf("can_run for another team: %s", got.raw)
	}

	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"service": "notification-worker", "playbook": "rollback", "step": 2, "confirm": true}, "service"},
		{map[string]any{"service": "checkout-api", "playbook": "rollbak", "step": 2, "confirm": true}, "playbook"},
		{map[string]any{"service": "checkout-api", "playbook": "rollback", "step": 9, "confirm": true}, "step"},
		{map[string]any{"service": "checkout-api", "playbook": "rollback", "step": 1, "confirm": true}, "step"},
		{map[string]any{"service": "checkout-api", "playbook": "rollback", "step": 2, "confirm": true, "idempotency_key": "x y"}, "idempotency_key"},
	} {
		a := e.call(t, "pat", "POST", path, c.body).want(t, 400)
		if a.body["field"] != c.field {
			t.Errorf("%v: field %v, want %s: %s", c.body, a.body["field"], c.field, a.raw)
		}
	}
	if a := e.call(t, "pat", "POST", path, `{"service":1}`); a.status != 400 {
		t.Errorf("malformed body: %d", a.status)
	}
	if runs := e.call(t, "pat", "GET", path, nil).want(t, 200); len(runs.body["items"].([]any)) != 0 {
		t.Fatalf("refused runs were stored: %s", runs.raw)
	}

	// A change registry that cannot answer is no licence to roll back.
	e.block.err = errors.New("change registry unreachable")
	a := e.call(t, "pat", "POST", path, ask).want(t, 409)
	if !strings.Contains(a.raw, "could not be checked (change registry unreachable)") {
		t.Fatalf("blocker error: %s", a.raw)
	}
	e.block.err = nil

	e.block.on = true
	a = e.call(t, "pat", "POST", path, ask).want(t, 409)
	if a.body["field"] != "confirm_not_rollbackable" || !strings.Contains(a.raw, "schema change (migration 0042 drops a column)") ||
		a.body["link"] != "https://github.com/shop/checkout-api/pull/42" {
		t.Fatalf("not rollbackable: %s", a.raw)
	}
	ask["confirm_not_rollbackable"] = true
	a = e.call(t, "ada", "POST", path, ask).want(t, 202)
	if a.body["not_rollbackable"] != "schema change (migration 0042 drops a column)" || a.body["confirmed_by"] != "ada" {
		t.Fatalf("admin run: %s", a.raw)
	}

	secret := e.declare(t, incident.Restricted, "checkout-api")
	e.call(t, "pat", "GET", "/incidents/"+secret.Ref()+"/playbooks", nil).want(t, 404)
	e.call(t, "pat", "POST", "/incidents/"+secret.Ref()+"/playbooks/runs", ask).want(t, 404)
}

// TestRegistryVerdictAsksSecondConfirmation runs the change registry and the
// playbooks together: a deploy recorded as not rollbackable makes the
// rollback action ask for the second confirmation naming its reason, and a
// newer, safe deploy lifts it again.
func TestRegistryVerdictAsksSecondConfirmation(t *testing.T) {
	e := startWith(t, testutil.SQLiteURL(t), githubToken, false)
	inc := e.declare(t, incident.Internal, "checkout-api")
	path := "/incidents/" + inc.Ref() + "/playbooks/runs"
	ask := map[string]any{"service": "checkout-api", "playbook": "rollback", "step": 2, "confirm": true}
	deploy := func(version, notRollbackable string, ago time.Duration) {
		t.Helper()
		e.call(t, "ada", "POST", "/changes", map[string]any{"kind": "deploy", "services": []string{"checkout-api"},
			"version": version, "title": "deploy " + version, "at": time.Now().Add(-ago).UTC().Format(time.RFC3339),
			"not_rollbackable": notRollbackable}).want(t, 201)
	}
	deploy("v41", "", 3*time.Hour)
	deploy("v42", "drops the legacy_amount column", time.Hour)
	a := e.call(t, "pat", "POST", path, ask).want(t, 409)
	if a.body["field"] != "confirm_not_rollbackable" || !strings.Contains(a.raw, "drops the legacy_amount column") {
		t.Fatalf("registry verdict not asked for: %s", a.raw)
	}
	if runs := e.call(t, "pat", "GET", path, nil).want(t, 200); len(runs.body["items"].([]any)) != 0 {
		t.Fatalf("a refused rollback was stored: %s", runs.raw)
	}
	deploy("v43", "", time.Minute)
	e.call(t, "pat", "POST", path, ask).want(t, 202)
}
