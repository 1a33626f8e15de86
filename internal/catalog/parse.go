package catalog

import (
	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/confyaml"

	"fmt"
	"net/mail"
	"net/url"
	"os"
	"regexp"

	"gopkg.in/yaml.v3"
)

// Load reads and checks the catalog in the config file at path. A file that
// cannot be read gives an error wrapping the one from the file system; a file
// with problems gives Errors naming each one.
func Load(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	return Parse(path, data)
}

// Parse reads and checks the catalog in data, the contents of the config file
// filename. Top-level sections other than teams and services are left to the
// packages that own them. When anything is wrong Parse returns Errors holding
// every problem found, sorted by line.
func Parse(filename string, data []byte) (*Catalog, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, Errors{confyaml.SyntaxError(filename, data, err)}
	}
	p := &parser{Reader: confyaml.Reader{File: filename}}
	teams, services := p.document(&doc)
	p.check(teams, services)
	if len(p.Errs) > 0 {
		p.Errs.Sort()
		return nil, p.Errs
	}
	return newCatalog(teamsOf(teams), servicesOf(services)), nil
}

var (
	// Names end up in URLs, chat commands and metric labels, so they are kept plain.
	namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
)

// parser walks the teams and services sections, collecting every problem.
type parser struct {
	confyaml.Reader
}

// field is one key and value of an entry.
type field = confyaml.Field

// ref is a string read from the file, with the place that errors about it
// point at.
type ref struct {
	value string
	node  *yaml.Node
	path  string
}

// teamEntry is a team as read, with what later checks need to place errors.
type teamEntry struct {
	Team
	name ref
}

// serviceEntry is a service as read, with what later checks need to place errors.
type serviceEntry struct {
	Service
	name ref
	team ref
	deps []ref // only the entries that are non-empty strings
}

// document reads the teams and services sections and ignores the rest.
func (p *parser) document(doc *yaml.Node) ([]teamEntry, []serviceEntry) {
	if len(doc.Content) == 0 { // an empty file or one holding only comments
		return nil, nil
	}
	root := confyaml.Resolve(doc.Content[0])
	if confyaml.IsNull(root) {
		return nil, nil
	}
	if root.Kind != yaml.MappingNode {
		p.Errorf(root, "", "the top level must be a mapping; got %s", confyaml.Describe(root))
		return nil, nil
	}
	var teams []teamEntry
	var services []serviceEntry
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		if key.Value != "teams" && key.Value != "services" {
			continue // owned by another package
		}
		if line, dup := seen[key.Value]; dup {
			p.Errorf(key, key.Value, "section given twice (first at line %d)", line)
			continue
		}
		seen[key.Value] = key.Line
		for j, item := range p.List(val, key.Value) {
			path := fmt.Sprintf("%s[%d]", key.Value, j)
			if key.Value == "teams" {
				teams = append(teams, p.team(item, path))
			} else {
				services = append(services, p.service(item, path))
			}
		}
	}
	return teams, services
}

func (p *parser) team(n *yaml.Node, path string) teamEntry {
	t := teamEntry{Team: Team{Members: []string{}}}
	fields, ok := p.Fields(n, path)
	if !ok {
		return t
	}
	for _, f := range fields {
		switch f.Key.Value {
		case "name":
			t.name = p.name(f)
			t.Name = t.name.value
		case "display_name":
			t.DisplayName = p.Str(f.Val, f.Path)
		case "email":
			t.Email = p.email(f)
		case "chat_channel":
			t.ChatChannel = p.Str(f.Val, f.Path)
		case "lead":
			t.Lead = p.user(f.Val, f.Path)
		case "members":
			for _, r := range p.strs(f.Val, f.Path) {
				if u := p.user(r.node, r.path); u != "" {
					t.Members = append(t.Members, u)
				}
			}
		default:
			p.Unknown(f)
		}
	}
	if t.name.node == nil {
		p.Errorf(n, path+".name", "required")
	}
	return t
}

func (p *parser) service(n *yaml.Node, path string) serviceEntry {
	s := serviceEntry{Service: Service{Tier: DefaultTier, DependsOn: []string{}, Runbooks: []Runbook{}}}
	fields, ok := p.Fields(n, path)
	if !ok {
		return s
	}
	for _, f := range fields {
		switch f.Key.Value {
		case "name":
			s.name = p.name(f)
			s.Name = s.name.value
		case "team":
			s.team = p.required(f)
			s.Team = s.team.value
		case "tier":
			s.Tier = p.tier(f)
		case "description":
			s.Description = p.Str(f.Val, f.Path)
		case "depends_on":
			s.deps = p.strs(f.Val, f.Path)
			for _, d := range s.deps {
				s.DependsOn = append(s.DependsOn, d.value)
			}
		case "runbooks":
			for i, item := range p.List(f.Val, f.Path) {
				s.Runbooks = append(s.Runbooks, p.runbook(item, fmt.Sprintf("%s[%d]", f.Path, i)))
			}
		case "repositories":
			s.Repositories = p.repositories(f)
		default:
			p.Unknown(f)
		}
	}
	if s.name.node == nil {
		p.Errorf(n, path+".name", "required")
	}
	if s.team.node == nil {
		p.Errorf(n, path+".team", "required")
	}
	return s
}

func (p *parser) runbook(n *yaml.Node, path string) Runbook {
	var r Runbook
	var title, link ref
	fields, ok := p.Fields(n, path)
	if !ok {
		return r
	}
	for _, f := range fields {
		switch f.Key.Value {
		case "title":
			title = p.required(f)
			r.Title = title.value
		case "url":
			link = p.required(f)
			r.URL = link.value
			if r.URL != "" && !isWebURL(r.URL) {
				p.Errorf(f.Val, f.Path, "must be an absolute http or https URL; got %q", r.URL)
			}
		default:
			p.Unknown(f)
		}
	}
	if title.node == nil {
		p.Errorf(n, path+".title", "required")
	}
	if link.node == nil {
		p.Errorf(n, path+".url", "required")
	}
	return r
}

func teamsOf(entries []teamEntry) []Team {
	out := make([]Team, len(entries))
	for i, e := range entries {
		out[i] = e.Team
	}
	return out
}

func servicesOf(entries []serviceEntry) []Service {
	out := make([]Service, len(entries))
	for i, e := range entries {
		out[i] = e.Service
	}
	return out
}

// strs returns the non-empty strings of the list n, each with its place.
func (p *parser) strs(n *yaml.Node, path string) []ref {
	var out []ref
	for i, item := range p.List(n, path) {
		r := ref{node: item, path: fmt.Sprintf("%s[%d]", path, i)}
		if r.value = p.Str(item, r.path); r.value == "" {
			if confyaml.Resolve(item).Kind == yaml.ScalarNode { // other kinds were reported by str
				p.Errorf(item, r.path, "must not be empty")
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// required reads a string field that must not be empty. The ref it returns
// has a node whenever the key was present, so "required" is said only once.
func (p *parser) required(f field) ref {
	r := ref{value: p.Str(f.Val, f.Path), node: f.Val, path: f.Path}
	if r.value == "" && confyaml.Resolve(f.Val).Kind == yaml.ScalarNode {
		p.Errorf(f.Val, f.Path, "required")
	}
	return r
}

// name reads the name of a team or service.
func (p *parser) name(f field) ref {
	r := p.required(f)
	if r.value != "" && !namePattern.MatchString(r.value) {
		p.Errorf(f.Val, f.Path, "must be lower-case letters, digits and '-', starting with a letter or digit; got %q", r.value)
	}
	return r
}

func (p *parser) user(n *yaml.Node, path string) string {
	u := p.Str(n, path)
	if u != "" && !auth.ValidUserName(u) {
		p.Errorf(n, path, "must be a user name: 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit; got %q", u)
	}
	return u
}

func (p *parser) email(f field) string {
	e := p.Str(f.Val, f.Path)
	if e != "" {
		if _, err := mail.ParseAddress(e); err != nil {
			p.Errorf(f.Val, f.Path, "must be an e-mail address; got %q", e)
		}
	}
	return e
}

func (p *parser) tier(f field) int {
	n := confyaml.Resolve(f.Val)
	if confyaml.IsNull(n) {
		return DefaultTier
	}
	var t int
	// Only a plain integer will do: tier: "1" or 1.5 is more likely a slip than a tier.
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&t) != nil {
		p.Errorf(f.Val, f.Path, "must be an integer from 1 to 4; got %s", confyaml.Describe(n))
		return 0
	}
	if t < 1 || t > 4 {
		p.Errorf(f.Val, f.Path, "must be from 1 (most critical) to 4; got %d", t)
	}
	return t
}

func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
