package review

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
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
	ID string `yaml:"id"`
	// Phrases match by lemma: each is a list of slots, a slot is words
	// separated by "|", and a phrase matches when every slot has a word in
	// the item.
	Phrases  [][]string        `yaml:"phrases"`
	Patterns []string          `yaml:"patterns"` // regular expressions on the text as written
	Always   bool              `yaml:"always"`   // flag even an item that names something checkable
	Advice   map[string]string `yaml:"advice"`   // by language
	Example  map[string]string `yaml:"example"`  // a concrete rewrite, by language
	compiled []*regexp.Regexp
	phrases  [][]map[string]bool
	builtin  bool // suggests by topic; a team's rule suggests its own example
}

// VagueFinding is one rule that an item's wording set off.
type VagueFinding struct {
	Rule    string `json:"rule"`
	Matched string `json:"matched"`
	Advice  string `json:"advice"`
	// Suggestion is a concrete, checkable rewrite to start from, on the
	// item's topic and in the item's language.
	Suggestion string `json:"suggestion"`
}

// VagueChecker flags action items without a checkable outcome. It advises;
// nothing is ever refused because of it.
type VagueChecker struct {
	rules    []VagueRule
	concrete concreteWords
	rewrites []rewrite
}

// NewVagueChecker returns a checker with the built-in rules and then extra.
func NewVagueChecker(extra []VagueRule) (*VagueChecker, error) {
	f, err := parseVagueFile("vague_rules.yaml", builtinVagueRules)
	if err != nil {
		return nil, err
	}
	for i := range f.rules {
		f.rules[i].builtin = true
	}
	return &VagueChecker{rules: append(f.rules, extra...), concrete: f.concrete, rewrites: f.rewrites}, nil
}

// Check returns the findings for an item's title and description, with the
// advice in the viewer's language (en or ko). Each rule reports at most once.
func (c *VagueChecker) Check(title, description, lang string) []VagueFinding {
	return c.CheckItem(title, description, lang, nil)
}

// CheckItem is Check for an item of an incident on the given services: the
// suggested rewrite names the first of them.
func (c *VagueChecker) CheckItem(title, description, lang string, services []string) []VagueFinding {
	text := title + "\n" + description
	words := lemmas(text)
	out := []VagueFinding{}
	for _, r := range c.rules {
		matched, used := r.match(text, words)
		if matched == "" {
			continue
		}
		if !r.Always && c.concrete.in(text, words, used) {
			continue
		}
		out = append(out, VagueFinding{Rule: r.ID, Matched: matched, Advice: pick(r.Advice, lang),
			Suggestion: c.suggest(r, words, itemLang(text), services)})
	}
	return out
}

// IsVague reports whether any rule flags the text.
func (c *VagueChecker) IsVague(title string) bool { return len(c.Check(title, "", "en")) > 0 }

// match returns the words that set the rule off (empty: none) and which of
// the item's words they were.
func (r *VagueRule) match(text string, words []lemma) (string, map[int]bool) {
	for _, p := range r.phrases {
		used := map[int]bool{}
		var shown []string
		for _, slot := range p {
			at := slices.IndexFunc(words, func(l lemma) bool { return slot[l.text] })
			if at < 0 {
				shown = nil
				break
			}
			used[at] = true
			shown = append(shown, words[at].word)
		}
		if shown != nil {
			return strings.Join(shown, " … "), used
		}
	}
	for _, re := range r.compiled {
		if m := re.FindString(text); m != "" {
			return strings.TrimSpace(m), map[int]bool{}
		}
	}
	return "", nil
}

// itemLang is the language an item is written in: Korean when it has any
// Hangul, else English.
func itemLang(text string) string {
	for _, r := range text {
		if isHangul(r) {
			return "ko"
		}
	}
	return "en"
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
// have an id, phrases (slots of words compared by lemma) or patterns (Go
// regular expressions), and advice and example texts keyed by language.
// Problems come back as confyaml.Errors.
func ParseVagueRules(filename string, data []byte) ([]VagueRule, error) {
	f, err := parseVagueFile(filename, data)
	if err != nil {
		return nil, err
	}
	return f.rules, nil
}

// vagueFile is a parsed rule file.
type vagueFile struct {
	rules    []VagueRule
	concrete concreteWords
	rewrites []rewrite
}

func parseVagueFile(filename string, data []byte) (*vagueFile, error) {
	var doc struct {
		Rules    []VagueRule `yaml:"rules"`
		Concrete struct {
			Verbs     string `yaml:"verbs"`
			Artefacts string `yaml:"artefacts"`
		} `yaml:"concrete"`
		Rewrites []rewrite `yaml:"rewrites"`
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
		if len(r.Patterns) == 0 && len(r.Phrases) == 0 {
			fe(".patterns", "needs at least one pattern or phrase")
		}
		for _, p := range r.Phrases {
			r.phrases = append(r.phrases, lemmaSlots(p))
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
	for i := range doc.Rewrites {
		doc.Rewrites[i].words = lemmaSet(doc.Rewrites[i].Words)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &vagueFile{rules: doc.Rules, rewrites: doc.Rewrites, concrete: concreteWords{
		verbs: lemmaSet(doc.Concrete.Verbs), artefacts: lemmaSet(doc.Concrete.Artefacts)}}, nil
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
