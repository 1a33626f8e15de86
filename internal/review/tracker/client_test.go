package tracker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/review/tracker"
	"github.com/firebreak-oss/firebreak/internal/review/tracker/trackertest"
)

func sampleItem() *review.ActionItem {
	due := time.Date(2027, 1, 15, 23, 59, 59, 0, time.UTC)
	return &review.ActionItem{ID: 7, IncidentID: 3, Title: "결제 재시도 2회로 제한", Description: "Retries piled up.",
		Category: review.Prevent, Term: review.Long, Owner: "alice", DueAt: &due}
}

// TestJiraClient: issue fields, finding an item's issue by its label, and
// transitions both ways, on Jira Cloud (Basic auth; the enhanced search,
// since the classic one answers 410 Gone) and on Jira Data Center (a
// personal access token as Bearer; no enhanced search, so the classic one).
func TestJiraClient(t *testing.T) {
	for _, c := range []struct {
		name        string
		start       func(testing.TB, string, string) *trackertest.Jira
		cfg         review.JiraConfig
		auth        string
		used, empty string // the search path asked for found issues, and the one never answered
	}{
		{"cloud", trackertest.StartJira, review.JiraConfig{Email: "bot@example.com", APIToken: "tok-9"},
			trackertest.BasicAuth("bot@example.com", "tok-9"), "/rest/api/2/search/jql", "/rest/api/2/search"},
		{"data center", trackertest.StartJiraDataCenter, review.JiraConfig{Token: "pat-123"},
			"Bearer pat-123", "/rest/api/2/search", "/rest/api/2/search/jql"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			fake := c.start(t, "OPS", c.auth)
			cfg := c.cfg
			cfg.BaseURL, cfg.Project, cfg.IssueType = fake.URL, "OPS", "Bug"
			j := tracker.NewJira(cfg)
			if key, _, _, err := j.Find(ctx, 7); err != nil || key != "" {
				t.Fatalf("find before create: %q %v", key, err)
			}
			key, url, state, err := j.Create(ctx, sampleItem(), "INC-3")
			if err != nil || key != "OPS-1" || url != fake.URL+"/browse/OPS-1" || state != "To Do" {
				t.Fatalf("create: %q %q %q %v", key, url, state, err)
			}
			is := fake.Issue(key)
			if is.Title != "결제 재시도 2회로 제한" || is.Due != "2027-01-15" || !strings.Contains(is.Body, "incident INC-3") ||
				!strings.Contains(is.Body, "Retries piled up.") || !slices.Contains(is.Labels, "firebreak-item-7") {
				t.Fatalf("issue: %+v", is)
			}
			fake.File("Another item", "firebreak", "firebreak-item-8")
			for id, want := range map[int64]string{7: key, 8: "OPS-2", 9: ""} {
				if found, _, st, err := j.Find(ctx, id); err != nil || found != want || (want != "" && st != "To Do") {
					t.Fatalf("find item %d: %q %q %v, want %q", id, found, st, err, want)
				}
			}
			// Data Center: one 404 from the enhanced search, then only the classic one.
			if c.name == "data center" && fake.Searches(c.empty) != 1 {
				t.Errorf("enhanced search asked %d times on Data Center, want once", fake.Searches(c.empty))
			}
			if c.name == "cloud" && fake.Searches(c.empty) != 0 {
				t.Errorf("the removed classic search was asked %d times on Cloud", fake.Searches(c.empty))
			}
			if fake.Searches(c.used) != 4 {
				t.Errorf("%s asked %d times, want 4", c.used, fake.Searches(c.used))
			}
			if st, err := j.SetStatus(ctx, key, review.ItemDone); err != nil || st != "Done" || fake.Issue(key).Category != "done" {
				t.Fatalf("done: %q %v", st, err)
			}
			if _, closed, err := j.State(ctx, key); err != nil || closed != review.ItemDone {
				t.Fatalf("state: %q %v", closed, err)
			}
			if _, err := j.SetStatus(ctx, key, review.ItemOpen); err != nil || fake.Issue(key).Category == "done" {
				t.Fatalf("reopen: %v %+v", err, fake.Issue(key))
			}
			wrong := tracker.NewJira(review.JiraConfig{BaseURL: fake.URL, Project: "OPS", IssueType: "Bug", Email: "a@example.com", APIToken: "x"})
			if _, _, _, err := wrong.Create(ctx, sampleItem(), "INC-3"); err == nil || !strings.Contains(err.Error(), "HTTP 401") {
				t.Fatalf("wrong credentials: %v", err)
			}
			if _, _, _, err := wrong.Find(ctx, 7); err == nil || !strings.Contains(err.Error(), "HTTP 401") {
				t.Fatalf("wrong credentials, find: %v", err)
			}
		})
	}
}

// TestGitHubClient: an issue with the item's labels, found by its label,
// closed as completed for a done item and as not planned for a dropped
// one, and reopened.
func TestGitHubClient(t *testing.T) {
	ctx := context.Background()
	fake := trackertest.StartGitHub(t, "acme/ops", "ghp_1")
	g := tracker.NewGitHub(review.GitHubConfig{APIURL: fake.URL, Repo: "acme/ops", Token: "ghp_1"})
	key, _, state, err := g.Create(ctx, sampleItem(), "INC-3")
	if err != nil || key != "1" || state != "open" || !slices.Contains(fake.Issue(key).Labels, "firebreak-item-7") {
		t.Fatalf("create: %q %q %v %+v", key, state, err, fake.Issue(key))
	}
	if found, _, _, err := g.Find(ctx, 7); err != nil || found != key {
		t.Fatalf("find: %q %v", found, err)
	}
	for _, c := range []struct {
		status               review.ItemStatus
		state, reason, shown string
	}{
		{review.ItemDone, "closed", "completed", "closed"},
		{review.ItemOpen, "open", "reopened", "open"},
		{review.ItemDropped, "closed", "not_planned", "closed (not planned)"},
		{review.ItemInProgress, "open", "reopened", "open"},
	} {
		st, err := g.SetStatus(ctx, key, c.status)
		if is := fake.Issue(key); err != nil || st != c.shown || is.Status != c.state || is.StateReason != c.reason {
			t.Errorf("%s: answer %q %v, issue %s/%s; want %q, %s/%s", c.status, st, err, is.Status, is.StateReason, c.shown, c.state, c.reason)
		}
	}
}

// TestJiraFakeSpeaksCloudSearch: the fake answers as Jira Cloud does, so
// the client test above means something: 410 Gone on the classic search,
// and the enhanced search pages by nextPageToken and refuses startAt.
func TestJiraFakeSpeaksCloudSearch(t *testing.T) {
	auth := trackertest.BasicAuth("bot@example.com", "tok")
	fake := trackertest.StartJira(t, "OPS", auth)
	for range 3 {
		fake.File("x", "firebreak-item-1")
	}
	get := func(path string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("GET", fake.URL+path, nil)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	jql := "jql=" + url.QueryEscape(`project = "OPS" AND labels = "firebreak-item-1"`)
	if code, _ := get("/rest/api/2/search?" + jql); code != http.StatusGone {
		t.Fatalf("classic search on Cloud: %d, want 410", code)
	}
	if code, _ := get("/rest/api/2/search/jql?startAt=1&" + jql); code != 400 {
		t.Fatalf("startAt on the enhanced search: %d, want 400", code)
	}
	var keys []string
	next := ""
	for page := 0; page < 5; page++ {
		q := "/rest/api/2/search/jql?maxResults=2&fields=status&" + jql
		if next != "" {
			q += "&nextPageToken=" + url.QueryEscape(next)
		}
		code, out := get(q)
		if code != 200 {
			t.Fatalf("page %d: %d", page, code)
		}
		for _, is := range out["issues"].([]any) {
			keys = append(keys, is.(map[string]any)["key"].(string))
		}
		next, _ = out["nextPageToken"].(string)
		if next == "" {
			if out["isLast"] != true {
				t.Fatalf("last page without isLast: %v", out)
			}
			break
		}
	}
	if strings.Join(keys, ",") != "OPS-1,OPS-2,OPS-3" {
		t.Fatalf("paged keys: %v", keys)
	}
}

// TestWebhookSignatures: the sha256= HMAC both trackers use.
func TestWebhookSignatures(t *testing.T) {
	body := []byte(`{"action":"closed"}`)
	sig := tracker.Sign("s3cret", body)
	if !tracker.ValidSignature("s3cret", body, sig) {
		t.Fatal("own signature refused")
	}
	for _, c := range []struct{ secret, header string }{{"other", sig}, {"s3cret", strings.TrimPrefix(sig, "sha256=")}, {"s3cret", "sha256=zz"}, {"", sig}} {
		if tracker.ValidSignature(c.secret, body, c.header) {
			t.Errorf("accepted %q with secret %q", c.header, c.secret)
		}
	}
	if tracker.ValidSignature("s3cret", []byte(`{"action":"reopened"}`), sig) {
		t.Error("accepted a changed body")
	}
}
