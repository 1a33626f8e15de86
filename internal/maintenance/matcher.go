// Package maintenance keeps planned maintenance windows and alert silences:
// while one is active, the signals it matches are stored and marked but open
// no incident and notify no one. Matching runs on the intake's hot path, so
// it is an in-memory check against a cached set of what is active (Cache).
package maintenance

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// Op is how a matcher compares a label, as in Alertmanager's silences.
type Op string

// The matcher operators.
const (
	Equal     Op = "="
	NotEqual  Op = "!="
	Regexp    Op = "=~"
	NotRegexp Op = "!~"
)

// Matcher tests one label of a signal. A label the signal lacks counts as
// the empty string, as in Alertmanager. Regular expressions are anchored
// at both ends.
type Matcher struct {
	Name  string `json:"name"`
	Op    Op     `json:"op"`
	Value string `json:"value"`
	re    *regexp.Regexp
}

var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// ParseMatcher reads `name=value`, `name!=value`, `name=~regex` or
// `name!~regex`; the value may be double-quoted.
func ParseMatcher(s string) (Matcher, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, "=!")
	if i <= 0 {
		return Matcher{}, fmt.Errorf("%q is not name=value, name!=value, name=~regex or name!~regex", s)
	}
	m := Matcher{Name: strings.TrimSpace(s[:i])}
	rest := s[i:]
	for _, op := range []Op{NotRegexp, Regexp, NotEqual, Equal} {
		if v, ok := strings.CutPrefix(rest, string(op)); ok {
			m.Op, m.Value = op, strings.TrimSpace(v)
			break
		}
	}
	if m.Op == "" {
		return Matcher{}, fmt.Errorf("%q has no operator (=, !=, =~, !~)", s)
	}
	if len(m.Value) >= 2 && m.Value[0] == '"' && m.Value[len(m.Value)-1] == '"' {
		m.Value = m.Value[1 : len(m.Value)-1]
	}
	return m, m.compile()
}

// ParseMatchers reads matchers one a line or comma-free list item; blank
// items are skipped.
func ParseMatchers(field string, items []string) ([]Matcher, error) {
	var out []Matcher
	for _, it := range items {
		if strings.TrimSpace(it) == "" {
			continue
		}
		m, err := ParseMatcher(it)
		if err != nil {
			return nil, fail.Field(field, "%s", err)
		}
		out = append(out, m)
	}
	return out, nil
}

// compile checks the matcher and prepares its regular expression.
func (m *Matcher) compile() error {
	if !labelName.MatchString(m.Name) {
		return fmt.Errorf("label name %q must be letters, digits and _", m.Name)
	}
	switch m.Op {
	case Equal, NotEqual:
	case Regexp, NotRegexp:
		re, err := regexp.Compile("^(?:" + m.Value + ")$")
		if err != nil {
			return fmt.Errorf("%s: bad regular expression: %v", m.Name, err)
		}
		m.re = re
	default:
		return fmt.Errorf("%s: operator %q must be =, !=, =~ or !~", m.Name, m.Op)
	}
	if len(m.Value) > 1000 {
		return fmt.Errorf("%s: value is longer than 1000 bytes", m.Name)
	}
	return nil
}

// Matches reports whether the labels satisfy the matcher.
func (m *Matcher) Matches(labels map[string]string) bool {
	v := labels[m.Name]
	switch m.Op {
	case Equal:
		return v == m.Value
	case NotEqual:
		return v != m.Value
	case Regexp:
		return m.regexp().MatchString(v)
	case NotRegexp:
		return !m.regexp().MatchString(v)
	}
	return false
}

// regexp returns the compiled expression. A matcher read back from JSON
// and never compiled is compiled here without being changed, because the
// cache's matchers are shared by concurrent requests.
func (m *Matcher) regexp() *regexp.Regexp {
	if m.re != nil {
		return m.re
	}
	re, err := regexp.Compile("^(?:" + m.Value + ")$")
	if err != nil {
		return matchNothing // a stored bad pattern must not match everything
	}
	return re
}

var matchNothing = regexp.MustCompile(`[^\s\S]`)

// matchesEmpty reports whether the matcher holds for a signal without the label.
func (m *Matcher) matchesEmpty() bool { return m.Matches(nil) }

// String writes the matcher back in the form ParseMatcher reads.
func (m Matcher) String() string { return m.Name + string(m.Op) + `"` + m.Value + `"` }

// CheckMatchers compiles each matcher, naming field in the error.
func CheckMatchers(field string, ms []Matcher) error {
	for i := range ms {
		if err := ms[i].compile(); err != nil {
			return fail.Field(field, "%s", err)
		}
	}
	return nil
}

// matchAll reports whether every matcher holds.
func matchAll(ms []Matcher, labels map[string]string) bool {
	for i := range ms {
		if !ms[i].Matches(labels) {
			return false
		}
	}
	return true
}
