package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

const testCatalog = `
teams:
  - name: payments
    display_name: 결제팀
  - name: platform
services:
  - name: checkout-api
    team: payments
    depends_on: [ledger]
  - name: ledger
    team: platform
`

// env is a running Firebreak on 127.0.0.1 with four users.
type env struct {
	base   string
	tokens map[string]string // user name → token
}

func start(t *testing.T, dbURL string) *env {
	t.Helper()
	cat, err := catalog.Parse("test.yaml", []byte(testCatalog))
	if err != nil {
		t.Fatal(err)
	}
	return startWith(t, server.Options{DatabaseURL: dbURL, Catalog: cat})
}

// startWith starts a server with the options and the four users.
func startWith(t *testing.T, opts server.Options) *env {
	t.Helper()
	ctx := context.Background()
	run := testutil.StartServer(t, opts)
	e := &env{base: run.Base, tokens: map[string]string{}}
	for name, role := range map[string]auth.Role{"alice": auth.Admin, "bob": auth.Responder, "carol": auth.Responder, "vic": auth.Viewer} {
		if _, err := run.Server.Users.AddUser(ctx, name, name+"@example.com", role); err != nil {
			t.Fatal(err)
		}
		secret, _, err := run.Server.Users.CreateToken(ctx, name, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[name] = secret
	}
	return e
}

func eachDB(t *testing.T, fn func(t *testing.T, e *env)) {
	testutil.EachDatabase(t, func(t *testing.T, url string) { fn(t, start(t, url)) })
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// call sends a request as a user ("" for none); body may be a string (sent
// as is) or a value (sent as JSON).
func (e *env) call(t *testing.T, user, method, path string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.base+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func (r response) want(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r
}

func (r response) str(key string) string { s, _ := r.body[key].(string); return s }

func (r response) items() []map[string]any {
	var out []map[string]any
	for _, it := range r.body["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func kinds(r response) []string {
	var out []string
	for _, ev := range r.items() {
		out = append(out, ev["kind"].(string))
	}
	return out
}

func TestIncidentLifecycle(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		r := e.call(t, "bob", "POST", "/api/v1/incidents", map[string]any{
			"title": "결제 승인 지연 Payment approvals slow", "grade": "sev2", "services": []string{"checkout-api"},
			"summary": "p99 of /pay went from 200 ms to 4 s", "cause_tags": []string{"db-lock"},
		}).want(t, http.StatusCreated)
		ref := r.str("id")
		if !strings.HasPrefix(ref, "INC-") || r.header.Get("Location") != "/api/v1/incidents/"+ref {
			t.Fatalf("id %q, Location %q", ref, r.header.Get("Location"))
		}
		if r.str("grade") != "SEV2" || r.str("status") != "investigating" || r.str("visibility") != "internal" || r.str("created_by") != "bob" {
			t.Fatalf("declared: %s", r.raw)
		}
		inc := "/api/v1/incidents/" + ref

		e.call(t, "bob", "POST", inc+"/roles", map[string]any{"role": "resolver", "user": "bob"}).want(t, 200)
		r = e.call(t, "bob", "POST", inc+"/roles", map[string]any{"role": "communicator", "user": "carol"}).want(t, 200)
		roles := r.body["roles"].(map[string]any)
		if roles["resolver"] != "bob" || roles["communicator"] != "carol" || r.body["acknowledged_at"] == nil {
			t.Fatalf("roles: %s", r.raw)
		}
		for _, st := range []string{"identified", "monitoring"} {
			e.call(t, "carol", "POST", inc+"/status", map[string]any{"status": st, "message": "now " + st}).want(t, 200)
		}
		note := e.call(t, "carol", "POST", inc+"/notes", map[string]any{"text": "롤백 완료, 지표 회복 중"}).want(t, 201)
		if note.str("kind") != "note" || note.str("actor") != "carol" {
			t.Fatalf("note: %s", note.raw)
		}
		r = e.call(t, "bob", "POST", inc+"/status", map[string]any{"status": "resolved"}).want(t, 200)
		if r.body["resolved_at"] == nil || r.body["mitigated_at"] == nil {
			t.Fatalf("resolved: %s", r.raw)
		}
		// SEV2 needs both review stages held before it may close.
		e.call(t, "alice", "POST", inc+"/status", map[string]any{"status": "closed"}).want(t, 409)
		for _, stage := range []string{"team", "developer"} {
			e.call(t, "bob", "PUT", inc+"/review/"+stage, map[string]any{"facilitator": "bob", "held": true}).want(t, 200)
		}
		r = e.call(t, "alice", "POST", inc+"/status", map[string]any{"status": "closed"}).want(t, 200)
		if r.str("status") != "closed" || len(r.body["next_statuses"].([]any)) != 0 {
			t.Fatalf("closed: %s", r.raw)
		}

		tl := e.call(t, "vic", "GET", inc+"/timeline", nil).want(t, 200)
		want := "declared role_assigned role_assigned status_changed status_changed note status_changed review_held review_held status_changed"
		if got := strings.Join(kinds(tl), " "); got != want {
			t.Fatalf("timeline kinds:\n got %s\nwant %s", got, want)
		}
		// Paging the timeline: two at a time, following next_cursor.
		var paged []string
		cursor := ""
		for i := 0; i < 10; i++ {
			p := e.call(t, "vic", "GET", inc+"/timeline?limit=3&cursor="+cursor, nil).want(t, 200)
			if len(p.items()) == 0 {
				break
			}
			paged = append(paged, kinds(p)...)
			cursor = p.str("next_cursor")
		}
		if strings.Join(paged, " ") != want {
			t.Fatalf("paged timeline: %v", paged)
		}

		got := e.call(t, "vic", "GET", inc, nil).want(t, 200)
		if got.str("status") != "closed" || got.str("title") != "결제 승인 지연 Payment approvals slow" {
			t.Fatalf("read back: %s", got.raw)
		}
	})
}

func TestListFiltersAndPaging(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		for i, g := range []string{"SEV1", "SEV3", "SEV3", "SEV4", "SEV1"} {
			svc := []string{"ledger"}
			if i%2 == 0 {
				svc = []string{"checkout-api"}
			}
			e.call(t, "bob", "POST", "/api/v1/incidents", map[string]any{"title": "incident " + g, "grade": g, "services": svc}).want(t, 201)
		}
		count := func(q string) int {
			return len(e.call(t, "vic", "GET", "/api/v1/incidents"+q, nil).want(t, 200).items())
		}
		for q, n := range map[string]int{
			"": 5, "?grade=SEV3": 2, "?grade=SEV1,SEV4": 3, "?service=ledger": 2, "?status=investigating": 5,
			"?status=resolved": 0, "?since=2000-01-01T00:00:00Z": 5, "?since=2999-01-01T00:00:00Z": 0,
		} {
			if got := count(q); got != n {
				t.Errorf("list%s: %d incidents, want %d", q, got, n)
			}
		}
		var seen []string
		cursor := ""
		for {
			p := e.call(t, "vic", "GET", "/api/v1/incidents?limit=2&cursor="+cursor, nil).want(t, 200)
			for _, it := range p.items() {
				seen = append(seen, it["id"].(string))
			}
			if cursor = p.str("next_cursor"); cursor == "" {
				break
			}
		}
		if len(seen) != 5 || seen[0] != "INC-5" || seen[4] != "INC-1" {
			t.Fatalf("paged list: %v", seen)
		}
	})
}

// TestBadInputChangesNothing sends each kind of bad request and checks the
// problem it gets back, and that the incident and its timeline are unchanged.
func TestBadInputChangesNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		inc := "/api/v1/incidents/" + e.call(t, "bob", "POST", "/api/v1/incidents",
			map[string]any{"title": "t", "grade": "SEV3"}).want(t, 201).str("id")
		e.call(t, "bob", "POST", inc+"/status", map[string]any{"status": "resolved"}).want(t, 200)
		before := e.call(t, "bob", "GET", inc, nil).raw
		beforeTL := e.call(t, "bob", "GET", inc+"/timeline", nil).raw

		cases := []struct {
			name, method, path string
			body               any
			status             int
			field              string
			detail             string
		}{
			{"malformed JSON", "PATCH", inc, `{"title": "x"`, 400, "", "malformed JSON"},
			{"not an object", "PATCH", inc, `[1,2]`, 400, "", "JSON object"},
			{"unknown field", "PATCH", inc, `{"titel": "x"}`, 400, "titel", "unknown field"},
			{"wrong type", "PATCH", inc, `{"title": 5}`, 400, "title", "string"},
			{"bad grade", "PATCH", inc, `{"grade": "SEV9"}`, 400, "grade", "SEV1"},
			{"unknown service", "PATCH", inc, `{"services": ["ledger", "nope"]}`, 400, "services[1]", "unknown service"},
			{"bad visibility", "PATCH", inc, `{"visibility": "secret"}`, 400, "visibility", "restricted"},
			{"empty title", "PATCH", inc, `{"title": "  "}`, 400, "title", "empty"},
			{"illegal transition", "POST", inc + "/status", `{"status": "monitoring"}`, 409, "status", "allowed statuses are: investigating, closed"},
			{"unknown status", "POST", inc + "/status", `{"status": "done"}`, 400, "status", "investigating"},
			{"unknown role", "POST", inc + "/roles", `{"role": "boss", "user": "bob"}`, 400, "role", "resolver"},
			{"unknown user", "POST", inc + "/roles", `{"role": "resolver", "user": "zed"}`, 400, "user", "unknown user"},
			{"empty note", "POST", inc + "/notes", `{"text": ""}`, 400, "text", "empty"},
			{"trailing data", "POST", inc + "/notes", `{"text": "a"} {"text": "b"}`, 400, "", "after the object"},
			{"declare without grade", "POST", "/api/v1/incidents", `{"title": "x"}`, 400, "grade", "required"},
			{"declare bad grade", "POST", "/api/v1/incidents", `{"title": "x", "grade": "critical"}`, 400, "grade", "SEV1"},
			{"declare bad time", "POST", "/api/v1/incidents", `{"title": "x", "grade": "SEV1", "started_at": "yesterday"}`, 400, "started_at", ""},
			{"bad list filter", "GET", "/api/v1/incidents?grade=SEV0", nil, 400, "grade", ""},
			{"bad cursor", "GET", "/api/v1/incidents?cursor=zzz", nil, 400, "cursor", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.call(t, "bob", c.method, c.path, c.body)
				if r.status != c.status {
					t.Fatalf("status %d, want %d: %s", r.status, c.status, r.raw)
				}
				if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
					t.Fatalf("Content-Type %q", ct)
				}
				if r.body["field"] != nil && r.str("field") != c.field || r.body["field"] == nil && c.field != "" {
					t.Fatalf("field %v, want %q: %s", r.body["field"], c.field, r.raw)
				}
				if !strings.Contains(r.str("detail"), c.detail) || r.body["status"].(float64) != float64(c.status) || r.str("title") == "" {
					t.Fatalf("problem body: %s", r.raw)
				}
			})
		}
		if after := e.call(t, "bob", "GET", inc, nil).raw; after != before {
			t.Fatalf("incident changed:\n%s\n%s", before, after)
		}
		if after := e.call(t, "bob", "GET", inc+"/timeline", nil).raw; after != beforeTL {
			t.Fatal("timeline changed")
		}
		if n := len(e.call(t, "bob", "GET", "/api/v1/incidents", nil).items()); n != 1 {
			t.Fatalf("%d incidents after failed declarations, want 1", n)
		}
	})
}

func TestAccess(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		e.call(t, "", "GET", "/api/v1/incidents", nil).want(t, 401)
		e.tokens["forged"] = "fbt_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		e.call(t, "forged", "GET", "/api/v1/incidents", nil).want(t, 401)
		e.call(t, "vic", "POST", "/api/v1/incidents", map[string]any{"title": "x", "grade": "SEV1"}).want(t, 403)
		if me := e.call(t, "vic", "GET", "/api/v1/me", nil).want(t, 200); me.str("name") != "vic" || me.str("role") != "viewer" {
			t.Fatalf("me: %s", me.raw)
		}

		// A restricted incident: alice (only an admin may, on no service)
		// declares it with bob and carol as members.
		sec := e.call(t, "alice", "POST", "/api/v1/incidents", map[string]any{
			"title": "Credential leak", "grade": "SEV1", "visibility": "restricted", "members": []string{"bob", "carol"},
		}).want(t, 201).str("id")
		open := e.call(t, "bob", "POST", "/api/v1/incidents", map[string]any{"title": "Visible", "grade": "SEV4"}).want(t, 201).str("id")
		path := "/api/v1/incidents/" + sec
		for _, u := range []string{"bob", "carol", "alice"} {
			e.call(t, u, "GET", path, nil).want(t, 200)
			e.call(t, u, "GET", path+"/timeline", nil).want(t, 200)
		}
		// vic (viewer) and the uninvolved responder get the same 404 as for an
		// incident that does not exist, on every route.
		missing := e.call(t, "vic", "GET", "/api/v1/incidents/INC-999", nil).want(t, 404)
		for _, u := range []string{"vic"} {
			r := e.call(t, u, "GET", path, nil).want(t, 404)
			if strings.Contains(r.raw, "Credential") || strings.ReplaceAll(r.raw, sec, "INC-999") != missing.raw {
				t.Fatalf("404 differs from a missing incident's: %s vs %s", r.raw, missing.raw)
			}
			e.call(t, u, "GET", path+"/timeline", nil).want(t, 404)
			e.call(t, u, "POST", path+"/notes", map[string]any{"text": "hi"}).want(t, 404)
		}
		dave := e.call(t, "alice", "POST", "/api/v1/incidents/"+open+"/notes", map[string]any{"text": "x"}).want(t, 201)
		_ = dave
		list := e.call(t, "vic", "GET", "/api/v1/incidents", nil).want(t, 200)
		if len(list.items()) != 1 || list.items()[0]["id"] != open || strings.Contains(list.raw, "Credential") {
			t.Fatalf("viewer's list: %s", list.raw)
		}
		if n := len(e.call(t, "carol", "GET", "/api/v1/incidents", nil).items()); n != 2 {
			t.Fatalf("member sees %d incidents, want 2", n)
		}
		// A viewer may read but not change a visible incident.
		e.call(t, "vic", "POST", "/api/v1/incidents/"+open+"/notes", map[string]any{"text": "hi"}).want(t, 403)
	})
}

func TestCatalogAndProbes(t *testing.T) {
	e := start(t, testutil.SQLiteURL(t))
	svc := e.call(t, "vic", "GET", "/api/v1/catalog/services/ledger", nil).want(t, 200)
	if deps := svc.body["dependants"].([]any); len(deps) != 1 || deps[0] != "checkout-api" {
		t.Fatalf("ledger: %s", svc.raw)
	}
	e.call(t, "vic", "GET", "/api/v1/catalog/services/nope", nil).want(t, 404)
	if teams := e.call(t, "vic", "GET", "/api/v1/catalog/teams", nil).want(t, 200).items(); len(teams) != 2 || teams[0]["display_name"] != "결제팀" {
		t.Fatalf("teams: %v", teams)
	}
	e.call(t, "", "GET", "/api/v1/openapi.json", nil).want(t, 200)
	e.call(t, "", "GET", "/healthz", nil).want(t, 200)
	e.call(t, "", "GET", "/readyz", nil).want(t, 200)
	e.call(t, "bob", "POST", "/api/v1/incidents", map[string]any{"title": "m", "grade": "SEV2"}).want(t, 201)
	m := e.call(t, "", "GET", "/metrics", nil).want(t, 200).raw
	for _, line := range []string{
		`firebreak_incidents{grade="SEV2",status="investigating"} 1`,
		`firebreak_http_requests_total{code="201",method="POST",route="POST /api/v1/incidents"} 1`,
		`firebreak_job_queue_depth `,
		`firebreak_jobs_failed 0`,
	} {
		if !strings.Contains(m, line) {
			t.Errorf("metrics lack %q", line)
		}
	}
	_ = time.Now
}
