// Package playbook keeps each service's playbooks (rollback, restart,
// scale-out, hotfix) from the config file and runs their action steps: a
// GitHub Actions workflow_dispatch, an Argo CD rollback or sync, a Jenkins
// buildWithParameters or a signed webhook. A run is stored before anything is
// sent, goes through the job queue with an idempotency key, and its outcome
// is written to the incident's timeline and the audit log.
package playbook

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
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

// LoadConfig reads the playbooks section of the config file at path.
// services reports whether a service is in the catalog (nil: not checked).
func LoadConfig(path string, services func(string) bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load playbooks config: %w", err)
	}
	return ParseConfig(path, data, services)
}

// ParseConfig reads and checks the playbooks section of data, the contents
// of the config file filename. Every problem comes back together as
// confyaml.Errors naming file, line and field.
func ParseConfig(filename string, data []byte, services func(string) bool) (*Config, error) {
	c := &Config{Services: map[string][]Playbook{}}
	p := &parser{services: services}
	err := confyaml.ReadSection(&p.Reader, filename, data, "playbooks", func(f confyaml.Field) {
		p.section(c, f)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

type parser struct {
	confyaml.Reader
	services func(string) bool
}

func (p *parser) section(c *Config, f confyaml.Field) {
	if confyaml.IsNull(confyaml.Resolve(f.Val)) {
		return
	}
	fields, ok := p.Fields(f.Val, "playbooks")
	if !ok {
		return
	}
	for _, svc := range fields {
		if p.services != nil && !p.services(svc.Key.Value) {
			p.Errorf(svc.Key, svc.Path, "no service %q in the catalog", svc.Key.Value)
			continue
		}
		seen := map[Kind]int{}
		for i, item := range p.List(svc.Val, svc.Path) {
			path := fmt.Sprintf("%s[%d]", svc.Path, i)
			pb, ok := p.playbook(svc.Key.Value, item, path)
			if !ok {
				continue
			}
			if line := seen[pb.Kind]; line > 0 {
				p.Errorf(item, path+".kind", "service %s has a %s playbook already (line %d)", svc.Key.Value, pb.Kind, line)
				continue
			}
			seen[pb.Kind] = item.Line
			c.Services[svc.Key.Value] = append(c.Services[svc.Key.Value], pb)
		}
	}
}

func (p *parser) playbook(service string, n *yaml.Node, path string) (Playbook, bool) {
	pb := Playbook{Service: service}
	fields, ok := p.Fields(n, path)
	if !ok {
		return pb, false
	}
	errs := len(p.Errs)
	var stepsSeen bool
	for _, f := range fields {
		switch f.Key.Value {
		case "kind":
			pb.Kind = Kind(p.Str(f.Val, f.Path))
			if !slices.Contains(Kinds, pb.Kind) {
				p.Errorf(f.Val, f.Path, "must be one of rollback, restart, scale_out, hotfix; got %q", pb.Kind)
			}
		case "title":
			pb.Title = p.Str(f.Val, f.Path)
		case "steps":
			stepsSeen = true
			for i, item := range p.List(f.Val, f.Path) {
				if s, ok := p.step(item, fmt.Sprintf("%s[%d]", f.Path, i)); ok {
					s.Number = len(pb.Steps) + 1
					pb.Steps = append(pb.Steps, s)
				}
			}
		default:
			p.Unknown(f)
		}
	}
	if pb.Kind == "" {
		p.Errorf(n, path+".kind", "is required: rollback, restart, scale_out or hotfix")
	}
	if !stepsSeen || (len(pb.Steps) == 0 && len(p.Errs) == errs) {
		p.Errorf(n, path+".steps", "is required: a list of text and action steps")
	}
	return pb, len(p.Errs) == errs
}

func (p *parser) step(n *yaml.Node, path string) (Step, bool) {
	var s Step
	fields, ok := p.Fields(n, path)
	if !ok {
		return s, false
	}
	errs := len(p.Errs)
	a := &Action{}
	var given []string
	var hasText, hasAction bool
	for _, f := range fields {
		given = append(given, f.Key.Value)
		switch f.Key.Value {
		case "text":
			hasText = true
			s.Text = p.Str(f.Val, f.Path)
			if strings.TrimSpace(s.Text) == "" {
				p.Errorf(f.Val, f.Path, "must not be empty")
			}
		case "action":
			hasAction = true
			a.Kind = ActionKind(p.Str(f.Val, f.Path))
		case "title":
			a.Title = p.Str(f.Val, f.Path)
		case "api_url":
			a.APIURL = p.url(f)
		case "repo":
			a.Repo = p.Str(f.Val, f.Path)
			if owner, name, ok := strings.Cut(a.Repo, "/"); !ok || owner == "" || name == "" || strings.Contains(name, "/") {
				p.Errorf(f.Val, f.Path, "must be owner/name; got %q", a.Repo)
			}
		case "workflow":
			a.Workflow = p.Str(f.Val, f.Path)
		case "ref":
			a.Ref = p.Str(f.Val, f.Path)
		case "inputs":
			a.Inputs = p.strings(f)
		case "idempotency_input":
			a.IdempotencyInput = p.Str(f.Val, f.Path)
		case "server":
			a.Server = p.url(f)
		case "application":
			a.Application = p.Str(f.Val, f.Path)
		case "operation":
			a.Operation = p.Str(f.Val, f.Path)
			if a.Operation != "rollback" && a.Operation != "sync" {
				p.Errorf(f.Val, f.Path, "must be rollback or sync; got %q", a.Operation)
			}
		case "history_id":
			a.HistoryID = p.Str(f.Val, f.Path)
		case "revision":
			a.Revision = p.Str(f.Val, f.Path)
		case "prune":
			v := p.Str(f.Val, f.Path)
			b, err := strconv.ParseBool(v)
			if err != nil {
				p.Errorf(f.Val, f.Path, "must be true or false; got %q", v)
			}
			a.Prune = b
		case "url":
			a.URL = p.url(f)
		case "job":
			a.Job = strings.Trim(p.Str(f.Val, f.Path), "/")
		case "user":
			a.User = p.Str(f.Val, f.Path)
		case "params":
			a.Params = p.strings(f)
		case "idempotency_param":
			a.IdempotencyParam = p.Str(f.Val, f.Path)
		case "payload":
			a.Payload = p.strings(f)
		case "token", "secret":
			a.Token = p.Str(f.Val, f.Path)
		case "token_env", "secret_env":
			a.TokenEnv = p.Str(f.Val, f.Path)
		default:
			p.Unknown(f)
		}
	}
	switch {
	case hasText && hasAction:
		p.Errorf(n, path, "a step is either text or an action, not both")
	case hasText:
		if len(given) > 1 {
			p.Errorf(n, path, "a text step has only text; got %s", strings.Join(given, ", "))
		}
	case hasAction:
		p.action(a, n, path)
		s.Action = a
	default:
		p.Errorf(n, path, "a step needs text (Markdown) or action (github_workflow, argocd, jenkins or webhook)")
	}
	return s, len(p.Errs) == errs
}

// action checks that the fields its kind needs are there and that every
// placeholder names something Data has.
func (p *parser) action(a *Action, n *yaml.Node, path string) {
	need := func(field, v string) {
		if v == "" {
			p.Errorf(n, path+"."+field, "is required for a %s action", a.Kind)
		}
	}
	switch a.Kind {
	case GitHubWorkflow:
		if a.APIURL == "" {
			a.APIURL = DefaultGitHubAPI
		}
		need("repo", a.Repo)
		need("workflow", a.Workflow)
		need("ref", a.Ref)
	case ArgoCD:
		need("server", a.Server)
		need("application", a.Application)
		need("operation", a.Operation)
		if a.Operation == "rollback" {
			need("history_id", a.HistoryID)
			if _, err := strconv.ParseInt(a.HistoryID, 10, 64); a.HistoryID != "" && !strings.Contains(a.HistoryID, "{{") && err != nil {
				p.Errorf(n, path+".history_id", "must be a deployment history id (a whole number) or a placeholder; got %q", a.HistoryID)
			}
		}
	case Jenkins:
		need("url", a.URL)
		need("job", a.Job)
		need("user", a.User)
	case Webhook:
		need("url", a.URL)
	default:
		p.Errorf(n, path+".action", "must be github_workflow, argocd, jenkins or webhook; got %q", a.Kind)
		return
	}
	if a.Token == "" && a.TokenEnv == "" {
		what := "token or token_env"
		if a.Kind == Webhook {
			what = "secret or secret_env"
		}
		p.Errorf(n, path, "needs a credential: %s", what)
	}
	for field, text := range a.templates() {
		if err := checkTemplate(text); err != nil {
			p.Errorf(n, path+"."+field, "%v", err)
		}
	}
}

func (p *parser) url(f confyaml.Field) string {
	s := strings.TrimRight(p.Str(f.Val, f.Path), "/")
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.Errorf(f.Val, f.Path, "must be an http or https URL; got %q", s)
	}
	return s
}

func (p *parser) strings(f confyaml.Field) map[string]string {
	fields, ok := p.Fields(f.Val, f.Path)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for _, g := range fields {
		v := confyaml.Resolve(g.Val)
		if v.Kind != yaml.ScalarNode || confyaml.IsNull(v) {
			p.Errorf(g.Val, g.Path, "must be a string; got %s", confyaml.Describe(v))
			continue
		}
		out[g.Key.Value] = v.Value
	}
	return out
}
