package review

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
	"github.com/firebreak-oss/firebreak/internal/i18n"
)

// builtinVagueRules are the rules every installation starts from.
//
//go:embed vague_rules.yaml
var builtinVagueRules []byte

// VagueRule spots one kind of wording without a checkable outcome.
type VagueRule struct {
	ID       string            `yaml:"id"`
	Patterns []string          `yaml:"patterns"`
	Advice   map[string]string `yaml:"advice"`  // by language
	Example  map[string]string `yaml:"example"` // a concrete rewrite, by language
	compiled []*regexp.Regexp
}

// VagueFinding is one rule that an item's wording set off.
type VagueFinding struct {
	Rule    string `json:"rule"`
	Matched string `json:"matched"`
	Advice  string `json:"advice"`
	// Suggestion is a concrete, checkable rewrite to start from.
	Suggestion string `json:"suggestion"`
}

// VagueChecker flags action items without a checkable outcome. It advises;
// nothing is ever refused because of it.
type VagueChecker struct{ rules []VagueRule }

// NewVagueChecker returns a checker with the built-in rules and then extra.
func NewVagueChecker(extra []VagueRule) (*VagueChecker, error) {
	rules, err := ParseVagueRules("vague_rules.yaml", builtinVagueRules)
	if err != nil {
		return nil, err
	}
	return &VagueChecker{rules: append(rules, extra...)}, nil
}

// Check returns the findings for an item's title and description, in the
// viewer's language (en or ko). Each rule reports at most once.
func (c *VagueChecker) Check(title, description, lang string) []VagueFinding {
	text := title + "\n" + description
	out := []VagueFinding{}
	for _, r := range c.rules {
		for _, re := range r.compiled {
			if m := re.FindString(text); m != "" {
				out = append(out, VagueFinding{Rule: r.ID, Matched: strings.TrimSpace(m), Advice: pick(r.Advice, lang), Suggestion: pick(r.Example, lang)})
				break
			}
		}
	}
	return out
}

// pick returns the text in lang, else in the fallback language, else any.
func pick(m map[string]string, lang string) string {
	if s := m[lang]; s != "" {
		return s
	}
	if s := m[i18n.Languages[0]]; s != "" {
		return s
	}
	for _, s := range m {
		return s
	}
	return ""
}

// LoadVagueRules reads a team's rule file.
func LoadVagueRules(path string) ([]VagueRule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("vague rules: %w", err)
	}
	return ParseVagueRules(path, data)
}

// ParseVagueRules reads a rule file: a top-level "rules" list whose entries
// have an id, patterns (Go regular expressions) and advice and example
// texts keyed by language. Problems come back as confyaml.Errors.
func ParseVagueRules(filename string, data []byte) ([]VagueRule, error) {
	var doc struct {
		Rules []VagueRule `yaml:"rules"`
	}
	var node yaml.Node
	if err := yaml.Unmarshal(data, &node); err != nil {
		return nil, confyaml.Errors{confyaml.SyntaxError(filename, data, err)}
	}
	if err := node.Decode(&doc); err != nil {
		var te *yaml.TypeError
		msg := err.Error()
		if errors.As(err, &te) {
			msg = strings.Join(te.Errors, "; ")
		}
		return nil, confyaml.Errors{{File: filename, Field: "rules", Message: msg}}
	}
	var errs confyaml.Errors
	seen := map[string]bool{}
	for i := range doc.Rules {
		r := &doc.Rules[i]
		at := ruleNode(&node, i)
		path := fmt.Sprintf("rules[%d]", i)
		fe := func(field, format string, args ...any) {
			errs = append(errs, confyaml.FieldError{File: filename, Line: at.Line, Column: at.Column, Field: path + field, Message: fmt.Sprintf(format, args...)})
		}
		switch {
		case r.ID == "":
			fe(".id", "is required")
		case seen[r.ID]:
			fe(".id", "%q is given twice", r.ID)
		}
		seen[r.ID] = true
		if len(r.Patterns) == 0 {
			fe(".patterns", "needs at least one pattern")
		}
		for j, p := range r.Patterns {
			re, err := regexp.Compile(p)
			if err != nil {
				fe(fmt.Sprintf(".patterns[%d]", j), "not a regular expression: %v", err)
				continue
			}
			r.compiled = append(r.compiled, re)
		}
		if pick(r.Advice, "en") == "" {
			fe(".advice", "needs a text (en, ko)")
		}
		if pick(r.Example, "en") == "" {
			fe(".example", "needs a concrete rewrite (en, ko)")
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return doc.Rules, nil
}

// ruleNode finds the YAML node of rule i, for error positions.
func ruleNode(doc *yaml.Node, i int) *yaml.Node {
	if len(doc.Content) == 0 {
		return doc
	}
	root := doc.Content[0]
	for k := 0; k+1 < len(root.Content); k += 2 {
		if root.Content[k].Value == "rules" && i < len(root.Content[k+1].Content) {
			return root.Content[k+1].Content[i]
		}
	}
	return root
}
