// Package change keeps the registry of changes to services — deploys,
// config changes, migrations, infrastructure work, feature flags and merged
// pull requests — and states whether each can be rolled back, so that during
// an incident whether a rollback is safe is known in seconds. It knows no
// HTTP and no SQL.
package change

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// Kind is what sort of change a Change is.
type Kind string

// The kinds. KindCode is a merged pull request: it reaches users only with the
// deploy that carries it, and that deploy inherits its verdict.
const (
	KindDeploy         Kind = "deploy"
	KindConfig         Kind = "config"
	KindMigration      Kind = "migration"
	KindInfrastructure Kind = "infrastructure"
	KindFlag           Kind = "flag"
	KindCode           Kind = "code"
)

// Kinds lists every kind.
var Kinds = []Kind{KindDeploy, KindConfig, KindMigration, KindInfrastructure, KindFlag, KindCode}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// The sources a change can come from.
const (
	SourceGitHub  = "github"
	SourceWebhook = "webhook"
	SourceAPI     = "api" // the JSON API and the CLI over it
	SourceDemo    = "demo"
)

// Link is a titled link of a change: its pull request, its pipeline run.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Verdict says whether a change can be rolled back and, when not, why and
// what decided it: the pull request and its label, or the change's kind.
type Verdict struct {
	Rollbackable bool   `json:"rollbackable"`
	Reason       string `json:"reason,omitempty"`
	// PR is the link of the pull request that decided the verdict; Label
	// the label on it. Both are empty when the kind or a person decided.
	PR    string `json:"pr,omitempty"`
	Label string `json:"label,omitempty"`
}

// Safe is the verdict of a change nothing speaks against.
var Safe = Verdict{Rollbackable: true}

// Change is one recorded change to one or more services. A change whose
// repository or service the catalog does not know has no services: it is
// kept, unmapped, for an admin to map.
type Change struct {
	ID         int64    `json:"id"`
	Kind       Kind     `json:"kind"`
	Services   []string `json:"services"`
	Repository string   `json:"repository,omitempty"`
	// Environment is where a deploy went (production, staging), if known.
	Environment string    `json:"environment,omitempty"`
	Version     string    `json:"version,omitempty"`
	Commit      string    `json:"commit,omitempty"`
	Title       string    `json:"title"`
	Author      string    `json:"author,omitempty"`
	At          time.Time `json:"at"`
	Links       []Link    `json:"links"`
	Verdict     Verdict   `json:"verdict"`
	// Labels are the pull request's labels, kept so a later deploy can
	// name the one that blocks it.
	Labels []string `json:"labels,omitempty"`
	Source string   `json:"source"`
	// ExternalID identifies the change at its source (a GitHub delivery's
	// PR number, a deployment id); the same source and id are stored once.
	ExternalID string `json:"external_id"`
	// Hint is what the source said about the service when the catalog
	// knew no match: the repository, a service name, paths. Shown to the
	// admin who maps it.
	Hint string `json:"hint,omitempty"`
	// Paths are the files or folders the change touched, when the source
	// says: they pick the services of a monorepo. Not stored.
	Paths      []string  `json:"paths,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by,omitempty"`
}

// Mapped reports whether the change belongs to a known service.
func (c *Change) Mapped() bool { return len(c.Services) > 0 }

// PRLink returns the first link that looks like a pull request, or the
// first link, or "".
func (c *Change) PRLink() string {
	for _, l := range c.Links {
		if strings.Contains(l.URL, "/pull/") {
			return l.URL
		}
	}
	if len(c.Links) > 0 {
		return c.Links[0].URL
	}
	return ""
}

// Limits on what a change may hold; beyond them input is refused.
const (
	maxTitle   = 300
	maxField   = 200
	maxLinks   = 10
	maxReason  = 500
	maxLabels  = 30
	maxService = 20
)

// check validates a change as given from outside, naming the field at fault.
func (c *Change) check() error {
	c.Title = strings.TrimSpace(c.Title)
	switch {
	case !c.Kind.Valid():
		return fail.Field("kind", "must be one of deploy, config, migration, infrastructure, flag, code; got %q", c.Kind)
	case c.Title == "" && c.Version == "" && c.Commit == "":
		return fail.Field("title", "give a title, a version or a commit")
	case utf8.RuneCountInString(c.Title) > maxTitle:
		return fail.Field("title", "is longer than %d characters", maxTitle)
	case len(c.Services) > maxService:
		return fail.Field("services", "names more than %d services", maxService)
	case len(c.Links) > maxLinks:
		return fail.Field("links", "has more than %d links", maxLinks)
	case len(c.Labels) > maxLabels:
		return fail.Field("labels", "has more than %d labels", maxLabels)
	case utf8.RuneCountInString(c.Verdict.Reason) > maxReason:
		return fail.Field("not_rollbackable", "is longer than %d characters", maxReason)
	}
	fields := []struct{ name, value string }{
		{"version", c.Version},
		{"commit", c.Commit},
		{"author", c.Author},
		{"repository", c.Repository},
		{"environment", c.Environment},
		{"id", c.ExternalID},
	}
	for _, f := range fields {
		if utf8.RuneCountInString(f.value) > maxField {
			return fail.Field(f.name, "is longer than %d characters", maxField)
		}
	}
	for i, l := range c.Links {
		u, err := url.Parse(l.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fail.Field(fmt.Sprintf("links[%d]", i), "must be an absolute http or https URL; got %q", l.URL)
		}
	}
	return nil
}
