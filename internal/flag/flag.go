// Package flag keeps kill switches: small feature flags that belong to a
// service, served to applications over the OpenFeature Remote Evaluation
// Protocol (OFREP) so that a feature of an app that ships slowly can be
// turned off from the server during an incident. A switch has a definition
// (type, variants, default, targeting rules) and a live state: "" serves
// the definition, a variant name serves that variant to everyone (a flip).
// Every change is kept as a revision. The package knows no HTTP and no SQL.
package flag

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// Type is the type of a switch's values.
type Type string

// The switch types.
const (
	Boolean Type = "boolean"
	String  Type = "string"
	Number  Type = "number"
)

// Reasons an evaluation gives, as OpenFeature names them.
const (
	ReasonStatic         = "STATIC"
	ReasonTargetingMatch = "TARGETING_MATCH"
	ReasonDefault        = "DEFAULT"
	ReasonDisabled       = "DISABLED"
	ReasonError          = "ERROR"
)

// Error codes of a failed evaluation, as OFREP names them.
const (
	ErrFlagNotFound        = "FLAG_NOT_FOUND"
	ErrParse               = "PARSE_ERROR"
	ErrTargetingKeyMissing = "TARGETING_KEY_MISSING"
	ErrInvalidContext      = "INVALID_CONTEXT"
	ErrTypeMismatch        = "TYPE_MISMATCH"
	ErrGeneral             = "GENERAL"
)

// Sources of a switch's definition.
const (
	SourceConfig = "config" // the config file; changed only there
	SourceAPI    = "api"    // the web UI, API or CLI
)

// Default is the state of a switch that serves its definition (rules and
// default variant), and the word a flip takes to return to it.
const Default = "default"

// Switch is a kill switch of a service.
type Switch struct {
	Key            string         `json:"key"`
	Service        string         `json:"service"`
	Description    string         `json:"description"`
	Type           Type           `json:"type"`
	Variants       map[string]any `json:"variants"`
	DefaultVariant string         `json:"default_variant"`
	Rules          []Rule         `json:"rules"`
	// Enabled false serves the default variant to everyone with reason
	// DISABLED, whatever the state.
	Enabled bool `json:"enabled"`
	// State is "" to serve the definition, or the variant served to
	// everyone since the last flip.
	State string `json:"state"`
	// Incident is the incident the last flip was made during, if any.
	Incident string `json:"incident,omitempty"`
	Source   string `json:"source"`
	// Version counts the switch's changes, from 1.
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

// Flipped reports whether the switch serves one variant to everyone instead
// of its definition.
func (s Switch) Flipped() bool { return s.State != "" }

// StateName is the state as people read it: "default" or the variant.
func (s Switch) StateName() string {
	if s.State == "" {
		return Default
	}
	return s.State
}

// Rule serves Variant when every condition holds. Rules are tried in order.
type Rule struct {
	Conditions []Condition `json:"conditions"`
	Variant    string      `json:"variant"`
}

// Op compares a context attribute with a condition's value.
type Op string

// The operators. The semver ones compare semantic versions (semver.org
// precedence, "v" prefix allowed); the others compare strings.
const (
	OpEq         Op = "eq"
	OpNe         Op = "ne"
	OpIn         Op = "in"
	OpNotIn      Op = "not_in"
	OpStartsWith Op = "starts_with"
	OpSemverLt   Op = "semver_lt"
	OpSemverLe   Op = "semver_le"
	OpSemverGt   Op = "semver_gt"
	OpSemverGe   Op = "semver_ge"
	OpSemverEq   Op = "semver_eq"
)

// Ops lists every operator.
var Ops = []Op{OpEq, OpNe, OpIn, OpNotIn, OpStartsWith, OpSemverLt, OpSemverLe, OpSemverGt, OpSemverGe, OpSemverEq}

// Condition holds when the context's attribute compares with the value (or
// for in and not_in, the values) as Op says.
type Condition struct {
	Attribute string   `json:"attribute"`
	Op        Op       `json:"op"`
	Value     string   `json:"value,omitempty"`
	Values    []string `json:"values,omitempty"`
}

// Limits keep a switch small: the whole set is evaluated per bulk request.
const (
	MaxKeyLen      = 100
	MaxVariants    = 20
	MaxRules       = 50
	MaxConditions  = 20
	MaxDescription = 1000
	MaxValueLen    = 1000
)

var keyPattern = regexp.MustCompile(`^[a-z0-9._-]+$`)

// CheckKey refuses a key that is not 1-100 of [a-z0-9._-].
func CheckKey(key string) error {
	if key == "" || len(key) > MaxKeyLen || !keyPattern.MatchString(key) {
		return fail.Field("key", "must be 1-%d characters of a-z, 0-9, '.', '_' and '-'; got %q", MaxKeyLen, key)
	}
	return nil
}

// Check validates the definition and state, naming the field at fault, and
// normalises values (JSON numbers become float64).
func (s *Switch) Check() error {
	if err := CheckKey(s.Key); err != nil {
		return err
	}
	if strings.TrimSpace(s.Service) == "" {
		return fail.Field("service", "is required")
	}
	if utf8.RuneCountInString(s.Description) > MaxDescription {
		return fail.Field("description", "is longer than %d characters", MaxDescription)
	}
	switch s.Type {
	case Boolean, String, Number:
	case "":
		s.Type = Boolean
	default:
		return fail.Field("type", "must be boolean, string or number; got %q", s.Type)
	}
	if s.Type == Boolean && len(s.Variants) == 0 {
		s.Variants = map[string]any{"on": true, "off": false}
	}
	if err := s.checkVariants(); err != nil {
		return err
	}
	if s.DefaultVariant == "" && s.Type == Boolean {
		s.DefaultVariant = "on"
	}
	if _, ok := s.Variants[s.DefaultVariant]; !ok {
		return fail.Field("default_variant", "must name one of the variants (%s); got %q", strings.Join(s.VariantNames(), ", "), s.DefaultVariant)
	}
	if len(s.Rules) > MaxRules {
		return fail.Field("rules", "has %d rules; at most %d", len(s.Rules), MaxRules)
	}
	for i := range s.Rules {
		if err := s.checkRule(i); err != nil {
			return err
		}
	}
	if s.State != "" {
		if _, ok := s.Variants[s.State]; !ok {
			return fail.Field("state", "must be %q or one of the variants (%s); got %q", Default, strings.Join(s.VariantNames(), ", "), s.State)
		}
	}
	return nil
}

func (s *Switch) checkVariants() error {
	if len(s.Variants) == 0 {
		return fail.Field("variants", "name at least one variant")
	}
	if len(s.Variants) > MaxVariants {
		return fail.Field("variants", "has %d variants; at most %d", len(s.Variants), MaxVariants)
	}
	for name, v := range s.Variants {
		field := "variants." + name
		if name == "" || name == Default || len(name) > MaxKeyLen || !keyPattern.MatchString(name) {
			return fail.Field(field, "a variant name must be 1-%d characters of a-z, 0-9, '.', '_' and '-', and not %q", MaxKeyLen, Default)
		}
		norm, err := normalise(s.Type, v)
		if err != nil {
			return fail.Field(field, "%s", err.Error())
		}
		s.Variants[name] = norm
	}
	return nil
}

// normalise checks that v is a value of type t and returns it in the one Go
// form each type has: bool, string or float64.
func normalise(t Type, v any) (any, error) {
	switch t {
	case Boolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, fmt.Errorf("must be true or false for a boolean switch; got %s", describe(v))
	case String:
		if str, ok := v.(string); ok {
			if utf8.RuneCountInString(str) > MaxValueLen {
				return nil, fmt.Errorf("is longer than %d characters", MaxValueLen)
			}
			return str, nil
		}
		return nil, fmt.Errorf("must be a string for a string switch; got %s", describe(v))
	case Number:
		var f float64
		switch n := v.(type) {
		case float64:
			f = n
		case int:
			f = float64(n)
		case int64:
			f = float64(n)
		case json.Number:
			var err error
			if f, err = n.Float64(); err != nil {
				return nil, fmt.Errorf("must be a number; got %s", n)
			}
		default:
			return nil, fmt.Errorf("must be a number for a number switch; got %s", describe(v))
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("must be a finite number")
		}
		return f, nil
	}
	return nil, fmt.Errorf("unknown type %q", t)
}

func describe(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%T", v)
	}
	return string(b)
}

func (s *Switch) checkRule(i int) error {
	r := s.Rules[i]
	field := fmt.Sprintf("rules[%d]", i)
	if _, ok := s.Variants[r.Variant]; !ok {
		return fail.Field(field+".variant", "must name one of the variants (%s); got %q", strings.Join(s.VariantNames(), ", "), r.Variant)
	}
	if len(r.Conditions) == 0 {
		return fail.Field(field+".conditions", "name at least one condition (a rule for everyone is the default variant)")
	}
	if len(r.Conditions) > MaxConditions {
		return fail.Field(field+".conditions", "has %d conditions; at most %d", len(r.Conditions), MaxConditions)
	}
	for j, c := range r.Conditions {
		if err := c.check(fmt.Sprintf("%s.conditions[%d]", field, j)); err != nil {
			return err
		}
	}
	return nil
}

func (c Condition) check(field string) error {
	if c.Attribute == "" || len(c.Attribute) > MaxKeyLen {
		return fail.Field(field+".attribute", "must be 1-%d characters", MaxKeyLen)
	}
	if !slices.Contains(Ops, c.Op) {
		return fail.Field(field+".op", "must be one of %s; got %q", opNames(), c.Op)
	}
	if c.Op == OpIn || c.Op == OpNotIn {
		if len(c.Values) == 0 || c.Value != "" {
			return fail.Field(field+".values", "%s takes a list in values (and no value)", c.Op)
		}
		return nil
	}
	if len(c.Values) > 0 {
		return fail.Field(field+".values", "%s takes one value, not a list", c.Op)
	}
	if c.isSemver() {
		if _, ok := parseVersion(c.Value); !ok {
			return fail.Field(field+".value", "must be a semantic version such as 5.2.0; got %q", c.Value)
		}
	}
	return nil
}

func (c Condition) isSemver() bool { return strings.HasPrefix(string(c.Op), "semver_") }

func opNames() string {
	names := make([]string, len(Ops))
	for i, o := range Ops {
		names[i] = string(o)
	}
	return strings.Join(names, ", ")
}

// VariantNames returns the variant names in order.
func (s *Switch) VariantNames() []string {
	names := make([]string, 0, len(s.Variants))
	for n := range s.Variants {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Clone returns a deep copy, so a snapshot's switches are never shared with
// code that changes them.
func (s Switch) Clone() Switch {
	c := s
	c.Variants = make(map[string]any, len(s.Variants))
	for k, v := range s.Variants {
		c.Variants[k] = v
	}
	c.Rules = make([]Rule, len(s.Rules))
	for i, r := range s.Rules {
		c.Rules[i] = Rule{Variant: r.Variant, Conditions: slices.Clone(r.Conditions)}
		for j := range c.Rules[i].Conditions {
			c.Rules[i].Conditions[j].Values = slices.Clone(r.Conditions[j].Values)
		}
	}
	return c
}
