package tracker

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/review"
)

// GitHub files issues through GitHub's REST API with a bearer token.
type GitHub struct {
	client
	repoURL string
	cfg     review.GitHubConfig
}

// NewGitHub returns a client for the configured repository.
func NewGitHub(cfg review.GitHubConfig) *GitHub {
	return &GitHub{
		client: newClient("Bearer "+cfg.Token, map[string]string{
			"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
		}),
		repoURL: strings.TrimRight(cfg.APIURL, "/") + "/repos/" + cfg.Repo,
		cfg:     cfg,
	}
}

type ghIssue struct {
	Number  int    `json:"number"`
	HTMLURL string `json:"html_url"`
	State   string `json:"state"` // open, closed
	// StateReason says why it was closed: completed, not_planned or
	// duplicate (null while open, reopened after a reopen).
	StateReason string `json:"state_reason"`
}

// closedAs is the item status a closed issue stands for: not planned and
// duplicate mean the item's work will not be done under this issue.
func (is ghIssue) closedAs() review.ItemStatus {
	switch {
	case is.State != "closed":
		return ""
	case is.StateReason == "not_planned" || is.StateReason == "duplicate":
		return review.ItemDropped
	default:
		return review.ItemDone
	}
}

// shownState is the issue's state as Firebreak shows it next to the link.
func (is ghIssue) shownState() string {
	if c := is.closedAs(); c == review.ItemDropped {
		return is.State + " (" + strings.ReplaceAll(is.StateReason, "_", " ") + ")"
	}
	return is.State
}

// Create opens an issue for the item; its key is the issue number.
func (g *GitHub) Create(ctx context.Context, it *review.ActionItem, incidentRef string) (string, string, string, error) {
	in := map[string]any{
		"title":  it.Title,
		"body":   issueText(it.Title, it.Description, string(it.Category), string(it.Term), it.Owner, dueText(it), incidentRef),
		"labels": []string{"firebreak", "firebreak-" + string(it.Category), review.ItemLabel(it.ID)},
	}
	var out ghIssue
	if err := g.do(ctx, "POST", g.repoURL+"/issues", in, &out); err != nil {
		return "", "", "", err
	}
	if out.Number == 0 {
		return "", "", "", fmt.Errorf("github created an issue but named no number")
	}
	return strconv.Itoa(out.Number), out.HTMLURL, out.shownState(), nil
}

// Find lists the repository's issues labelled with the item, open or
// closed.
func (g *GitHub) Find(ctx context.Context, itemID int64) (string, string, string, error) {
	var out []ghIssue
	q := url.Values{"labels": {review.ItemLabel(itemID)}, "state": {"all"}, "per_page": {"1"}}
	if err := g.do(ctx, "GET", g.repoURL+"/issues?"+q.Encode(), nil, &out); err != nil {
		return "", "", "", err
	}
	if len(out) == 0 {
		return "", "", "", nil
	}
	return strconv.Itoa(out[0].Number), out[0].HTMLURL, out[0].shownState(), nil
}

// State reads whether the issue is open or closed, and closed how.
func (g *GitHub) State(ctx context.Context, key string) (string, review.ItemStatus, error) {
	var out ghIssue
	if err := g.do(ctx, "GET", g.repoURL+"/issues/"+key, nil, &out); err != nil {
		return "", "", err
	}
	return out.shownState(), out.closedAs(), nil
}

// SetStatus closes the issue as completed (done) or not planned (dropped),
// or reopens it.
func (g *GitHub) SetStatus(ctx context.Context, key string, status review.ItemStatus) (string, error) {
	in := map[string]string{"state": "open"}
	switch status {
	case review.ItemDone:
		in = map[string]string{"state": "closed", "state_reason": "completed"}
	case review.ItemDropped:
		in = map[string]string{"state": "closed", "state_reason": "not_planned"}
	}
	var out ghIssue
	if err := g.do(ctx, "PATCH", g.repoURL+"/issues/"+key, in, &out); err != nil {
		return "", err
	}
	return out.shownState(), nil
}

// GitHubEvent is what Firebreak reads from an issues webhook.
type GitHubEvent struct {
	Repo   string
	Key    string
	State  string
	Closed review.ItemStatus // "" while open
}

// ParseGitHubWebhook reads an "issues" event body.
func ParseGitHubWebhook(body []byte) (GitHubEvent, error) {
	var in struct {
		Action string  `json:"action"`
		Issue  ghIssue `json:"issue"`
		Repo   struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	if err := jsonUnmarshal(body, &in); err != nil {
		return GitHubEvent{}, err
	}
	if in.Issue.Number == 0 {
		return GitHubEvent{}, fmt.Errorf("issue.number: missing")
	}
	return GitHubEvent{Repo: in.Repo.FullName, Key: strconv.Itoa(in.Issue.Number), State: in.Issue.shownState(), Closed: in.Issue.closedAs()}, nil
}

func jsonUnmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	return nil
}
