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
