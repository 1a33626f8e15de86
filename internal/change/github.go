package change

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// The GitHub webhook events the registry reads (X-GitHub-Event). How each
// becomes a change:
//
//   - pull_request, closed with merged true: a change of kind code, with the
//     PR's labels deciding its verdict. It is not yet running anywhere: the
//     deploy that carries it inherits its verdict.
//   - deployment (created): a deploy of the deployment's ref, once per
//     deployment id.
//   - deployment_status with state success: the same deploy, for senders
//     that only send statuses; a deployment already recorded is not
//     recorded twice (failed and pending statuses are ignored).
//   - release, published: a deploy of the release's tag.
//
// A deploy inherits the verdict of the merged PRs of its repository since
// the previous deploy, and of the PR whose merge commit it deploys.
const (
	GitHubPullRequest      = "pull_request"
	GitHubDeployment       = "deployment"
	GitHubDeploymentStatus = "deployment_status"
	GitHubRelease          = "release"
)

type ghUser struct {
	Login string `json:"login"`
}

type ghRepo struct {
	FullName      string `json:"full_name"`
	HTMLURL       string `json:"html_url"`
	DefaultBranch string `json:"default_branch"`
}

type ghDeployment struct {
	ID          int64           `json:"id"`
	SHA         string          `json:"sha"`
	Ref         string          `json:"ref"`
	Environment string          `json:"environment"`
	Description *string         `json:"description"`
	Creator     ghUser          `json:"creator"`
	CreatedAt   time.Time       `json:"created_at"`
	Payload     json.RawMessage `json:"payload"`
}

type ghEvent struct {
	Action      string `json:"action"`
	PullRequest *struct {
		Number         int        `json:"number"`
		HTMLURL        string     `json:"html_url"`
		Title          string     `json:"title"`
		User           ghUser     `json:"user"`
		Merged         bool       `json:"merged"`
		MergedAt       *time.Time `json:"merged_at"`
		MergeCommitSHA string     `json:"merge_commit_sha"`
		Labels         []struct {
			Name string `json:"name"`
		} `json:"labels"`
		Base struct {
			Ref string `json:"ref"`
		} `json:"base"`
	} `json:"pull_request"`
	Deployment       *ghDeployment `json:"deployment"`
	DeploymentStatus *struct {
		State     string    `json:"state"`
		TargetURL string    `json:"target_url"`
		LogURL    string    `json:"log_url"`
		CreatedAt time.Time `json:"created_at"`
	} `json:"deployment_status"`
	Release *struct {
		ID          int64      `json:"id"`
		TagName     string     `json:"tag_name"`
		Name        string     `json:"name"`
		HTMLURL     string     `json:"html_url"`
		Target      string     `json:"target_commitish"`
		PublishedAt *time.Time `json:"published_at"`
		Author      ghUser     `json:"author"`
	} `json:"release"`
	Repository ghRepo `json:"repository"`
	Sender     ghUser `json:"sender"`
}

// ParseGitHub turns a GitHub webhook delivery of the named event into a
// change. It returns nil and a short reason for an event that records
// nothing (a PR closed unmerged, a failed deployment status).
func ParseGitHub(event string, body []byte) (*Change, string, error) {
	var ev ghEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, "", fail.Field("body", "is not a GitHub webhook payload: %v", err)
	}
	if ev.Repository.FullName == "" {
		return nil, "", fail.Field("repository.full_name", "missing")
	}
	repo := ev.Repository.FullName
	switch event {
	case GitHubPullRequest:
		pr := ev.PullRequest
		if pr == nil {
			return nil, "", fail.Field("pull_request", "missing")
		}
		if ev.Action != "closed" || !pr.Merged {
			return nil, "pull request not merged", nil
		}
		if def := ev.Repository.DefaultBranch; def != "" && pr.Base.Ref != def {
			// Merged into a feature or release branch: not on its way to a deploy yet.
			return nil, "merged into " + pr.Base.Ref + ", not " + def, nil
		}
		c := &Change{Kind: KindCode, Source: SourceGitHub, Repository: repo, Title: pr.Title, Author: pr.User.Login,
			Commit: pr.MergeCommitSHA, ExternalID: fmt.Sprintf("pr:%s#%d", strings.ToLower(repo), pr.Number),
			Links: []Link{{Title: "PR #" + strconv.Itoa(pr.Number), URL: pr.HTMLURL}}}
		if pr.MergedAt != nil {
			c.At = *pr.MergedAt
		}
		for _, l := range pr.Labels {
			c.Labels = append(c.Labels, l.Name)
		}
		return c, "", nil
	case GitHubDeployment, GitHubDeploymentStatus:
		d := ev.Deployment
		if d == nil {
			return nil, "", fail.Field("deployment", "missing")
		}
		c := deployment(repo, d)
		if event == GitHubDeploymentStatus {
			st := ev.DeploymentStatus
			if st == nil {
				return nil, "", fail.Field("deployment_status", "missing")
			}
			if st.State != "success" {
				return nil, "deployment status " + st.State, nil
			}
			c.At = st.CreatedAt
			if link := cmpOr(st.LogURL, st.TargetURL); link != "" {
				c.Links = append(c.Links, Link{Title: "deployment", URL: link})
			}
		} else if ev.Action != "created" {
			return nil, "deployment " + ev.Action, nil
		}
		return c, "", nil
	case GitHubRelease:
		r := ev.Release
		if r == nil {
			return nil, "", fail.Field("release", "missing")
		}
		if ev.Action != "published" {
			return nil, "release " + ev.Action, nil
		}
		c := &Change{Kind: KindDeploy, Source: SourceGitHub, Repository: repo, Version: r.TagName,
			Title: cmpOr(r.Name, "Release "+r.TagName), Author: r.Author.Login,
			ExternalID: fmt.Sprintf("release:%s:%d", strings.ToLower(repo), r.ID)}
		if r.PublishedAt != nil {
			c.At = *r.PublishedAt
		}
		if r.HTMLURL != "" {
			c.Links = []Link{{Title: "release " + r.TagName, URL: r.HTMLURL}}
		}
		return c, "", nil
	}
	return nil, "event " + event, nil
}

// deployment is a GitHub deployment as a deploy. Its payload may name the
// services of a monorepo: {"services": ["checkout"]} or {"service": "…"},
// and the paths it touched: {"paths": ["services/checkout/"]}.
func deployment(repo string, d *ghDeployment) *Change {
	c := &Change{Kind: KindDeploy, Source: SourceGitHub, Repository: repo, Environment: d.Environment, Commit: d.SHA,
		Version: d.Ref, Author: d.Creator.Login, At: d.CreatedAt,
		ExternalID: fmt.Sprintf("deployment:%s:%d", strings.ToLower(repo), d.ID)}
	if c.Version == "" || c.Version == d.SHA {
		c.Version = shortSHA(d.SHA)
	}
	c.Title = "Deploy " + c.Version
	if d.Environment != "" {
		c.Title += " to " + d.Environment
	}
	if d.Description != nil && *d.Description != "" {
		c.Title += ": " + *d.Description
	}
	var p struct {
		Service  string   `json:"service"`
		Services []string `json:"services"`
		Paths    []string `json:"paths"`
	}
	if len(d.Payload) > 0 && d.Payload[0] == '{' && json.Unmarshal(d.Payload, &p) == nil {
		c.Services = p.Services
		if p.Service != "" {
			c.Services = append(c.Services, p.Service)
		}
		c.Paths = p.Paths
	}
	return c
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// WebhookChange is the JSON body of the generic change webhook, POST
// /hooks/changes, and of POST /api/v1/changes: what Argo CD notifications,
// Jenkins, Spinnaker or a deploy script send.
type WebhookChange struct {
	// ID identifies the change at the sender; the same id is stored once,
	// so a retry is safe. Optional: without it every call is a change.
	ID          string   `json:"id,omitempty"`
	Kind        Kind     `json:"kind"`
	Services    []string `json:"services,omitempty"`
	Repository  string   `json:"repository,omitempty"`
	Paths       []string `json:"paths,omitempty"`
	Environment string   `json:"environment,omitempty"`
	Version     string   `json:"version,omitempty"`
	Commit      string   `json:"commit,omitempty"`
	Title       string   `json:"title,omitempty"`
	Author      string   `json:"author,omitempty"`
	// At is when the change landed (RFC 3339); empty: now.
	At     string   `json:"at,omitempty"`
	Links  []Link   `json:"links,omitempty"`
	Labels []string `json:"labels,omitempty"`
	// NotRollbackable, when set, is why the change cannot be rolled back.
	NotRollbackable string `json:"not_rollbackable,omitempty"`
}

// Change turns the body into a change from source, naming the field at
// fault when it is malformed.
func (w WebhookChange) Change(source string) (*Change, error) {
	c := &Change{Kind: w.Kind, Source: source, ExternalID: w.ID, Services: w.Services, Repository: w.Repository,
		Paths: w.Paths, Environment: w.Environment, Version: w.Version, Commit: w.Commit, Title: w.Title,
		Author: w.Author, Links: w.Links, Labels: w.Labels, Verdict: Safe}
	if !c.Kind.Valid() {
		return nil, fail.Field("kind", "must be one of deploy, config, migration, infrastructure, flag, code; got %q", c.Kind)
	}
	if w.At != "" {
		at, err := time.Parse(time.RFC3339, w.At)
		if err != nil {
			return nil, fail.Field("at", "must be an RFC 3339 time such as 2026-12-05T09:30:00Z; got %q", w.At)
		}
		c.At = at
	}
	if r := strings.TrimSpace(w.NotRollbackable); r != "" {
		c.Verdict = Verdict{Reason: r}
	}
	if strings.TrimSpace(c.Title+c.Version+c.Commit) == "" {
		return nil, fail.Field("title", "give a title, a version or a commit")
	}
	if c.Title == "" {
		c.Title = strings.TrimSpace(string(c.Kind) + " " + cmpOr(c.Version, shortSHA(c.Commit)))
	}
	return c, nil
}
