package tracker

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/firebreak-oss/firebreak/internal/review"
)

// Jira files issues through Jira's REST API version 2, whose descriptions are
// plain text (version 3 wants Atlassian Document Format, which buys nothing
// here). It authenticates with Basic auth (e-mail and API token, Jira Cloud)
// or a bearer personal access token (Jira Data Center).
type Jira struct {
	client
	base string
	cfg  review.JiraConfig
	// classicSearch is set once the site answered 404 for the enhanced
	// search: Jira Data Center and Server have only GET /search.
	classicSearch atomic.Bool
}

// NewJira returns a Jira client for the configured site.
func NewJira(cfg review.JiraConfig) *Jira {
	auth := "Bearer " + cfg.Token
	if cfg.Token == "" {
		auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.Email+":"+cfg.APIToken))
	}
	return &Jira{client: newClient(auth, nil), base: strings.TrimRight(cfg.BaseURL, "/") + "/rest/api/2", cfg: cfg}
}

type jiraStatus struct {
	Name     string `json:"name"`
	Category struct {
		Key string `json:"key"` // new, indeterminate, done
	} `json:"statusCategory"`
}

// closedAs is ItemDone for a status of the done category, else "".
func (s jiraStatus) closedAs() review.ItemStatus {
	if s.Category.Key == "done" {
		return review.ItemDone
	}
	return ""
}

// Create files the item as an issue of the configured project and type.
func (j *Jira) Create(ctx context.Context, it *review.ActionItem, incidentRef string) (string, string, string, error) {
	fields := map[string]any{
		"project":     map[string]string{"key": j.cfg.Project},
		"issuetype":   map[string]string{"name": j.cfg.IssueType},
		"summary":     it.Title,
		"description": issueText(it.Title, it.Description, string(it.Category), string(it.Term), it.Owner, dueText(it), incidentRef),
		"labels":      []string{"firebreak", "firebreak-" + string(it.Category), strings.ToLower(incidentRef), review.ItemLabel(it.ID)},
	}
	if it.DueAt != nil {
		fields["duedate"] = it.DueAt.Format("2006-01-02")
	}
	var out struct {
		Key string `json:"key"`
	}
	if err := j.do(ctx, "POST", j.base+"/issue", map[string]any{"fields": fields}, &out); err != nil {
		return "", "", "", err
	}
	if out.Key == "" {
		return "", "", "", fmt.Errorf("jira created an issue but named no key")
	}
	state, _, err := j.State(ctx, out.Key)
	if err != nil {
		state = "" // the issue exists; its state comes with the next poll
	}
	return out.Key, strings.TrimRight(j.cfg.BaseURL, "/") + "/browse/" + out.Key, state, nil
}

func dueText(it *review.ActionItem) string {
	if it.DueAt == nil {
		return "-"
	}
	return it.DueAt.Format("2006-01-02")
}

// jiraFound is one page of a search, as both Jira searches answer it.
type jiraFound struct {
	Issues []struct {
		Key    string `json:"key"`
		Fields struct {
			Status jiraStatus `json:"status"`
		} `json:"fields"`
	} `json:"issues"`
}

// Find searches (JQL) for the issue labelled with the item. It asks Jira
// Cloud's enhanced search (GET /search/jql), as Cloud answers 410 Gone on
// the classic GET /search; a site that answers 404 there is Jira Data
// Center or Server, which has only the classic search, and is asked that
// from then on. One result is enough, so neither search needs paging.
func (j *Jira) Find(ctx context.Context, itemID int64) (string, string, string, error) {
	q := url.Values{"jql": {fmt.Sprintf("project = %q AND labels = %q", j.cfg.Project, review.ItemLabel(itemID))},
		"fields": {"status"}, "maxResults": {"1"}}
	var out jiraFound
	classic := j.classicSearch.Load()
	if !classic {
		err := j.do(ctx, "GET", j.base+"/search/jql?"+q.Encode(), nil, &out)
		var se *StatusError
		switch {
		case errors.As(err, &se) && se.Status == http.StatusNotFound:
			j.classicSearch.Store(true)
			classic = true
		case err != nil:
			return "", "", "", err
		}
	}
	if classic {
		if err := j.do(ctx, "GET", j.base+"/search?"+q.Encode(), nil, &out); err != nil {
			return "", "", "", err
		}
	}
	if len(out.Issues) == 0 {
		return "", "", "", nil
	}
	is := out.Issues[0]
	return is.Key, strings.TrimRight(j.cfg.BaseURL, "/") + "/browse/" + is.Key, is.Fields.Status.Name, nil
}

// State reads the issue's status; the done category counts as done (Jira
// has no dropped: a won't-do resolution is still in the done category).
func (j *Jira) State(ctx context.Context, key string) (string, review.ItemStatus, error) {
	var out struct {
		Fields struct {
			Status jiraStatus `json:"status"`
		} `json:"fields"`
	}
	if err := j.do(ctx, "GET", j.base+"/issue/"+url.PathEscape(key)+"?fields=status", nil, &out); err != nil {
		return "", "", err
	}
	return out.Fields.Status.Name, out.Fields.Status.closedAs(), nil
}

// SetStatus moves the issue with the first transition leading to a status
// of the wanted category (done for a done or dropped item, new or in
// progress to reopen).
func (j *Jira) SetStatus(ctx context.Context, key string, status review.ItemStatus) (string, error) {
	done := status.Closed()
	state, closed, err := j.State(ctx, key)
	if err != nil {
		return "", err
	}
	if (closed != "") == done {
		return state, nil
	}
	var list struct {
		Transitions []struct {
			ID string     `json:"id"`
			To jiraStatus `json:"to"`
		} `json:"transitions"`
	}
	path := j.base + "/issue/" + url.PathEscape(key) + "/transitions"
	if err := j.do(ctx, "GET", path, nil, &list); err != nil {
		return "", err
	}
	for _, t := range list.Transitions {
		if (t.To.Category.Key == "done") == done {
			if err := j.do(ctx, "POST", path, map[string]any{"transition": map[string]string{"id": t.ID}}, nil); err != nil {
				return "", err
			}
			return t.To.Name, nil
		}
	}
	return "", fmt.Errorf("jira issue %s offers no transition to a %s status", key, map[bool]string{true: "done", false: "open"}[done])
}

// JiraEvent is what Firebreak reads from a Jira issue webhook.
type JiraEvent struct {
	Key    string
	State  string
	Closed review.ItemStatus // "" while open
}

// ParseJiraWebhook reads a jira:issue_updated (or created) webhook body.
func ParseJiraWebhook(body []byte) (JiraEvent, error) {
	var in struct {
		WebhookEvent string `json:"webhookEvent"`
		Issue        struct {
			Key    string `json:"key"`
			Fields struct {
				Status jiraStatus `json:"status"`
			} `json:"fields"`
		} `json:"issue"`
	}
	if err := jsonUnmarshal(body, &in); err != nil {
		return JiraEvent{}, err
	}
	if in.Issue.Key == "" {
		return JiraEvent{}, fmt.Errorf("issue.key: missing")
	}
	return JiraEvent{Key: in.Issue.Key, State: in.Issue.Fields.Status.Name, Closed: in.Issue.Fields.Status.closedAs()}, nil
}
