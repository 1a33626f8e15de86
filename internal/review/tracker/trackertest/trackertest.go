// Package trackertest runs local HTTP servers that speak the parts of Jira's
// REST API v2 and GitHub's REST API that Firebreak uses, with their
// authentication checked, so tracker sync is tested over real HTTP.
package trackertest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Issue is an issue as a fake tracker holds it.
type Issue struct {
	Key, Title, Body, Due, Status, Category string
	// StateReason is why a GitHub issue was closed (completed,
	// not_planned, duplicate) or "reopened".
	StateReason string
	Labels      []string
}

// Tracker is the state both fakes share.
type Tracker struct {
	URL string
	mu  sync.Mutex
	// auth is the Authorization header value the fake accepts.
	auth         string
	issues       map[string]*Issue
	Unauthorized int // requests refused for their credentials
	// readOnly makes writes answer 503, as a tracker in maintenance does.
	readOnly bool
}

// ReadOnly makes the tracker refuse (503) or take again every write:
// creating issues and changing their status. Reads still work.
func (f *Tracker) ReadOnly(on bool) { f.mu.Lock(); f.readOnly = on; f.mu.Unlock() }

// writable answers 503 to a write while the tracker is read-only.
func (f *Tracker) writable(w http.ResponseWriter) bool {
	f.mu.Lock()
	ro := f.readOnly
	f.mu.Unlock()
	if ro {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"message": "Service unavailable: maintenance in progress",
			"errorMessages": []string{"Service unavailable: maintenance in progress"}})
	}
	return !ro
}

func start(t testing.TB, h http.Handler) (*httptest.Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, srv.URL
}

// Issue returns a copy of the issue with the key, or nil.
func (f *Tracker) Issue(key string) *Issue {
	f.mu.Lock()
	defer f.mu.Unlock()
	if is, ok := f.issues[key]; ok {
		c := *is
		return &c
	}
	return nil
}

// Count is how many issues exist.
func (f *Tracker) Count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.issues)
}

// Refused is how many requests were refused for their credentials.
func (f *Tracker) Refused() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Unauthorized
}

func (f *Tracker) authorized(w http.ResponseWriter, r *http.Request, refusal string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != f.auth {
		f.Unauthorized++
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, refusal)
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Jira is a fake Jira site: Jira Cloud by default, or Jira Data Center.
type Jira struct {
	Tracker
	Project string
	// dataCenter serves the classic GET /search and no /search/jql, as Jira
	// Data Center and Server do; Jira Cloud answers 410 Gone on /search
	// since the enhanced search replaced it.
	dataCenter bool
	searches   map[string]int // search requests by path
}

// BasicAuth is the header value for e-mail and API token.
func BasicAuth(email, token string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+token))
}

// StartJira serves a Jira Cloud project on 127.0.0.1 that accepts the
// given Authorization header value.
func StartJira(t testing.TB, project, auth string) *Jira { return startJira(t, project, auth, false) }

// StartJiraDataCenter serves a Jira Data Center project: the classic
// search, and 404 for the enhanced search it does not have.
func StartJiraDataCenter(t testing.TB, project, auth string) *Jira {
	return startJira(t, project, auth, true)
}

func startJira(t testing.TB, project, auth string, dataCenter bool) *Jira {
	f := &Jira{Tracker: Tracker{auth: auth, issues: map[string]*Issue{}}, Project: project, dataCenter: dataCenter, searches: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /rest/api/2/issue", f.create)
	mux.HandleFunc("GET /rest/api/2/issue/{key}", f.get)
	mux.HandleFunc("GET /rest/api/2/search", f.search)
	mux.HandleFunc("GET /rest/api/2/search/jql", f.searchJQL)
	mux.HandleFunc("GET /rest/api/2/issue/{key}/transitions", f.transitions)
	mux.HandleFunc("POST /rest/api/2/issue/{key}/transitions", f.transition)
	_, f.URL = start(t, mux)
	return f
}

// File adds an issue as if an earlier request had created it; it returns
// its key.
func (f *Jira) File(title string, labels ...string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := f.Project + "-" + strconv.Itoa(len(f.issues)+1)
	f.issues[key] = &Issue{Key: key, Title: title, Labels: labels, Status: "To Do", Category: "new"}
	return key
}

// jqlLabel reads the label of the only JQL Firebreak sends.
var jqlLabel = regexp.MustCompile(`labels = "([^"]+)"`)

// Searches is how many search requests reached path ("/rest/api/2/search"
// or "/rest/api/2/search/jql"), answered or not.
func (f *Jira) Searches(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.searches[path]
}

// labelled returns the issues carrying the label of the JQL, ordered by key
// number, or false when the JQL is not the one Firebreak sends.
func (f *Jira) labelled(w http.ResponseWriter, r *http.Request) ([]*Issue, bool) {
	m := jqlLabel.FindStringSubmatch(r.URL.Query().Get("jql"))
	if m == nil {
		writeJSON(w, 400, map[string]any{"errorMessages": []string{"Error in the JQL Query"}})
		return nil, false
	}
	var out []*Issue
	f.mu.Lock()
	for _, is := range f.issues {
		if slices.Contains(is.Labels, m[1]) {
			c := *is
			out = append(out, &c)
		}
	}
	f.mu.Unlock()
	slices.SortFunc(out, func(a, b *Issue) int { return keyNumber(a.Key) - keyNumber(b.Key) })
	return out, true
}

func keyNumber(key string) int {
	n, _ := strconv.Atoi(key[strings.LastIndex(key, "-")+1:])
	return n
}

// jiraIssue is an issue as a search returns it, with the fields asked for
// (the fake knows only status).
func jiraIssue(is *Issue, fields string) map[string]any {
	out := map[string]any{"id": strconv.Itoa(10000 + keyNumber(is.Key)), "key": is.Key}
	if slices.Contains(strings.Split(fields, ","), "status") {
		out["fields"] = map[string]any{"status": jiraStatus(is.Status, is.Category)}
	}
	return out
}

// search is the classic GET /rest/api/2/search, paged by startAt. Jira
// Cloud removed it: it answers 410 Gone there.
func (f *Jira) search(w http.ResponseWriter, r *http.Request) {
	f.count(r)
	if !f.dataCenter {
		writeJSON(w, http.StatusGone, map[string]any{"errorMessages": []string{"The requested API has been removed. " +
			"Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"},
			"errors": map[string]any{}})
		return
	}
	if !f.authorized(w, r, jiraRefusal) {
		return
	}
	found, ok := f.labelled(w, r)
	if !ok {
		return
	}
	start, _ := strconv.Atoi(r.URL.Query().Get("startAt"))
	size := pageSize(r)
	issues := []map[string]any{}
	for _, is := range found[min(start, len(found)):min(start+size, len(found))] {
		issues = append(issues, jiraIssue(is, r.URL.Query().Get("fields")))
	}
	writeJSON(w, 200, map[string]any{"startAt": start, "maxResults": size, "total": len(found), "issues": issues})
}

// searchJQL is Jira Cloud's enhanced search, GET /rest/api/2/search/jql:
// only issue ids unless fields are named, no total, and pages chained by
// nextPageToken (absent on the last page) instead of startAt.
func (f *Jira) searchJQL(w http.ResponseWriter, r *http.Request) {
	f.count(r)
	if f.dataCenter {
		http.NotFound(w, r)
		return
	}
	if !f.authorized(w, r, jiraRefusal) {
		return
	}
	if r.URL.Query().Has("startAt") {
		writeJSON(w, 400, map[string]any{"errorMessages": []string{"startAt is not supported; use nextPageToken"}})
		return
	}
	found, ok := f.labelled(w, r)
	if !ok {
		return
	}
	start := 0
	if tok := r.URL.Query().Get("nextPageToken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "page-"))
		if err != nil || !strings.HasPrefix(tok, "page-") {
			writeJSON(w, 400, map[string]any{"errorMessages": []string{"The provided next page token is invalid or expired."}})
			return
		}
		start = n
	}
	size := pageSize(r)
	end := min(start+size, len(found))
	issues := []map[string]any{}
	for _, is := range found[min(start, len(found)):end] {
		issues = append(issues, jiraIssue(is, r.URL.Query().Get("fields")))
	}
	out := map[string]any{"issues": issues, "isLast": end >= len(found)}
	if end < len(found) {
		out["nextPageToken"] = "page-" + strconv.Itoa(end)
	}
	writeJSON(w, 200, out)
}

func (f *Jira) count(r *http.Request) {
	f.mu.Lock()
	f.searches[r.URL.Path]++
	f.mu.Unlock()
}

func pageSize(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("maxResults"))
	if err != nil || n <= 0 {
		return 50
	}
	return n
}

// Accept changes the credentials the site accepts (a rotated token).
func (f *Jira) Accept(auth string) { f.mu.Lock(); f.auth = auth; f.mu.Unlock() }

// SetStatus moves an issue as a person in Jira would.
func (f *Jira) SetStatus(key, name, category string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.issues[key].Status, f.issues[key].Category = name, category
}

const jiraRefusal = `{"errorMessages":["You are not authenticated. Authentication required to perform this operation."],"errors":{}}`

func (f *Jira) create(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r, jiraRefusal) || !f.writable(w) {
		return
	}
	var in struct {
		Fields struct {
			Project     struct{ Key string }  `json:"project"`
			IssueType   struct{ Name string } `json:"issuetype"`
			Summary     string                `json:"summary"`
			Description string                `json:"description"`
			DueDate     string                `json:"duedate"`
			Labels      []string              `json:"labels"`
		} `json:"fields"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Fields.Summary == "" || in.Fields.IssueType.Name == "" {
		writeJSON(w, 400, map[string]any{"errorMessages": []string{}, "errors": map[string]string{"summary": "You must specify a summary of the issue."}})
		return
	}
	if in.Fields.Project.Key != f.Project {
		writeJSON(w, 400, map[string]any{"errorMessages": []string{}, "errors": map[string]string{"project": "valid project is required"}})
		return
	}
	f.mu.Lock()
	key := f.Project + "-" + strconv.Itoa(len(f.issues)+1)
	f.issues[key] = &Issue{Key: key, Title: in.Fields.Summary, Body: in.Fields.Description, Due: in.Fields.DueDate,
		Labels: in.Fields.Labels, Status: "To Do", Category: "new"}
	id := len(f.issues) + 10000
	f.mu.Unlock()
	writeJSON(w, 201, map[string]any{"id": strconv.Itoa(id), "key": key, "self": f.URL + "/rest/api/2/issue/" + strconv.Itoa(id)})
}

func (f *Jira) issue(w http.ResponseWriter, r *http.Request) *Issue {
	if !f.authorized(w, r, jiraRefusal) {
		return nil
	}
	is := f.Issue(r.PathValue("key"))
	if is == nil {
		writeJSON(w, 404, map[string]any{"errorMessages": []string{"Issue does not exist or you do not have permission to see it."}})
	}
	return is
}

func jiraStatus(name, category string) map[string]any {
	return map[string]any{"name": name, "statusCategory": map[string]string{"key": category}}
}

func (f *Jira) get(w http.ResponseWriter, r *http.Request) {
	if is := f.issue(w, r); is != nil {
		writeJSON(w, 200, map[string]any{"key": is.Key, "fields": map[string]any{"status": jiraStatus(is.Status, is.Category)}})
	}
}

var jiraTransitions = []struct{ id, name, category string }{
	{"11", "To Do", "new"}, {"21", "In Progress", "indeterminate"}, {"31", "Done", "done"},
}

func (f *Jira) transitions(w http.ResponseWriter, r *http.Request) {
	if is := f.issue(w, r); is != nil {
		var out []map[string]any
		for _, t := range jiraTransitions {
			if t.name != is.Status {
				out = append(out, map[string]any{"id": t.id, "name": t.name, "to": jiraStatus(t.name, t.category)})
			}
		}
		writeJSON(w, 200, map[string]any{"transitions": out})
	}
}

func (f *Jira) transition(w http.ResponseWriter, r *http.Request) {
	is := f.issue(w, r)
	if is == nil || !f.writable(w) {
		return
	}
	var in struct {
		Transition struct{ ID string } `json:"transition"`
	}
	_ = json.NewDecoder(r.Body).Decode(&in)
	for _, t := range jiraTransitions {
		if t.id == in.Transition.ID {
			f.SetStatus(is.Key, t.name, t.category)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	writeJSON(w, 400, map[string]any{"errorMessages": []string{"Transition id '" + in.Transition.ID + "' is not valid for this issue."}})
}

// GitHub is a fake GitHub repository's issues.
type GitHub struct {
	Tracker
	Repo string
}

// StartGitHub serves the issues of repo (owner/name) on 127.0.0.1,
// accepting "Bearer <token>".
func StartGitHub(t testing.TB, repo, token string) *GitHub {
	f := &GitHub{Tracker: Tracker{auth: "Bearer " + token, issues: map[string]*Issue{}}, Repo: repo}
	mux := http.NewServeMux()
	base := "/repos/" + repo + "/issues"
	mux.HandleFunc("POST "+base, f.create)
	mux.HandleFunc("GET "+base, f.list)
	mux.HandleFunc("GET "+base+"/{n}", f.get)
	mux.HandleFunc("PATCH "+base+"/{n}", f.patch)
	_, f.URL = start(t, mux)
	return f
}

// Accept changes the token the fake accepts.
func (f *GitHub) Accept(token string) { f.mu.Lock(); f.auth = "Bearer " + token; f.mu.Unlock() }

// SetState opens or closes an issue as a person on GitHub would; reason is
// the state_reason (completed, not_planned, duplicate, reopened).
func (f *GitHub) SetState(n, state, reason string) {
	f.mu.Lock()
	f.issues[n].Status, f.issues[n].StateReason = state, reason
	f.mu.Unlock()
}

const ghRefusal = `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`

func (f *GitHub) view(is *Issue) map[string]any {
	n, _ := strconv.Atoi(is.Key)
	var reason any // null until the issue is closed or reopened
	if is.StateReason != "" {
		reason = is.StateReason
	}
	return map[string]any{"number": n, "state": is.Status, "state_reason": reason, "title": is.Title,
		"html_url": "https://github.example.com/" + f.Repo + "/issues/" + is.Key}
}

func (f *GitHub) create(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r, ghRefusal) || !f.writable(w) {
		return
	}
	if !strings.Contains(r.Header.Get("Accept"), "application/vnd.github+json") {
		writeJSON(w, 415, map[string]string{"message": "Unsupported Accept header"})
		return
	}
	var in struct {
		Title  string   `json:"title"`
		Body   string   `json:"body"`
		Labels []string `json:"labels"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Title == "" {
		writeJSON(w, 422, map[string]any{"message": "Validation Failed", "errors": []map[string]string{{"field": "title", "code": "missing_field"}}})
		return
	}
	f.mu.Lock()
	key := strconv.Itoa(len(f.issues) + 1)
	is := &Issue{Key: key, Title: in.Title, Body: in.Body, Labels: in.Labels, Status: "open"}
	f.issues[key] = is
	f.mu.Unlock()
	writeJSON(w, 201, f.view(is))
}

func (f *GitHub) list(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r, ghRefusal) {
		return
	}
	label, state := r.URL.Query().Get("labels"), r.URL.Query().Get("state")
	out := []map[string]any{}
	f.mu.Lock()
	for _, is := range f.issues {
		if slices.Contains(is.Labels, label) && (state == "all" || state == is.Status || state == "" && is.Status == "open") {
			out = append(out, f.view(is))
		}
	}
	f.mu.Unlock()
	writeJSON(w, 200, out)
}

func (f *GitHub) get(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r, ghRefusal) {
		return
	}
	is := f.Issue(r.PathValue("n"))
	if is == nil {
		writeJSON(w, 404, map[string]string{"message": "Not Found"})
		return
	}
	writeJSON(w, 200, f.view(is))
}

func (f *GitHub) patch(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r, ghRefusal) || !f.writable(w) {
		return
	}
	var in struct {
		State       string  `json:"state"`
		StateReason *string `json:"state_reason"`
	}
	_ = json.NewDecoder(r.Body).Decode(&in)
	if f.Issue(r.PathValue("n")) == nil || (in.State != "open" && in.State != "closed") {
		writeJSON(w, 422, map[string]string{"message": "Validation Failed"})
		return
	}
	// GitHub's state_reason: completed, not_planned or duplicate to close,
	// reopened to open, or null.
	reason := ""
	if in.StateReason != nil {
		reason = *in.StateReason
		valid := map[string][]string{"closed": {"completed", "not_planned", "duplicate"}, "open": {"reopened"}}[in.State]
		if !slices.Contains(valid, reason) {
			writeJSON(w, 422, map[string]any{"message": "Validation Failed",
				"errors": []map[string]string{{"resource": "Issue", "field": "state_reason", "code": "invalid"}}})
			return
		}
	}
	n := r.PathValue("n")
	f.mu.Lock()
	f.issues[n].Status = in.State
	switch {
	case reason != "":
		f.issues[n].StateReason = reason
	case in.State == "closed":
		f.issues[n].StateReason = "completed" // GitHub's default
	default:
		f.issues[n].StateReason = "reopened"
	}
	f.mu.Unlock()
	writeJSON(w, 200, f.view(f.Issue(n)))
}
