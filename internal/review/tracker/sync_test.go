package tracker_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/review/reviewtest"
	"github.com/firebreak-oss/firebreak/internal/review/tracker"
	"github.com/firebreak-oss/firebreak/internal/review/tracker/trackertest"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

type site struct{ *reviewtest.Site }

func startSite(t *testing.T, url string, cfg *review.Config) *site {
	return &site{reviewtest.Start(t, url, server.Options{Review: cfg})}
}

func (s *site) call(t *testing.T, method, path string, body any, want int) map[string]any {
	t.Helper()
	return s.Call(t, "alice", method, path, body, want)
}

// item reads an action item through the API.
func (s *site) item(t *testing.T, id string) (status string, link map[string]any) {
	t.Helper()
	it := s.call(t, "GET", "/api/v1/action-items/"+id, nil, 200)["action_item"].(map[string]any)
	return it["status"].(string), it["tracker"].(map[string]any)
}

var waitFor = testutil.WaitFor

// pushed waits until the item's pushes are recorded as done: the tracker
// has the change before the push's job writes so, and until then the item
// keeps its own status over the tracker's (as it should).
func (s *site) pushed(t *testing.T, id string) {
	t.Helper()
	waitFor(t, "the push recorded", func() bool { _, link := s.item(t, id); return link["pending"] == 0.0 })
}

func (s *site) declareAndAdd(t *testing.T, title string) string {
	t.Helper()
	inc := s.call(t, "POST", "/api/v1/incidents", map[string]any{"title": "Checkout timeouts", "grade": "SEV2", "services": []string{"checkout-api"}}, 201)
	added := s.call(t, "POST", "/api/v1/incidents/"+inc["id"].(string)+"/action-items", map[string]any{
		"title": title, "category": "prevent", "term": "long", "owner": "alice", "due_at": "2027-01-15"}, 201)
	return reviewtest.ID(added["action_item"].(map[string]any)["id"])
}

func (s *site) webhook(t *testing.T, path, header, secret string, body []byte, extra map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", s.Base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(header, tracker.Sign(secret, body))
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestJiraSync: an item is filed in Jira (REST API v2, Basic auth). With
// wrong credentials the sync reports the error on the item and keeps
// retrying; once Jira accepts them the issue is filed, nothing lost.
// Status then follows both ways: Firebreak → Jira by job, Jira → Firebreak
// by signed webhook and by poll.
func TestJiraSync(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		jira := trackertest.StartJira(t, "OPS", trackertest.BasicAuth("bot@example.com", "rotated-token"))
		cfg := review.DefaultConfig()
		cfg.DefaultTracker = review.Jira
		cfg.Jira = review.JiraConfig{BaseURL: jira.URL, Project: "OPS", IssueType: "Task", Email: "bot@example.com",
			APIToken: "old-token", WebhookSecret: "jira-secret"}
		s := startSite(t, url, cfg)
		id := s.declareAndAdd(t, "Cap checkout retries at 2")

		waitFor(t, "the sync error on the item", func() bool {
			_, link := s.item(t, id)
			return strings.Contains(link["error"].(string), "HTTP 401")
		})
		if jira.Count() != 0 {
			t.Fatal("an issue was filed with wrong credentials")
		}
		refused := jira.Refused()
		waitFor(t, "a retry", func() bool { return jira.Refused() > refused })

		// An earlier try filed the issue but its key was never stored: the
		// next try finds it by the item's label instead of filing another.
		jira.File("Cap checkout retries at 2", "firebreak", review.ItemLabel(1))
		jira.Accept(trackertest.BasicAuth("bot@example.com", "old-token")) // Jira takes the configured token after all
		waitFor(t, "the issue key", func() bool { _, link := s.item(t, id); return link["key"] == "OPS-1" })
		_, link := s.item(t, id)
		is := jira.Issue("OPS-1")
		if link["url"] != jira.URL+"/browse/OPS-1" || link["error"] != "" || is.Title != "Cap checkout retries at 2" || jira.Count() != 1 {
			t.Fatalf("link %v, issue %+v, %d issues", link, is, jira.Count())
		}

		s.call(t, "PATCH", "/api/v1/action-items/"+id, map[string]any{"status": "done"}, 200)
		waitFor(t, "the Jira issue done", func() bool { return jira.Issue("OPS-1").Category == "done" })
		s.pushed(t, id)

		// Reopened in Jira: the webhook brings it back; a bad signature changes nothing.
		jira.SetStatus("OPS-1", "To Do", "new")
		body := []byte(`{"webhookEvent":"jira:issue_updated","issue":{"key":"OPS-1","fields":{"status":{"name":"To Do","statusCategory":{"key":"new"}}}}}`)
		if code := s.webhook(t, "/hooks/tracker/jira", "X-Hub-Signature", "wrong", body, nil); code != 401 {
			t.Fatalf("bad signature: %d", code)
		}
		if st, _ := s.item(t, id); st != "done" {
			t.Fatalf("unsigned webhook changed the item: %s", st)
		}
		if code := s.webhook(t, "/hooks/tracker/jira", "X-Hub-Signature", "jira-secret", body, nil); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
		if st, link := s.item(t, id); st != "open" || link["state"] != "To Do" {
			t.Fatalf("after webhook: %s %v", st, link)
		}

		// Done in Jira with no webhook: the poll finds it.
		jira.SetStatus("OPS-1", "Done", "done")
		if n, err := s.Srv.Syncer.Poll(context.Background()); err != nil || n != 1 {
			t.Fatalf("poll: %d %v", n, err)
		}
		if st, _ := s.item(t, id); st != "done" {
			t.Fatalf("after poll: %s", st)
		}
	})
}

// TestGitHubSync: the same over GitHub's REST API with a bearer token and
// X-Hub-Signature-256 webhooks.
func TestGitHubSync(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		gh := trackertest.StartGitHub(t, "acme/ops", "ghp_new")
		cfg := review.DefaultConfig()
		cfg.DefaultTracker = review.GitHub
		cfg.GitHub = review.GitHubConfig{APIURL: gh.URL, Repo: "acme/ops", Token: "ghp_old", WebhookSecret: "gh-secret"}
		s := startSite(t, url, cfg)
		id := s.declareAndAdd(t, "Alert on ledger queue depth")

		waitFor(t, "the sync error", func() bool {
			_, link := s.item(t, id)
			return strings.Contains(link["error"].(string), "Bad credentials")
		})
		gh.Accept("ghp_old")
		waitFor(t, "the issue", func() bool { _, link := s.item(t, id); return link["key"] == "1" })
		if is := gh.Issue("1"); is.Title != "Alert on ledger queue depth" || is.Status != "open" || gh.Count() != 1 {
			t.Fatalf("issue: %+v", is)
		}

		s.call(t, "PATCH", "/api/v1/action-items/"+id, map[string]any{"status": "dropped"}, 200)
		waitFor(t, "the issue closed", func() bool { return gh.Issue("1").Status == "closed" })
		s.pushed(t, id)
		if r := gh.Issue("1").StateReason; r != "not_planned" {
			t.Errorf("a dropped item's issue closed as %q, want not_planned", r)
		}

		gh.SetState("1", "open", "reopened")
		body := []byte(`{"action":"reopened","issue":{"number":1,"state":"open","html_url":"x"},"repository":{"full_name":"acme/ops"}}`)
		events := map[string]string{"X-GitHub-Event": "issues"}
		if code := s.webhook(t, "/hooks/tracker/github", "X-Hub-Signature-256", "not-it", body, events); code != 401 {
			t.Fatalf("bad signature: %d", code)
		}
		if code := s.webhook(t, "/hooks/tracker/github", "X-Hub-Signature-256", "gh-secret", body, events); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
		if st, _ := s.item(t, id); st != "open" {
			t.Fatalf("after reopen webhook: %s", st)
		}
		gh.SetState("1", "closed", "completed")
		if _, err := s.Srv.Syncer.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		if st, _ := s.item(t, id); st != "done" {
			t.Fatalf("after poll: %s", st)
		}

		// Reopened, then closed as not planned on GitHub: the item is
		// dropped, not done, and its link says why.
		reopen := []byte(`{"action":"reopened","issue":{"number":1,"state":"open","state_reason":"reopened","html_url":"x"},"repository":{"full_name":"acme/ops"}}`)
		if code := s.webhook(t, "/hooks/tracker/github", "X-Hub-Signature-256", "gh-secret", reopen, events); code != 200 {
			t.Fatalf("reopen webhook: %d", code)
		}
		notPlanned := []byte(`{"action":"closed","issue":{"number":1,"state":"closed","state_reason":"not_planned","html_url":"x"},"repository":{"full_name":"acme/ops"}}`)
		if code := s.webhook(t, "/hooks/tracker/github", "X-Hub-Signature-256", "gh-secret", notPlanned, events); code != 200 {
			t.Fatalf("not planned webhook: %d", code)
		}
		if st, link := s.item(t, id); st != "dropped" || link["state"] != "closed (not planned)" {
			t.Fatalf("after closing as not planned: %s %v", st, link["state"])
		}
		// The same through a poll: reopened (webhook), closed as a
		// duplicate with no webhook, found by the poll.
		if code := s.webhook(t, "/hooks/tracker/github", "X-Hub-Signature-256", "gh-secret", reopen, events); code != 200 {
			t.Fatalf("reopen webhook: %d", code)
		}
		gh.SetState("1", "closed", "duplicate")
		if n, err := s.Srv.Syncer.Poll(context.Background()); err != nil || n != 1 {
			t.Fatalf("poll: %d %v", n, err)
		}
		if st, _ := s.item(t, id); st != "dropped" {
			t.Fatalf("after poll of a duplicate: %s", st)
		}
	})
}

// TestPollKeepsLocalChange: an item set done in Firebreak whose push has
// not reached the tracker yet (Jira is read-only for maintenance) stays
// done through a poll and a webhook that still report the issue open; once
// Jira takes writes again the push closes the issue, and from then on the
// tracker's changes count again.
func TestPollKeepsLocalChange(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		jira := trackertest.StartJira(t, "OPS", trackertest.BasicAuth("bot@example.com", "tok"))
		cfg := review.DefaultConfig()
		cfg.DefaultTracker = review.Jira
		cfg.Jira = review.JiraConfig{BaseURL: jira.URL, Project: "OPS", IssueType: "Task", Email: "bot@example.com",
			APIToken: "tok", WebhookSecret: "jira-secret"}
		s := startSite(t, url, cfg)
		id := s.declareAndAdd(t, "Cap checkout retries at 2")
		waitFor(t, "the issue key", func() bool { _, link := s.item(t, id); return link["key"] == "OPS-1" })

		jira.ReadOnly(true)
		s.call(t, "PATCH", "/api/v1/action-items/"+id, map[string]any{"status": "done"}, 200)
		waitFor(t, "the failed push", func() bool {
			_, link := s.item(t, id)
			return strings.Contains(link["error"].(string), "HTTP 503")
		})
		if n, err := s.Srv.Syncer.Poll(context.Background()); err != nil || n != 0 {
			t.Fatalf("poll: %d changed, %v", n, err)
		}
		if st, link := s.item(t, id); st != "done" || link["pending"] != float64(1) {
			t.Fatalf("after poll: %s, link %v", st, link)
		}
		body := []byte(`{"webhookEvent":"jira:issue_updated","issue":{"key":"OPS-1","fields":{"status":{"name":"To Do","statusCategory":{"key":"new"}}}}}`)
		if code := s.webhook(t, "/hooks/tracker/jira", "X-Hub-Signature", "jira-secret", body, nil); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
		if st, _ := s.item(t, id); st != "done" {
			t.Fatalf("a stale webhook reopened the item: %s", st)
		}

		jira.ReadOnly(false)
		waitFor(t, "the push", func() bool { _, link := s.item(t, id); return link["pending"] == float64(0) })
		if is := jira.Issue("OPS-1"); is.Category != "done" {
			t.Fatalf("issue after the push: %+v", is)
		}
		if st, link := s.item(t, id); st != "done" || link["error"] != "" || link["state"] != "Done" {
			t.Fatalf("after the push: %s %v", st, link)
		}

		// Nothing pending now: a reopening in Jira is taken over again.
		jira.SetStatus("OPS-1", "To Do", "new")
		if n, err := s.Srv.Syncer.Poll(context.Background()); err != nil || n != 1 {
			t.Fatalf("poll after the push: %d %v", n, err)
		}
		if st, _ := s.item(t, id); st != "open" {
			t.Fatalf("after reopening in Jira: %s", st)
		}
	})
}
