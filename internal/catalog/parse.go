package catalog

import (
	"github.com/firebreak-oss/firebreak/internal/auth"

	"fmt"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"strconv"

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
		return nil, Errors{syntaxError(filename, data, err)}
	}
	p := &parser{file: filename}
	teams, services := p.document(&doc)
	p.check(teams, services)
	if len(p.errs) > 0 {
		p.errs.sort()
		return nil, p.errs
	}
	return newCatalog(teamsOf(teams), servicesOf(services)), nil
}

var (
	// Names end up in URLs, chat commands and metric labels, so they are kept plain.
	namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	// yamlLine finds the line in yaml.v3's syntax errors, "yaml: line 3: ...".
	yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)
)

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

// parser walks the YAML tree, collecting every problem instead of stopping
// at the first, so one run shows the author all there is to fix.
type parser struct {
	file string
	errs Errors
}

func (p *parser) errorf(n *yaml.Node, field, format string, args ...any) {
	p.errs = append(p.errs, FieldError{
		File:    p.file,
		Line:    n.Line,
		Column:  n.Column,
		Field:   field,
		Message: fmt.Sprintf(format, args...),
	})
}

// document reads the teams and services sections and ignores the rest.
func (p *parser) document(doc *yaml.Node) ([]teamEntry, []serviceEntry) {
	if len(doc.Content) == 0 { // an empty file or one holding only comments
		return nil, nil
	}
	root := resolve(doc.Content[0])
	if isNull(root) {
		return nil, nil
	}
	if root.Kind != yaml.MappingNode {
		p.errorf(root, "", "the top level must be a mapping; got %s", describe(root))
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
			p.errorf(key, key.Value, "section given twice (first at line %d)", line)
			continue
		}
		seen[key.Value] = key.Line
		for j, item := range p.list(val, key.Value) {
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
	fields, ok := p.fields(n, path)
	if !ok {
		return t
	}
	for _, f := range fields {
		switch f.key.Value {
		case "name":
			t.name = p.name(f)
			t.Name = t.name.value
		case "display_name":
			t.DisplayName = p.str(f.val, f.path)
		case "email":
			t.Email = p.email(f)
		case "chat_channel":
			t.ChatChannel = p.str(f.val, f.path)
		case "lead":
			t.Lead = p.user(f.val, f.path)
		case "members":
			for _, r := range p.strs(f.val, f.path) {
				if u := p.user(r.node, r.path); u != "" {
					t.Members = append(t.Members, u)
				}
			}
		default:
			p.unknown(f)
		}
	}
	if t.name.node == nil {
		p.errorf(n, path+".name", "required")
	}
	return t
}

func (p *parser) service(n *yaml.Node, path string) serviceEntry {
	s := serviceEntry{Service: Service{Tier: DefaultTier, DependsOn: []string{}, Runbooks: []Runbook{}}}
	fields, ok := p.fields(n, path)
	if !ok {
		return s
	}
	for _, f := range fields {
		switch f.key.Value {
		case "name":
			s.name = p.name(f)
			s.Name = s.name.value
		case "team":
			s.team = p.required(f)
			s.Team = s.team.value
		case "tier":
			s.Tier = p.tier(f)
		case "description":
			s.Description = p.str(f.val, f.path)
		case "depends_on":
			s.deps = p.strs(f.val, f.path)
			for _, d := range s.deps {
				s.DependsOn = append(s.DependsOn, d.value)
			}
		case "runbooks":
			for i, item := range p.list(f.val, f.path) {
				s.Runbooks = append(s.Runbooks, p.runbook(item, fmt.Sprintf("%s[%d]", f.path, i)))
			}
		default:
			p.unknown(f)
		}
	}
	if s.name.node == nil {
		p.errorf(n, path+".name", "required")
	}
	if s.team.node == nil {
		p.errorf(n, path+".team", "required")
	}
	return s
}

func (p *parser) runbook(n *yaml.Node, path string) Runbook {
	var r Runbook
	var title, link ref
	fields, ok := p.fields(n, path)
	if !ok {
		return r
	}
	for _, f := range fields {
		switch f.key.Value {
		case "title":
			title = p.required(f)
			r.Title = title.value
		case "url":
			link = p.required(f)
			r.URL = link.value
			if r.URL != "" && !isWebURL(r.URL) {
				p.errorf(f.val, f.path, "must be an absolute http or https URL; got %q", r.URL)
			}
		default:
			p.unknown(f)
		}
	}
	if title.node == nil {
		p.errorf(n, path+".title", "required")
	}
	if link.node == nil {
		p.errorf(n, path+".url", "required")
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

// field is one key and value of an entry, with the path errors about it use.
type field struct {
	key, val *yaml.Node
	path     string
}

// fields returns the keys and values of the mapping n, reporting what no
// entry may hold: a key given twice, or one that is not a plain name. It
// returns false when n is not a mapping at all.
func (p *parser) fields(n *yaml.Node, path string) ([]field, bool) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "must be a mapping; got %s", describe(n))
		return nil, false
	}
	var out []field
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		fpath := path + "." + key.Value
		switch {
		case key.Kind != yaml.ScalarNode:
			p.errorf(key, path, "keys must be plain names; got %s", describe(key))
		case key.ShortTag() == "!!merge":
			// Merging would hide where a value came from, so errors could not point at it.
			p.errorf(key, fpath, "merge keys are not supported")
		case seen[key.Value] > 0:
			p.errorf(key, fpath, "given twice (first at line %d)", seen[key.Value])
		default:
			seen[key.Value] = key.Line
			out = append(out, field{key: key, val: val, path: fpath})
		}
	}
	return out, true
}

func (p *parser) unknown(f field) {
	p.errorf(f.key, f.path, "unknown field")
}

// list returns the items of the sequence n; null stands for an empty list.
func (p *parser) list(n *yaml.Node, path string) []*yaml.Node {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, "must be a list; got %s", describe(n))
		return nil
	}
	return n.Content
}

// str returns the scalar n as a string; null stands for "".
func (p *parser) str(n *yaml.Node, path string) string {
	n = resolve(n)
	if isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, path, "must be a string; got %s", describe(n))
		return ""
	}
	return n.Value
}

// strs returns the non-empty strings of the list n, each with its place.
func (p *parser) strs(n *yaml.Node, path string) []ref {
	var out []ref
	for i, item := range p.list(n, path) {
		r := ref{node: item, path: fmt.Sprintf("%s[%d]", path, i)}
		if r.value = p.str(item, r.path); r.value == "" {
			if resolve(item).Kind == yaml.ScalarNode { // other kinds were reported by str
				p.errorf(item, r.path, "must not be empty")
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
	r := ref{value: p.str(f.val, f.path), node: f.val, path: f.path}
	if r.value == "" && resolve(f.val).Kind == yaml.ScalarNode {
		p.errorf(f.val, f.path, "required")
	}
	return r
}

// name reads the name of a team or service.
func (p *parser) name(f field) ref {
	r := p.required(f)
	if r.value != "" && !namePattern.MatchString(r.value) {
		p.errorf(f.val, f.path, "must be lower-case letters, digits and '-', starting with a letter or digit; got %q", r.value)
	}
	return r
}

func (p *parser) user(n *yaml.Node, path string) string {
	u := p.str(n, path)
	if u != "" && !auth.ValidUserName(u) {
		p.errorf(n, path, "must be a user name: 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit; got %q", u)
	}
	return u
}

func (p *parser) email(f field) string {
	e := p.str(f.val, f.path)
	if e != "" {
		if _, err := mail.ParseAddress(e); err != nil {
			p.errorf(f.val, f.path, "must be an e-mail address; got %q", e)
		}
	}
	return e
}

func (p *parser) tier(f field) int {
	n := resolve(f.val)
	if isNull(n) {
		return DefaultTier
	}
	var t int
	// Only a plain integer will do: tier: "1" or 1.5 is more likely a slip than a tier.
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&t) != nil {
		p.errorf(f.val, f.path, "must be an integer from 1 to 4; got %s", describe(n))
		return 0
	}
	if t < 1 || t > 4 {
		p.errorf(f.val, f.path, "must be from 1 (most critical) to 4; got %d", t)
	}
	return t
}

// resolve follows an alias to the node it names, so *anchor works anywhere.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what n holds, for messages that say what was expected instead.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		if isNull(n) {
			return "null"
		}
		kind, ok := scalarKinds[n.ShortTag()]
		if !ok {
			kind = "value"
		}
		return fmt.Sprintf("%s %q", kind, n.Value)
	}
	return "nothing"
}

var scalarKinds = map[string]string{
	"!!str":       "string",
	"!!int":       "integer",
	"!!float":     "number",
	"!!bool":      "boolean",
	"!!timestamp": "time",
	"!!binary":    "binary",
}

func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// syntaxError places a YAML syntax error. yaml.v3 gives the line where the
// enclosing block began, counted from 0 for some errors, and no line at all
// for errors on the first. So the line reported is the one after the longest
// run of whole lines from the top that still parses: the first line from which
// the file can no longer be read.
func syntaxError(filename string, data []byte, err error) FieldError {
	msg := err.Error()
	e := FieldError{File: filename, Message: msg}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		e.Message = msg[len(m[0]):]
		e.Line, _ = strconv.Atoi(m[1])
	}
	if line := brokenLine(data); line > 0 {
		e.Line = line
	}
	return e
}

// maxProbeLines bounds the work brokenLine does, which at worst (a quote left
// open near the top) grows with the square of the file's length: about 0.15s
// at this many lines. Past it yaml.v3's own line is used.
const maxProbeLines = 1000

// brokenLine returns the first line from which data no longer parses as
// YAML, or 0 if the file is too long to look.
func brokenLine(data []byte) int {
	starts := []int{0} // starts[i] is the offset of line i+1
	for i, b := range data {
		if b == '\n' && i+1 < len(data) {
			starts = append(starts, i+1)
		}
	}
	if len(starts) > maxProbeLines {
		return 0
	}
	// Search from the end: a multi-line flow list or quoted string cut short
	// fails to parse too, but the lines after it bring it back.
	for i := len(starts) - 1; i > 0; i-- {
		var n yaml.Node
		if yaml.Unmarshal(data[:starts[i]], &n) == nil {
			return i + 1
		}
	}
	return 1
}
