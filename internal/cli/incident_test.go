package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/eventtext"
)

const testToken = "fbk_test_7Qm2xV9c"

// fakeAPI is a local HTTP server that answers the few API operations the
// client commands use, the way internal/web/api does, and records what it
// was asked.
type fakeAPI struct {
	t   *testing.T
	mux *http.ServeMux
	srv *httptest.Server

	mu   sync.Mutex
	reqs []apiRequest
}

type apiRequest struct {
	Method, Path, Query, Body string
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, mux: http.NewServeMux()}
	f.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
		writeProblem(w, r, http.StatusNotFound, "not_found", "", "no API operation "+r.Method+" "+r.URL.Path)
	})
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	f.mu.Lock()
	f.reqs = append(f.reqs, apiRequest{r.Method, r.URL.Path, r.URL.RawQuery, string(body)})
	f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		w.Header().Set("WWW-Authenticate", `Bearer realm="firebreak"`)
		writeProblem(w, r, http.StatusUnauthorized, "unauthorized", "", "invalid or expired API token")
		return
	}
	if r.Method == http.MethodPost && r.Header.Get("Content-Type") != "application/json" {
		f.t.Errorf("%s %s: Content-Type %q, want application/json", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
	}
	f.mux.ServeHTTP(w, r)
}

func (f *fakeAPI) requests() []apiRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

// run runs `firebreak incident ARGS... --server <fake> --token <token>`.
func (f *fakeAPI) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return runCLI(t, "", append(append([]string{"incident"}, args...), "--server", f.srv.URL, "--token", testToken)...)
}

func runCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := NewRoot(&out, &errOut)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func writeJSONAnswer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeProblem answers as the API's writeError does.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, code, field, detail string) {
	p := map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status,
		"detail": detail, "instance": r.URL.Path, "code": code}
	if field != "" {
		p["field"] = field
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

var nextStatuses = map[string][]string{
	"investigating": {"identified", "monitoring", "resolved"},
	"identified":    {"investigating", "monitoring", "resolved"},
	"monitoring":    {"investigating", "identified", "resolved"},
	"resolved":      {"investigating", "closed"},
	"closed":        {},
}

// incidentJSON is an incident as the API shows it (openapi.json, Incident).
func incidentJSON(num int, title, grade, status string, services []string, started string) map[string]any {
	return map[string]any{
		"id": fmt.Sprintf("INC-%d", num), "number": num, "title": title, "summary": "", "grade": grade,
		"status": status, "services": services, "source": "manual", "visibility": "internal",
		"labels": map[string]string{}, "cause_tags": []string{}, "roles": map[string]string{},
		"members": []string{"alice"}, "created_by": "alice",
		"started_at": started, "detected_at": started, "acknowledged_at": nil, "mitigated_at": nil,
		"resolved_at": nil, "closed_at": nil, "created_at": started, "updated_at": started,
		"next_statuses": nextStatuses[status],
	}
}

// assertJSON fails unless got and want are the same JSON value.
func assertJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("body %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q is not JSON: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body\n got: %s\nwant: %s", got, want)
	}
}

func TestDeclare(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		wantBody string
		wantOut  string
	}{{
		name: "all flags",
		args: []string{"declare", "--title", "결제 API 응답 지연", "--grade", "sev2",
			"--service", "payments", "--service", "checkout", "--summary", "p99 3s",
			"--visibility", "restricted", "--resolver", "bob", "--communicator", "carol",
			"--cause-tag", "deploy,config", "--member", "dave", "--label", "region=kr-1"},
		wantBody: `{"title":"결제 API 응답 지연","grade":"sev2","services":["payments","checkout"],"summary":"p99 3s",
			"visibility":"restricted","roles":{"resolver":"bob","communicator":"carol"},
			"cause_tags":["deploy","config"],"members":["dave"],"labels":{"region":"kr-1"}}`,
		wantOut: "Declared INC-7 (SEV2, investigating): 결제 API 응답 지연\n",
	}, {
		name:     "only what is required",
		args:     []string{"declare", "--title", "Login errors", "--grade", "1"},
		wantBody: `{"title":"Login errors","grade":"1"}`,
		wantOut:  "Declared INC-7 (SEV1, investigating): Login errors\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t)
			api.mux.HandleFunc("POST /api/v1/incidents", func(w http.ResponseWriter, r *http.Request) {
				var req struct {
					Title    string   `json:"title"`
					Grade    string   `json:"grade"`
					Services []string `json:"services"`
				}
				_ = json.NewDecoder(r.Body).Decode(&req)
				grade := "SEV" + strings.TrimPrefix(strings.ToUpper(req.Grade), "SEV")
				w.Header().Set("Location", "/api/v1/incidents/INC-7")
				writeJSONAnswer(w, http.StatusCreated, incidentJSON(7, req.Title, grade, "investigating", req.Services, "2026-11-24T00:20:00Z"))
			})
			out, err := api.run(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if out != tc.wantOut {
				t.Errorf("output %q, want %q", out, tc.wantOut)
			}
			reqs := api.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			assertJSON(t, reqs[0].Body, tc.wantBody)
		})
	}
}

func TestDeclareJSON(t *testing.T) {
	api := newFakeAPI(t)
	api.mux.HandleFunc("POST /api/v1/incidents", func(w http.ResponseWriter, r *http.Request) {
		writeJSONAnswer(w, http.StatusCreated, incidentJSON(7, "결제 API 응답 지연 & 오류", "SEV2", "investigating", []string{"payments"}, "2026-11-24T00:20:00Z"))
	})
	out, err := api.run(t, "declare", "--title", "결제 API 응답 지연 & 오류", "--grade", "SEV2", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var inc map[string]any
	if err := json.Unmarshal([]byte(out), &inc); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if inc["id"] != "INC-7" || inc["title"] != "결제 API 응답 지연 & 오류" {
		t.Errorf("id %v, title %v", inc["id"], inc["title"])
	}
	if !strings.Contains(out, "\n  \"id\": \"INC-7\"") || !strings.Contains(out, "지연 & 오류") {
		t.Errorf("want indented JSON with the text as sent, got\n%s", out)
	}
}

func TestDeclareNeedsTitleAndGrade(t *testing.T) {
	api := newFakeAPI(t)
	_, err := api.run(t, "declare", "--title", "x")
	if err == nil || !strings.Contains(err.Error(), `"grade"`) {
		t.Errorf("err = %v, want one naming the grade flag", err)
	}
	if n := len(api.requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

func TestProblemAnswers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		token   string
		want    string
		status  int
		field   string
		handler func(w http.ResponseWriter, r *http.Request)
	}{{
		name:   "invalid field",
		args:   []string{"declare", "--title", "x", "--grade", "SEV9"},
		token:  testToken,
		want:   `declare incident: grade: must be one of SEV1, SEV2, SEV3, SEV4, SEV5; got "SEV9" (HTTP 400)`,
		status: 400, field: "grade",
	}, {
		name:   "wrong token",
		args:   []string{"show", "INC-7"},
		token:  "fbk_wrong",
		want:   "show INC-7: invalid or expired API token (HTTP 401); check --token or FIREBREAK_TOKEN",
		status: 401,
	}, {
		name:   "conflict",
		args:   []string{"status", "INC-7", "closed"},
		token:  testToken,
		want:   "set status of INC-7: cannot change from investigating to closed; from investigating the allowed statuses are: identified, monitoring, resolved (HTTP 409)",
		status: 409,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t)
			api.mux.HandleFunc("POST /api/v1/incidents", func(w http.ResponseWriter, r *http.Request) {
				writeProblem(w, r, 400, "invalid", "grade", `grade: must be one of SEV1, SEV2, SEV3, SEV4, SEV5; got "SEV9"`)
			})
			api.mux.HandleFunc("POST /api/v1/incidents/{ref}/status", func(w http.ResponseWriter, r *http.Request) {
				writeProblem(w, r, 409, "conflict", "", "cannot change from investigating to closed; from investigating the allowed statuses are: identified, monitoring, resolved")
			})
			out, err := runCLI(t, "", append(append([]string{"incident"}, tc.args...), "--server", api.srv.URL, "--token", tc.token)...)
			if err == nil {
				t.Fatalf("no error; output %q", out)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tc.want)
			}
			var ae *apiError
			if !errors.As(err, &ae) || ae.Status != tc.status || ae.Field != tc.field {
				t.Errorf("error %#v, want an apiError with status %d, field %q", ae, tc.status, tc.field)
			}
			if out != "" {
				t.Errorf("output %q, want none", out)
			}
		})
	}
}

// longTitle is 60 runes of Korean and ASCII.
const longTitle = "결제 게이트웨이 타임아웃으로 카드 승인 실패 증가 — 원인은 DB 커넥션 풀 고갈, 복구 진행 중입니다"

func listPage(items []map[string]any, next string) map[string]any {
	if items == nil {
		items = []map[string]any{}
	}
	return map[string]any{"items": items, "next_cursor": next}
}

func TestListTable(t *testing.T) {
	if n := utf8.RuneCountInString(longTitle); n <= titleWidth {
		t.Fatalf("longTitle has %d runes; the test needs more than %d", n, titleWidth)
	}
	api := newFakeAPI(t)
	api.mux.HandleFunc("GET /api/v1/incidents", func(w http.ResponseWriter, r *http.Request) {
		writeJSONAnswer(w, http.StatusOK, listPage([]map[string]any{
			incidentJSON(12, longTitle, "SEV1", "investigating", []string{"payments", "checkout"}, "2026-11-24T09:30:00+09:00"),
			incidentJSON(9, "Search latency", "SEV2", "identified", []string{"search"}, "2026-11-23T22:05:00Z"),
		}, "eyJpZCI6OX0"))
	})
	out, err := api.run(t, "list", "--status", "investigating,identified", "--grade", "SEV1", "--grade", "SEV2",
		"--service", "payments", "--since", "2026-11-01T00:00:00Z", "--limit", "2")
	if err != nil {
		t.Fatal(err)
	}
	reqs := api.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	q := parseQuery(t, reqs[0].Query)
	want := map[string]string{"status": "investigating,identified", "grade": "SEV1,SEV2", "service": "payments",
		"since": "2026-11-01T00:00:00Z", "limit": "2"}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("query %v, want %v", q, want)
	}

	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("want header, 2 rows and More line; got\n%s", out)
	}
	if got := strings.Fields(lines[0]); !reflect.DeepEqual(got, []string{"ID", "GRADE", "STATUS", "TITLE", "SERVICES", "STARTED"}) {
		t.Errorf("header %q", lines[0])
	}
	cut := string([]rune(longTitle)[:titleWidth-1]) + "…"
	for _, s := range []string{"INC-12", "SEV1", "investigating", cut, "payments, checkout", "2026-11-24 00:30"} {
		if !strings.Contains(lines[1], s) {
			t.Errorf("row 1 lacks %q:\n%s", s, lines[1])
		}
	}
	if strings.Contains(out, longTitle) {
		t.Error("the long title was not truncated")
	}
	for _, s := range []string{"INC-9", "SEV2", "identified", "Search latency", "search", "2026-11-23 22:05"} {
		if !strings.Contains(lines[2], s) {
			t.Errorf("row 2 lacks %q:\n%s", s, lines[2])
		}
	}
	// The columns after the Korean title line up on screen, where a Hangul
	// syllable takes two columns.
	for _, col := range []string{"SERVICES", "STARTED"} {
		at := screenColumn(lines[0], col)
		for i, cell := range map[int]string{1: "payments", 2: "search"} {
			if col == "STARTED" {
				cell = "2026-11-2"
			}
			if got := screenColumn(lines[i], cell); got != at {
				t.Errorf("%s of row %d starts at screen column %d, header at %d:\n%s", col, i, got, at, out)
			}
		}
	}
	if lines[3] != "More: --cursor eyJpZCI6OX0" {
		t.Errorf("last line %q, want the More line", lines[3])
	}
}

// screenColumn is where sub starts in line on a terminal, counting Hangul
// syllables as two columns.
func screenColumn(line, sub string) int {
	i := strings.Index(line, sub)
	if i < 0 {
		return -1
	}
	n := 0
	for _, r := range line[:i] {
		n++
		if r >= 0xac00 && r <= 0xd7a3 {
			n++
		}
	}
	return n
}

func parseQuery(t *testing.T, raw string) map[string]string {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("query %q: %v", raw, err)
	}
	out := map[string]string{}
	for k, v := range q {
		if len(v) != 1 {
			t.Errorf("query parameter %s sent %d times", k, len(v))
		}
		out[k] = v[0]
	}
	return out
}

// pagedList serves 5 incidents two at a time, as the real cursor does.
func pagedList(api *fakeAPI) {
	cursors := map[string]struct {
		first int
		next  string
	}{"": {10, "c8"}, "c8": {8, "c6"}, "c6": {6, ""}}
	api.mux.HandleFunc("GET /api/v1/incidents", func(w http.ResponseWriter, r *http.Request) {
		p, ok := cursors[r.URL.Query().Get("cursor")]
		if !ok {
			writeProblem(w, r, 400, "invalid", "cursor", "cursor: is not a cursor of this list")
			return
		}
		var items []map[string]any
		for n := p.first; n > p.first-2 && n > 5; n-- {
			items = append(items, incidentJSON(n, fmt.Sprintf("Incident %d", n), "SEV3", "resolved", []string{"web"}, "2026-11-20T10:00:00Z"))
		}
		writeJSONAnswer(w, http.StatusOK, listPage(items, p.next))
	})
}

func TestListAll(t *testing.T) {
	api := newFakeAPI(t)
	pagedList(api)
	out, err := api.run(t, "list", "--all", "--limit", "2")
	if err != nil {
		t.Fatal(err)
	}
	var queries []string
	for _, r := range api.requests() {
		queries = append(queries, r.Query)
	}
	if want := []string{"limit=2", "cursor=c8&limit=2", "cursor=c6&limit=2"}; !reflect.DeepEqual(queries, want) {
		t.Errorf("queries %q, want %q", queries, want)
	}
	for n := 10; n > 5; n-- {
		if !strings.Contains(out, fmt.Sprintf("INC-%d ", n)) {
			t.Errorf("INC-%d missing:\n%s", n, out)
		}
	}
	if strings.Contains(out, "More:") {
		t.Errorf("--all printed a More line:\n%s", out)
	}

	out, err = api.run(t, "list", "--all", "--limit", "2", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Items      []map[string]any `json:"items"`
		NextCursor *string          `json:"next_cursor"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if len(p.Items) != 5 || p.NextCursor == nil || *p.NextCursor != "" || p.Items[4]["id"] != "INC-6" {
		t.Errorf("--all --json: %d items, next_cursor %v", len(p.Items), p.NextCursor)
	}
}

func TestListPageAndCursor(t *testing.T) {
	api := newFakeAPI(t)
	pagedList(api)
	out, err := api.run(t, "list", "--cursor", "c8", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Items      []json.RawMessage `json:"items"`
		NextCursor string            `json:"next_cursor"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if len(p.Items) != 2 || p.NextCursor != "c6" {
		t.Errorf("%d items, next_cursor %q; want 2 and c6", len(p.Items), p.NextCursor)
	}
	if q := api.requests()[0].Query; q != "cursor=c8" {
		t.Errorf("query %q", q)
	}
}

func TestListEmpty(t *testing.T) {
	api := newFakeAPI(t)
	api.mux.HandleFunc("GET /api/v1/incidents", func(w http.ResponseWriter, r *http.Request) {
		writeJSONAnswer(w, http.StatusOK, listPage(nil, ""))
	})
	out, err := api.run(t, "list", "--status", "closed")
	if err != nil {
		t.Fatal(err)
	}
	if out != "No incidents.\n" {
		t.Errorf("output %q", out)
	}
}

func TestListBadSince(t *testing.T) {
	api := newFakeAPI(t)
	_, err := api.run(t, "list", "--since", "yesterday")
	if err == nil || !strings.HasPrefix(err.Error(), "--since: ") {
		t.Errorf("err = %v, want one naming --since", err)
	}
	if n := len(api.requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// timelineEvents is INC-7's timeline: the interesting events, then notes
// enough to need a second page.
func timelineEvents() []map[string]any {
	ev := func(id int, at, actor, kind string, data map[string]any) map[string]any {
		return map[string]any{"id": id, "at": at, "actor": actor, "kind": kind, "data": data}
	}
	events := []map[string]any{
		ev(1, "2026-11-24T00:26:00Z", "alice", "declared", map[string]any{
			"title": "결제 API 응답 지연", "grade": "SEV2", "services": []string{"payments", "checkout"}, "visibility": "restricted"}),
		ev(2, "2026-11-24T00:27:30Z", "alice", "role_assigned", map[string]any{"role": "resolver", "user": "bob"}),
		ev(3, "2026-11-24T00:31:00Z", "bob", "status_changed", map[string]any{"from": "investigating", "to": "identified", "message": "배포 롤백 중"}),
		ev(4, "2026-11-24T00:33:00Z", "bob", "fields_changed", map[string]any{"services": []string{"payments", "checkout"}, "cause_tags": []string{"deploy"}}),
		ev(5, "2026-11-24T00:40:00Z", "firebreak", "update_overdue", map[string]any{
			"last_update": "2026-11-24T00:33:00Z", "interval": "30m0s", "grade": "SEV2"}),
	}
	for id := 6; id <= 103; id++ {
		events = append(events, ev(id, "2026-11-24T01:00:00Z", "carol", "note", map[string]any{"text": fmt.Sprintf("확인 %d", id)}))
	}
	return events
}

// serveIncident7 answers for INC-7 and pages its timeline as the real API
// does: events after the cursor, at most limit of them, and the last one's id
// as next_cursor.
func serveIncident7(t *testing.T, api *fakeAPI) {
	fixture, err := os.ReadFile("testdata/inc7.json")
	if err != nil {
		t.Fatal(err)
	}
	events := timelineEvents()
	api.mux.HandleFunc("GET /api/v1/incidents/{ref}", func(w http.ResponseWriter, r *http.Request) {
		if ref := r.PathValue("ref"); ref != "INC-7" {
			writeProblem(w, r, 404, "not_found", "", "incident "+ref+" not found")
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(fixture)
	})
	api.mux.HandleFunc("GET /api/v1/incidents/{ref}/timeline", func(w http.ResponseWriter, r *http.Request) {
		after, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
		limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
		if err != nil {
			limit = 100
		}
		items := []map[string]any{}
		for _, e := range events {
			if e["id"].(int) > after && len(items) < limit {
				items = append(items, e)
			}
		}
		next := after
		if len(items) > 0 {
			next = items[len(items)-1]["id"].(int)
		}
		writeJSONAnswer(w, http.StatusOK, map[string]any{"items": items, "next_cursor": strconv.Itoa(next)})
	})
}

func TestShow(t *testing.T) {
	t.Setenv("LANG", "C.UTF-8") // English wording, whatever the machine's
	api := newFakeAPI(t)
	serveIncident7(t, api)
	out, err := api.run(t, "show", "INC-7")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range api.requests() {
		got = append(got, r.Method+" "+r.Path+"?"+r.Query)
	}
	want := []string{
		"GET /api/v1/incidents/INC-7?",
		"GET /api/v1/incidents/INC-7/timeline?limit=100",
		"GET /api/v1/incidents/INC-7/timeline?cursor=100&limit=100",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requests\n got %q\nwant %q", got, want)
	}

	header, timeline, ok := strings.Cut(out, "\nTimeline (UTC):\n")
	if !ok {
		t.Fatalf("no timeline heading:\n%s", out)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(header), "\n") {
		k, v, _ := strings.Cut(line, ":")
		fields[k] = strings.TrimSpace(v)
	}
	wantFields := map[string]string{
		"Incident": "INC-7", "Title": "결제 API 응답 지연", "Grade": "SEV2", "Status": "identified",
		"Summary": "카드 결제 p99가 3초를 넘습니다. 원인 조사 중.", "Services": "payments, checkout",
		"Resolver": "bob", "Communicator": "-", "Visibility": "restricted", "Members": "alice, bob, dave",
		"Started": "2026-11-24 00:20:00 UTC", "Detected": "2026-11-24 00:25:00 UTC",
		"Acknowledged": "2026-11-24 00:27:30 UTC", "Labels": "env=prod, region=kr-1",
		"Cause tags": "deploy, config", "Next status": "investigating, monitoring, resolved",
	}
	if !reflect.DeepEqual(fields, wantFields) {
		t.Errorf("header fields\n got %q\nwant %q\n%s", fields, wantFields, header)
	}

	lines := strings.Split(strings.TrimSuffix(timeline, "\n"), "\n")
	if len(lines) != 103 {
		t.Fatalf("%d timeline lines, want 103:\n%s", len(lines), timeline)
	}
	for i, want := range [][]string{
		{"2026-11-24", "00:26:00", "alice", "Incident", "declared:", `SEV2`, `"결제`, `API`, `응답`, `지연"`, "on", "payments,", "checkout", "(restricted)"},
		{"2026-11-24", "00:27:30", "alice", "Role", "assigned:", "resolver:", "bob"},
		{"2026-11-24", "00:31:00", "bob", "Status", "changed:", "investigating", "→", "identified:", "배포", "롤백", "중"},
		{"2026-11-24", "00:33:00", "bob", "Details", "changed:", "cause_tags,", "services"},
		{"2026-11-24", "00:40:00", "firebreak", "Status", "update", "overdue:", "no", "update", "for", "more", "than", "30m0s"},
		{"2026-11-24", "01:00:00", "carol", "Note:", "확인", "6"},
	} {
		if got := strings.Fields(lines[i]); !reflect.DeepEqual(got, want) {
			t.Errorf("timeline line %d\n got %q\nwant %q", i, got, want)
		}
	}
	if !strings.HasSuffix(lines[102], "확인 103") {
		t.Errorf("last line %q", lines[102])
	}
}

// TestShowKorean: with a Korean LANG the timeline names each event as the
// web page does (#16: no raw kinds), and no line carries a raw kind.
func TestShowKorean(t *testing.T) {
	t.Setenv("LANG", "ko_KR.UTF-8")
	api := newFakeAPI(t)
	serveIncident7(t, api)
	out, err := api.run(t, "show", "INC-7")
	if err != nil {
		t.Fatal(err)
	}
	_, timeline, _ := strings.Cut(out, "\nTimeline (UTC):\n")
	for _, want := range []string{"alice  장애 선언:", "bob    상태 변경:", "firebreak  상태 업데이트 지연:", "carol  메모:"} {
		if !strings.Contains(strings.Join(strings.Fields(timeline), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("Korean timeline lacks %q:\n%s", want, timeline[:min(len(timeline), 600)])
		}
	}
	for _, k := range eventtext.Kinds() {
		if strings.Contains(timeline, " "+string(k)+" ") {
			t.Errorf("the raw kind %q shows:\n%s", k, timeline[:min(len(timeline), 600)])
		}
	}
	if got := describeEventIn(eventDoc{Kind: "role_warning", Data: map[string]any{"user": "carol", "grade": "SEV2",
		"message": "carol holds both the resolver and the communicator role of a SEV2 incident"}}, "ko"); !strings.HasPrefix(got, "carol 님이 SEV2 장애의 해결 담당과 전파 담당을 모두") {
		t.Errorf("Korean role warning: %q", got)
	}
}

func TestShowJSON(t *testing.T) {
	api := newFakeAPI(t)
	serveIncident7(t, api)
	out, err := api.run(t, "show", "INC-7", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Incident map[string]any   `json:"incident"`
		Timeline []map[string]any `json:"timeline"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if doc.Incident["id"] != "INC-7" || len(doc.Timeline) != 103 || doc.Timeline[2]["kind"] != "status_changed" {
		t.Errorf("incident %v, %d events", doc.Incident["id"], len(doc.Timeline))
	}
}

func TestShowNotFound(t *testing.T) {
	api := newFakeAPI(t)
	serveIncident7(t, api)
	_, err := api.run(t, "show", "INC-404")
	if want := "show INC-404: incident INC-404 not found (HTTP 404)"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestDescribeEvent(t *testing.T) {
	for _, tc := range []struct {
		kind string
		data string
		want string
	}{
		{"status_changed", `{"from":"investigating","to":"identified","message":"found it"}`, "investigating → identified: found it"},
		{"status_changed", `{"from":"resolved","to":"closed"}`, "resolved → closed"},
		{"grade_changed", `{"from":"SEV3","to":"SEV1"}`, "SEV3 → SEV1"},
		{"role_assigned", `{"role":"resolver","user":"bob"}`, "resolver: bob"},
		{"role_assigned", `{"role":"resolver","user":"carol","previous":"bob"}`, "resolver: carol (was bob)"},
		{"role_assigned", `{"role":"communicator","user":"","previous":"dave"}`, "communicator: cleared (was dave)"},
		{"fields_changed", `{"title":"x","labels":{"a":"b"}}`, "labels, title"},
		{"note", `{"text":"line one\nline two"}`, "line one line two"},
		{"update_overdue", `{"interval":"15m0s","grade":"SEV1"}`, "no update for more than 15m0s"},
		{"declared", `{"title":"DB down","grade":"SEV1","services":[],"visibility":"internal"}`, `SEV1 "DB down" (internal)`},
		{"postmortem_linked", `{"url":"https://wiki/pm/7"}`, `{"url":"https://wiki/pm/7"}`},
	} {
		var data map[string]any
		if err := json.Unmarshal([]byte(tc.data), &data); err != nil {
			t.Fatal(err)
		}
		if got := describeEvent(eventDoc{Kind: tc.kind, Data: data}); got != tc.want {
			t.Errorf("%s %s: got %q, want %q", tc.kind, tc.data, got, tc.want)
		}
	}
}

func TestStatus(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		wantBody string
		wantOut  string
	}{
		{[]string{"status", "INC-7", "resolved", "-m", "rolled back the 09:40 deploy"},
			`{"status":"resolved","message":"rolled back the 09:40 deploy"}`, "INC-7 is now resolved. Next: investigating, closed.\n"},
		{[]string{"status", "inc-7", "closed"}, `{"status":"closed"}`, "INC-7 is now closed.\n"},
	} {
		api := newFakeAPI(t)
		api.mux.HandleFunc("POST /api/v1/incidents/{ref}/status", func(w http.ResponseWriter, r *http.Request) {
			var req struct{ Status string }
			_ = json.NewDecoder(r.Body).Decode(&req)
			writeJSONAnswer(w, http.StatusOK, incidentJSON(7, "결제 API 응답 지연", "SEV2", req.Status, []string{"payments"}, "2026-11-24T00:20:00Z"))
		})
		out, err := api.run(t, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		if out != tc.wantOut {
			t.Errorf("%q: output %q, want %q", tc.args, out, tc.wantOut)
		}
		r := api.requests()[0]
		if want := "/api/v1/incidents/" + tc.args[1] + "/status"; r.Path != want {
			t.Errorf("path %s, want %s", r.Path, want)
		}
		assertJSON(t, r.Body, tc.wantBody)
	}
}

func TestAssign(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		wantBody string
		wantOut  string
	}{
		{[]string{"assign", "INC-7", "resolver", "bob"}, `{"role":"resolver","user":"bob"}`, "INC-7: bob is now the resolver.\n"},
		{[]string{"assign", "INC-7", "resolver", "-"}, `{"role":"resolver","user":""}`, "INC-7: nobody is the resolver now.\n"},
		{[]string{"assign", "INC-7", "communicator", "--clear"}, `{"role":"communicator","user":""}`, "INC-7: nobody is the communicator now.\n"},
	} {
		api := newFakeAPI(t)
		api.mux.HandleFunc("POST /api/v1/incidents/INC-7/roles", func(w http.ResponseWriter, r *http.Request) {
			var req struct{ Role, User string }
			_ = json.NewDecoder(r.Body).Decode(&req)
			inc := incidentJSON(7, "결제 API 응답 지연", "SEV2", "identified", []string{"payments"}, "2026-11-24T00:20:00Z")
			if req.User != "" {
				inc["roles"] = map[string]string{req.Role: req.User}
			}
			writeJSONAnswer(w, http.StatusOK, inc)
		})
		out, err := api.run(t, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		if out != tc.wantOut {
			t.Errorf("%q: output %q, want %q", tc.args, out, tc.wantOut)
		}
		assertJSON(t, api.requests()[0].Body, tc.wantBody)
	}

	api := newFakeAPI(t)
	for _, args := range [][]string{{"assign", "INC-7", "resolver"}, {"assign", "INC-7", "resolver", "bob", "--clear"}} {
		if _, err := api.run(t, args...); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
	if n := len(api.requests()); n != 0 {
		t.Errorf("%d requests sent for bad arguments, want none", n)
	}
}

func TestNote(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"words", []string{"note", "7", "rolled", "back", "the deploy;", "errors falling"}, "", "rolled back the deploy; errors falling"},
		{"stdin", []string{"note", "INC-7", "-"}, "p99 3.1s → 0.4s\n복구 확인\n", "p99 3.1s → 0.4s\n복구 확인"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t)
			api.mux.HandleFunc("POST /api/v1/incidents/{ref}/notes", func(w http.ResponseWriter, r *http.Request) {
				var req struct{ Text string }
				_ = json.NewDecoder(r.Body).Decode(&req)
				writeJSONAnswer(w, http.StatusCreated, map[string]any{"id": 104, "at": "2026-11-24T01:12:00Z",
					"actor": "alice", "kind": "note", "data": map[string]any{"text": req.Text}})
			})
			args := append(append([]string{"incident"}, tc.args...), "--server", api.srv.URL, "--token", testToken)
			out, err := runCLI(t, tc.stdin, args...)
			if err != nil {
				t.Fatal(err)
			}
			if want := "Added a note to INC-7 at 2026-11-24 01:12:00 UTC.\n"; out != want {
				t.Errorf("output %q, want %q", out, want)
			}
			body, _ := json.Marshal(map[string]string{"text": tc.want})
			assertJSON(t, api.requests()[0].Body, string(body))
		})
	}
}

func TestMissingToken(t *testing.T) {
	t.Setenv("FIREBREAK_TOKEN", "")
	os.Unsetenv("FIREBREAK_TOKEN") // t.Setenv restores it afterwards
	api := newFakeAPI(t)
	_, err := runCLI(t, "", "incident", "list", "--server", api.srv.URL)
	if err == nil || !strings.Contains(err.Error(), "--token") || !strings.Contains(err.Error(), "FIREBREAK_TOKEN") {
		t.Errorf("err = %v, want one naming --token and FIREBREAK_TOKEN", err)
	}
	if n := len(api.requests()); n != 0 {
		t.Errorf("%d requests sent without a token, want none", n)
	}
}

func TestEnvironment(t *testing.T) {
	api := newFakeAPI(t)
	api.mux.HandleFunc("GET /api/v1/incidents", func(w http.ResponseWriter, r *http.Request) {
		writeJSONAnswer(w, http.StatusOK, listPage(nil, ""))
	})
	t.Setenv("FIREBREAK_SERVER", api.srv.URL)
	t.Setenv("FIREBREAK_TOKEN", testToken)
	if out, err := runCLI(t, "", "incident", "list"); err != nil || out != "No incidents.\n" {
		t.Errorf("with FIREBREAK_SERVER and FIREBREAK_TOKEN: output %q, err %v", out, err)
	}

	// Flags win over the environment.
	t.Setenv("FIREBREAK_SERVER", "http://127.0.0.1:1")
	t.Setenv("FIREBREAK_TOKEN", "fbk_stale")
	if _, err := runCLI(t, "", "incident", "list", "--server", api.srv.URL, "--token", testToken); err != nil {
		t.Errorf("flags over environment: %v", err)
	}
	if _, err := runCLI(t, "", "incident", "list", "--server", api.srv.URL); err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("FIREBREAK_TOKEN was not sent: err = %v", err)
	}

	// Help shows where the token comes from, never the token itself.
	out, err := runCLI(t, "", "incident", "list", "--help")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "fbk_stale") || !strings.Contains(out, "FIREBREAK_TOKEN") {
		t.Errorf("help output leaks the token or does not name FIREBREAK_TOKEN:\n%s", out)
	}
}

func TestUnreachableServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there any more
	_, err := runCLI(t, "", "incident", "list", "--server", addr, "--token", testToken)
	if err == nil {
		t.Fatal("no error")
	}
	for _, s := range []string{addr, "--server", "FIREBREAK_SERVER"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %q", err, s)
		}
	}
}

func TestBadServerAddress(t *testing.T) {
	_, err := runCLI(t, "", "incident", "list", "--server", "127.0.0.1:8080", "--token", testToken)
	if err == nil || !strings.HasPrefix(err.Error(), "--server: ") {
		t.Errorf("err = %v, want one naming --server", err)
	}
}

func TestNotFirebreak(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/incidents":
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html>welcome</html>")
		default:
			http.Redirect(w, r, "https://firebreak.example.com"+r.URL.Path, http.StatusMovedPermanently)
		}
	}))
	defer srv.Close()
	_, err := runCLI(t, "", "incident", "list", "--server", srv.URL, "--token", testToken)
	if err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("HTML answer: err = %v", err)
	}
	_, err = runCLI(t, "", "incident", "status", "INC-7", "resolved", "--server", srv.URL, "--token", testToken)
	if err == nil || !strings.Contains(err.Error(), "https://firebreak.example.com/api/v1/incidents/INC-7/status") {
		t.Errorf("redirect: err = %v", err)
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven runes", 10, "eleven ru…"},
		{"결제 API 응답 지연 발생", 8, "결제 API …"},
		{"한국어한국어", 6, "한국어한국어"},
	} {
		if got := truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
		if got := truncate(tc.in, tc.n); !utf8.ValidString(got) || utf8.RuneCountInString(got) > tc.n {
			t.Errorf("truncate(%q, %d) = %q: invalid or too long", tc.in, tc.n, got)
		}
	}
}

func TestDisplayRef(t *testing.T) {
	for in, want := range map[string]string{"7": "INC-7", "inc-7": "INC-7", "INC-42": "INC-42", "foo": "foo"} {
		if got := displayRef(in); got != want {
			t.Errorf("displayRef(%q) = %q, want %q", in, got, want)
		}
	}
}
