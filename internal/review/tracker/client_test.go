package tracker_test

import (
	"context"
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

// TestJiraClient: issue fields, a personal access token as Bearer, finding
// an item's issue by its label, and transitions both ways.
func TestJiraClient(t *testing.T) {
	ctx := context.Background()
	fake := trackertest.StartJira(t, "OPS", "Bearer pat-123")
	j := tracker.NewJira(review.JiraConfig{BaseURL: fake.URL, Project: "OPS", IssueType: "Bug", Token: "pat-123"})
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
	if found, _, _, err := j.Find(ctx, 7); err != nil || found != key {
		t.Fatalf("find: %q %v", found, err)
	}
	if st, err := j.SetDone(ctx, key, true); err != nil || st != "Done" || fake.Issue(key).Category != "done" {
		t.Fatalf("done: %q %v", st, err)
	}
	if _, done, err := j.State(ctx, key); err != nil || !done {
		t.Fatalf("state: %v %v", done, err)
	}
	if _, err := j.SetDone(ctx, key, false); err != nil || fake.Issue(key).Category == "done" {
		t.Fatalf("reopen: %v %+v", err, fake.Issue(key))
	}
	wrong := tracker.NewJira(review.JiraConfig{BaseURL: fake.URL, Project: "OPS", IssueType: "Bug", Email: "a@example.com", APIToken: "x"})
	if _, _, _, err := wrong.Create(ctx, sampleItem(), "INC-3"); err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Fatalf("wrong credentials: %v", err)
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
