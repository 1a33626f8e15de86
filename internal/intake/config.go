package intake

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/confyaml"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// The defaults of the intake section, used where it names no value.
const (
	DefaultReplayWindow = 5 * time.Minute
	DefaultRateLimit    = 5
	DefaultRateWindow   = 10 * time.Minute
)

// defaultGroupBy is the labels a route groups signals by when it names none.
var defaultGroupBy = []string{"alertname"}

// The bounds the intake section's numbers must keep to. A replay window much
// shorter than 10s fails senders whose clocks drift a little; a longer one
// than an hour lets a captured request be replayed for too long.
const (
	minReplayWindow = 10 * time.Second
	maxReplayWindow = time.Hour
	minRateLimit    = 1
	maxRateLimit    = 1000
	minRateWindow   = time.Minute
	maxRateWindow   = 24 * time.Hour
)

// Config is the intake: section of the config file: which sources are
// enabled and with which credentials, how alarm mail and labelled signals are
// routed, and the limits of the public report form.
type Config struct {
	Alertmanager TokenSource
	Grafana      TokenSource
	Generic      GenericSource
	Slack        SlackSource
	// Email holds the alarm mail rules; the first that matches wins.
	Email []MailRule
	Form  FormLimits
	// DedupLabels names the labels whose values make the fingerprint of a
	// signal whose source gives none; empty means all labels.
	DedupLabels []string
	// Routes are tried in order; the first that matches wins.
	Routes []Route
}

// DefaultConfig returns the config of a file without an intake section:
// every source off, no rules, and the default limits.
func DefaultConfig() *Config {
	return &Config{
		Generic: GenericSource{ReplayWindow: DefaultReplayWindow},
		Form:    FormLimits{RateLimit: DefaultRateLimit, RateWindow: DefaultRateWindow},
	}
}

// TokenSource is a source that authenticates with a bearer token, such as
// Alertmanager or Grafana. It is enabled only when a token is set.
type TokenSource struct {
	Token string
}

// Enabled reports whether the source may send signals.
func (s TokenSource) Enabled() bool { return s.Token != "" }

// GenericSource is the generic webhook, which signs each request with
// HMAC-SHA256. Requests older than ReplayWindow are refused.
type GenericSource struct {
	Secret       string
	ReplayWindow time.Duration
}

// Enabled reports whether the source may send signals.
func (s GenericSource) Enabled() bool { return s.Secret != "" }

// SlackSource is the Slack app, whose requests are checked against its
// signing secret.
type SlackSource struct {
	SigningSecret string
}

// Enabled reports whether the source may send signals.
func (s SlackSource) Enabled() bool { return s.SigningSecret != "" }

// FormLimits bounds the public report form: at most RateLimit reports from
// one client address in any RateWindow.
type FormLimits struct {
	RateLimit  int
	RateWindow time.Duration
}

// Action is what a matching rule does with a signal that belongs to no open
// incident.
type Action string

// The actions. Triage is the default, so that nothing declares an incident
// unless a rule says so.
const (
	ActionDeclare Action = "declare"
	ActionTriage  Action = "triage"
)

// Matcher is one condition of a route on one label. A label a signal lacks
// counts as the empty string, as in Alertmanager.
type Matcher struct {
	Label string
	// Value is the value to compare with, or the source of Regexp when that
	// is set.
	Value string
	// Regexp, when set, must match the whole value.
	Regexp *regexp.Regexp
	// Negate turns the condition round: the value must differ, or not match.
	Negate bool
}

// Matches reports whether the labels meet the condition.
func (m Matcher) Matches(labels map[string]string) bool {
	v := labels[m.Label]
	var ok bool
	if m.Regexp != nil {
		ok = m.Regexp.MatchString(v)
	} else {
		ok = v == m.Value
	}
	return ok != m.Negate
}

// Route sends the signals whose labels meet all its matchers to Service with
// Grade, grouped by the values of the GroupBy labels. Line is where the route
// begins in the config file; it tells routes apart in group keys.
type Route struct {
	Matchers []Matcher
	Service  string
	Grade    incident.Grade
	Action   Action
	GroupBy  []string
	Line     int
}

// Matches reports whether the labels meet every matcher of the route. A
// route without matchers matches everything.
func (r Route) Matches(labels map[string]string) bool {
	for _, m := range r.Matchers {
		if !m.Matches(labels) {
			return false
		}
	}
	return true
}

// MailRule routes alarm mail by sender and subject. From and Subject are
// searched in, not matched whole, so they are anchored only when written so;
// a nil one matches anything. Line is where the rule begins in the config file.
type MailRule struct {
	From    *regexp.Regexp
	Subject *regexp.Regexp
	Service string
	Grade   incident.Grade
	Action  Action
	Line    int
}

// Matches reports whether mail from the sender address with the subject
// falls under the rule.
func (r MailRule) Matches(from, subject string) bool {
	return (r.From == nil || r.From.MatchString(from)) &&
		(r.Subject == nil || r.Subject.MatchString(subject))
}

// Route returns the first route that matches the labels, and false when none
// does.
func (c *Config) Route(labels map[string]string) (Route, bool) {
	for _, r := range c.Routes {
		if r.Matches(labels) {
			return r, true
		}
	}
	return Route{}, false
}

// MailRoute returns the first mail rule that matches the sender and subject,
// and false when none does.
func (c *Config) MailRoute(from, subject string) (MailRule, bool) {
	for _, r := range c.Email {
		if r.Matches(from, subject) {
			return r, true
		}
	}
	return MailRule{}, false
}

// LoadConfig reads and checks the intake section of the config file at path.
// services reports whether a service exists; when nil, service names are not
// checked. A file that cannot be read gives an error wrapping the one from
// the file system; a file with problems gives confyaml.Errors.
func LoadConfig(path string, services func(name string) bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load intake config: %w", err)
	}
	return ParseConfig(path, data, services)
}

// ParseConfig reads and checks the intake section of data, the contents of
// the config file filename; the other top-level sections are left to the
// packages that own them, and a file without an intake section gives the
// defaults. services reports whether a service exists; when nil, service
// names are not checked. When anything is wrong ParseConfig returns
// confyaml.Errors holding every problem found, sorted by line.
func ParseConfig(filename string, data []byte, services func(name string) bool) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, confyaml.Errors{confyaml.SyntaxError(filename, data, err)}
	}
	p := &configParser{Reader: confyaml.Reader{File: filename}, services: services}
	c := p.document(&doc)
	if len(p.Errs) > 0 {
		p.Errs.Sort()
		return nil, p.Errs
	}
	return c, nil
}

// configParser walks the YAML tree of the intake section, collecting every
// problem instead of stopping at the first, as the catalog's parser does.
type configParser struct {
	confyaml.Reader
	services func(string) bool
}

// cfgField is one key and value of a mapping.
type cfgField = confyaml.Field

// document finds the intake section and ignores the rest.
func (p *configParser) document(doc *yaml.Node) *Config {
	c := DefaultConfig()
	if len(doc.Content) == 0 { // an empty file or one holding only comments
		return c
	}
	root := confyaml.Resolve(doc.Content[0])
	if confyaml.IsNull(root) {
		return c
	}
	if root.Kind != yaml.MappingNode {
		p.Errorf(root, "", "the top level must be a mapping; got %s", confyaml.Describe(root))
		return c
	}
	seen := 0
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		if key.Value != "intake" {
			continue // owned by another package
		}
		if seen > 0 {
			p.Errorf(key, key.Value, "section given twice (first at line %d)", seen)
			continue
		}
		seen = key.Line
		if !confyaml.IsNull(confyaml.Resolve(val)) {
			p.intake(c, val, "intake")
		}
	}
	return c
}

func (p *configParser) intake(c *Config, n *yaml.Node, path string) {
	fields, ok := p.Fields(n, path)
	if !ok {
		return
	}
	for _, f := range fields {
		switch f.Key.Value {
		case "alertmanager":
			p.source(f, "token", &c.Alertmanager.Token, nil)
		case "grafana":
			p.source(f, "token", &c.Grafana.Token, nil)
		case "generic":
			p.source(f, "secret", &c.Generic.Secret, func(g cfgField) bool {
				if g.Key.Value != "replay_window" {
					return false
				}
				c.Generic.ReplayWindow = p.duration(g, DefaultReplayWindow, minReplayWindow, maxReplayWindow)
				return true
			})
		case "slack":
			p.source(f, "signing_secret", &c.Slack.SigningSecret, nil)
		case "email":
			for i, item := range p.List(f.Val, f.Path) {
				if r, ok := p.mailRule(item, fmt.Sprintf("%s[%d]", f.Path, i)); ok {
					c.Email = append(c.Email, r)
				}
			}
		case "form":
			p.form(&c.Form, f)
		case "dedup_labels":
			c.DedupLabels = p.labels(f.Val, f.Path)
		case "routes":
			for i, item := range p.List(f.Val, f.Path) {
				if r, ok := p.route(item, fmt.Sprintf("%s[%d]", f.Path, i)); ok {
					c.Routes = append(c.Routes, r)
				}
			}
		default:
			p.Unknown(f)
		}
	}
}

// source reads the section of a source whose credential is the key cred.
// A null section leaves the source off; a section that is written out must
// give the credential, since a source that looks configured but refuses every
// request is harder to find than an error at load. other reads the fields
// besides the credential and reports whether it knew the field.
func (p *configParser) source(f cfgField, cred string, dst *string, other func(cfgField) bool) {
	if confyaml.IsNull(confyaml.Resolve(f.Val)) {
		return
	}
	fields, ok := p.Fields(f.Val, f.Path)
	if !ok {
		return
	}
	found := false
	for _, g := range fields {
		switch {
		case g.Key.Value == cred:
			found = true
			*dst = p.secret(g)
		case other != nil && other(g):
		default:
			p.Unknown(g)
		}
	}
	if !found {
		p.Errorf(f.Val, f.Path+"."+cred, "required; leave out the %s section to turn the source off", f.Key.Value)
	}
}

// secret reads a token or secret, which must not be empty: an empty one
// would turn the source off while it still looks configured.
func (p *configParser) secret(f cfgField) string {
	s := p.Str(f.Val, f.Path)
	n := confyaml.Resolve(f.Val)
	if n.Kind != yaml.ScalarNode {
		return "" // reported by str
	}
	switch {
	case s == "":
		p.Errorf(f.Val, f.Path, "must not be empty")
	case strings.TrimSpace(s) != s:
		// A block scalar (|) ends in a newline that no sender would send.
		p.Errorf(f.Val, f.Path, "must not begin or end with white space")
	}
	return s
}

func (p *configParser) form(dst *FormLimits, f cfgField) {
	if confyaml.IsNull(confyaml.Resolve(f.Val)) {
		return
	}
	fields, ok := p.Fields(f.Val, f.Path)
	if !ok {
		return
	}
	for _, g := range fields {
		switch g.Key.Value {
		case "rate_limit":
			dst.RateLimit = p.integer(g, DefaultRateLimit, minRateLimit, maxRateLimit)
		case "rate_window":
			dst.RateWindow = p.duration(g, DefaultRateWindow, minRateWindow, maxRateWindow)
		default:
			p.Unknown(g)
		}
	}
}

func (p *configParser) mailRule(n *yaml.Node, path string) (MailRule, bool) {
	r := MailRule{Action: ActionTriage, Line: confyaml.Resolve(n).Line}
	fields, ok := p.Fields(n, path)
	if !ok {
		return r, false
	}
	var grade, from, subject bool
	for _, f := range fields {
		switch f.Key.Value {
		case "from":
			r.From = p.pattern(f)
			from = true
		case "subject":
			r.Subject = p.pattern(f)
			subject = true
		case "service":
			r.Service = p.service(f)
		case "grade":
			r.Grade = p.grade(f)
			grade = true
		case "action":
			r.Action = p.action(f)
		default:
			p.Unknown(f)
		}
	}
	if !from && !subject {
		p.Errorf(n, path, "needs from, subject or both")
	}
	if !grade {
		p.Errorf(n, path+".grade", "required")
	}
	return r, true
}

func (p *configParser) route(n *yaml.Node, path string) (Route, bool) {
	r := Route{Action: ActionTriage, GroupBy: defaultGroupBy, Line: confyaml.Resolve(n).Line}
	fields, ok := p.Fields(n, path)
	if !ok {
		return r, false
	}
	grade := false
	for _, f := range fields {
		switch f.Key.Value {
		case "match":
			r.Matchers = p.matchers(f)
		case "service":
			r.Service = p.service(f)
		case "grade":
			r.Grade = p.grade(f)
			grade = true
		case "action":
			r.Action = p.action(f)
		case "group_by":
			if labels := p.labels(f.Val, f.Path); len(labels) > 0 {
				r.GroupBy = labels
			} else if n := confyaml.Resolve(f.Val); n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
				p.Errorf(f.Val, f.Path, "must name at least one label; leave it out to group by %s", strings.Join(defaultGroupBy, ", "))
			}
		default:
			p.Unknown(f)
		}
	}
	if !grade {
		p.Errorf(n, path+".grade", "required")
	}
	r.GroupBy = slices.Clone(r.GroupBy)
	return r, true
}

// matchers reads a route's match mapping, keeping the order of the file. A
// value "~x" matches labels that x matches whole, "!v" those that are not v,
// and "!~x" those that x does not match whole; anything else must be equal.
func (p *configParser) matchers(f cfgField) []Matcher {
	if confyaml.IsNull(confyaml.Resolve(f.Val)) {
		return nil
	}
	fields, ok := p.Fields(f.Val, f.Path)
	if !ok {
		return nil
	}
	var out []Matcher
	for _, g := range fields {
		if g.Key.Value == "" {
			p.Errorf(g.Key, f.Path, "label names must not be empty")
			continue
		}
		v := confyaml.Resolve(g.Val)
		if v.Kind != yaml.ScalarNode {
			p.Errorf(g.Val, g.Path, "must be a string; got %s", confyaml.Describe(v))
			continue
		}
		m := Matcher{Label: g.Key.Value, Value: v.Value}
		if confyaml.IsNull(v) {
			m.Value = "" // `label:` alone or `label: ~` asks for the label to be absent or empty
		}
		if rest, ok := strings.CutPrefix(m.Value, "!"); ok {
			m.Negate, m.Value = true, rest
		}
		if rest, ok := strings.CutPrefix(m.Value, "~"); ok {
			m.Value = rest
			re, err := fullMatch(rest)
			if err != nil {
				p.Errorf(g.Val, g.Path, "%v", err)
				continue
			}
			m.Regexp = re
		}
		out = append(out, m)
	}
	return out
}

// fullMatch compiles expr so that it must match the whole of a value. expr
// is compiled alone first, so that an error quotes what the author wrote.
func fullMatch(expr string) (*regexp.Regexp, error) {
	if _, err := regexp.Compile(expr); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		// expr ends inside \Q...: the quoted text would swallow the anchor.
		re, err = regexp.Compile(`^(?:` + expr + `\E)$`)
	}
	return re, err
}

// pattern reads a regular expression; it reports a problem and returns nil
// when there is none to read.
func (p *configParser) pattern(f cfgField) *regexp.Regexp {
	n := confyaml.Resolve(f.Val)
	if n.Kind != yaml.ScalarNode || confyaml.IsNull(n) {
		p.Errorf(f.Val, f.Path, "must be a regular expression; got %s", confyaml.Describe(n))
		return nil
	}
	if n.Value == "" {
		// It would match all mail, which is surely not what was meant.
		p.Errorf(f.Val, f.Path, "must not be empty")
		return nil
	}
	re, err := regexp.Compile(n.Value)
	if err != nil {
		p.Errorf(f.Val, f.Path, "%v", err)
		return nil
	}
	return re
}

func (p *configParser) service(f cfgField) string {
	s := p.Str(f.Val, f.Path)
	switch {
	case s == "":
		if confyaml.Resolve(f.Val).Kind == yaml.ScalarNode { // other kinds were reported by str
			p.Errorf(f.Val, f.Path, "must not be empty; leave it out for signals of no service")
		}
	case p.services != nil && !p.services(s):
		p.Errorf(f.Val, f.Path, "unknown service %q", s)
	}
	return s
}

func (p *configParser) grade(f cfgField) incident.Grade {
	n := confyaml.Resolve(f.Val)
	if n.Kind != yaml.ScalarNode || confyaml.IsNull(n) {
		p.Errorf(f.Val, f.Path, "must be one of SEV1, SEV2, SEV3, SEV4, SEV5; got %s", confyaml.Describe(n))
		return 0
	}
	g, err := incident.ParseGrade(n.Value)
	if err != nil {
		p.Errorf(f.Val, f.Path, "%v", err)
	}
	return g
}

func (p *configParser) action(f cfgField) Action {
	n := confyaml.Resolve(f.Val)
	if confyaml.IsNull(n) {
		return ActionTriage
	}
	a := Action(p.Str(f.Val, f.Path))
	if n.Kind == yaml.ScalarNode && a != ActionDeclare && a != ActionTriage {
		p.Errorf(f.Val, f.Path, "must be %q or %q; got %q", ActionDeclare, ActionTriage, string(a))
	}
	if a != ActionDeclare {
		a = ActionTriage
	}
	return a
}

// labels reads a list of label names.
func (p *configParser) labels(n *yaml.Node, path string) []string {
	var out []string
	for i, item := range p.List(n, path) {
		ipath := fmt.Sprintf("%s[%d]", path, i)
		s := p.Str(item, ipath)
		if s == "" {
			if confyaml.Resolve(item).Kind == yaml.ScalarNode { // other kinds were reported by str
				p.Errorf(item, ipath, "must not be empty")
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// duration reads a Go duration such as "5m" from lo to hi. Only a string
// will do: a bare 300 could be seconds or nanoseconds.
func (p *configParser) duration(f cfgField, def, lo, hi time.Duration) time.Duration {
	n := confyaml.Resolve(f.Val)
	if confyaml.IsNull(n) {
		return def
	}
	var d time.Duration
	var err error
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		d, err = time.ParseDuration(n.Value)
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" || err != nil {
		p.Errorf(f.Val, f.Path, "must be a duration such as %q; got %s", cfgFormatDuration(def), confyaml.Describe(n))
		return def
	}
	if d < lo || d > hi {
		p.Errorf(f.Val, f.Path, "must be from %s to %s; got %s", cfgFormatDuration(lo), cfgFormatDuration(hi), n.Value)
	}
	return d
}

// integer reads a plain integer from lo to hi.
func (p *configParser) integer(f cfgField, def, lo, hi int) int {
	n := confyaml.Resolve(f.Val)
	if confyaml.IsNull(n) {
		return def
	}
	var v int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		p.Errorf(f.Val, f.Path, "must be an integer from %d to %d; got %s", lo, hi, confyaml.Describe(n))
		return def
	}
	if v < lo || v > hi {
		p.Errorf(f.Val, f.Path, "must be from %d to %d; got %d", lo, hi, v)
	}
	return v
}

// cfgFormatDuration writes d as an author would: "5m", not "5m0s".
func cfgFormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
