// Package playbook keeps each service's playbooks (rollback, restart,
// scale-out, hotfix) from the config file and runs their action steps: a
// GitHub Actions workflow_dispatch, an Argo CD rollback or sync, a Jenkins
// buildWithParameters or a signed webhook. A run is stored before anything is
// sent, goes through the job queue with an idempotency key, and its outcome
// is written to the incident's timeline and the audit log.
package playbook

import (
	"strings"
)

// Kind is what a playbook is for.
type Kind string

// The playbook kinds.
const (
	Rollback Kind = "rollback"
	Restart  Kind = "restart"
	ScaleOut Kind = "scale_out"
	Hotfix   Kind = "hotfix"
)

// Kinds lists the playbook kinds in the order pages show them.
var Kinds = []Kind{Rollback, Restart, ScaleOut, Hotfix}

// ActionKind names the peer an action step talks to.
type ActionKind string

// The action kinds.
const (
	GitHubWorkflow ActionKind = "github_workflow"
	ArgoCD         ActionKind = "argocd"
	Jenkins        ActionKind = "jenkins"
	Webhook        ActionKind = "webhook"
)

// DefaultGitHubAPI is GitHub's REST API; GitHub Enterprise Server sets its own.
const DefaultGitHubAPI = "https://api.github.com"

// Config is the playbooks: section of the config file: each service's
// playbooks, by service name.
type Config struct {
	Services map[string][]Playbook
}

// Playbook is one kind of remedy for one service, as ordered steps.
type Playbook struct {
	Service string
	Kind    Kind
	Title   string
	Steps   []Step
}

// Step is either Text (Markdown) or an Action; Number counts from 1.
type Step struct {
	Number int
	Text   string
	Action *Action
}

// Action is a step Firebreak performs. Which fields matter depends on Kind;
// string values other than secrets may hold placeholders such as
// {{.Incident.Ref}} (see Data).
type Action struct {
	Kind  ActionKind
	Title string

	// GitHub: APIURL (default DefaultGitHubAPI), Repo "owner/name",
	// Workflow (file name or id), Ref, Inputs; IdempotencyInput names the
	// workflow input that carries the run's key, when the workflow has one.
	APIURL           string
	Repo             string
	Workflow         string
	Ref              string
	Inputs           map[string]string
	IdempotencyInput string

	// Argo CD: Server, Application, Operation (rollback or sync),
	// HistoryID (rollback; must come out an integer), Revision (sync), Prune.
	Server      string
	Application string
	Operation   string
	HistoryID   string
	Revision    string
	Prune       bool

	// Jenkins: URL, Job ("folder/name" for jobs in folders), User, Params;
	// IdempotencyParam names the build parameter that carries the key.
	// Webhook: URL, Payload (extra fields of the JSON body).
	URL              string
	Job              string
	User             string
	Params           map[string]string
	IdempotencyParam string
	Payload          map[string]string

	// Token (GitHub, Argo CD, Jenkins API token) or webhook signing secret:
	// inline, or read from the environment variable TokenEnv at send time.
	Token    string
	TokenEnv string
}

// Secret returns the action's credential: the inline one, or the
// environment variable's value.
func (a *Action) Secret(getenv func(string) string) string {
	if a.Token != "" {
		return a.Token
	}
	if a.TokenEnv != "" && getenv != nil {
		return getenv(a.TokenEnv)
	}
	return ""
}

// Playbooks returns the service's playbooks in config order.
func (c *Config) Playbooks(service string) []Playbook {
	if c == nil {
		return nil
	}
	return c.Services[service]
}

// Find returns the service's playbook of the kind.
func (c *Config) Find(service string, kind Kind) (Playbook, bool) {
	for _, p := range c.Playbooks(service) {
		if p.Kind == kind {
			return p, true
		}
	}
	return Playbook{}, false
}

// Count is how many playbooks the section holds, for check-config.
func (c *Config) Count() (playbooks, actions int) {
	if c == nil {
		return 0, 0
	}
	for _, ps := range c.Services {
		for _, p := range ps {
			playbooks++
			for _, s := range p.Steps {
				if s.Action != nil {
					actions++
				}
			}
		}
	}
	return playbooks, actions
}

// Rebase moves every action URL that starts with from to start with to
// instead. The demo's playbooks name the demo peer at the default address;
// the server moves them to where it really listens.
func (c *Config) Rebase(from, to string) {
	if c == nil || from == to {
		return
	}
	move := func(s *string) {
		if rest, ok := strings.CutPrefix(*s, from); ok {
			*s = to + rest
		}
	}
	for _, ps := range c.Services {
		for _, p := range ps {
			for _, s := range p.Steps {
				if a := s.Action; a != nil {
					move(&a.APIURL)
					move(&a.Server)
					move(&a.URL)
				}
			}
		}
	}
}
