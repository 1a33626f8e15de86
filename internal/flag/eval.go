package flag

import (
	"slices"
	"strconv"
	"strings"
)

// TargetingKey is the context attribute OpenFeature reserves for the
// subject of an evaluation (a user or device id).
const TargetingKey = "targetingKey"

// Context is an evaluation context as an application sends it: attribute
// names to JSON values.
type Context map[string]any

// Result is the outcome of evaluating a switch for a context. On failure
// ErrorCode is set and Reason is ERROR.
type Result struct {
	Key          string
	Value        any
	Variant      string
	Reason       string
	ErrorCode    string
	ErrorDetails string
}

// Evaluate returns what s serves to ctx: the default variant when disabled,
// the flipped-to variant, the first matching rule's variant, or the default.
// It reads s only and allocates little: it runs on every request.
func (s *Switch) Evaluate(ctx Context) Result {
	if !s.Enabled {
		return s.result(s.DefaultVariant, ReasonDisabled)
	}
	if s.State != "" {
		return s.result(s.State, ReasonStatic)
	}
	for _, r := range s.Rules {
		match, missingKey := r.matches(ctx)
		if missingKey {
			return Result{Key: s.Key, Reason: ReasonError, ErrorCode: ErrTargetingKeyMissing,
				ErrorDetails: "a targeting rule of " + s.Key + " needs targetingKey in the context"}
		}
		if match {
			return s.result(r.Variant, ReasonTargetingMatch)
		}
	}
	if len(s.Rules) == 0 {
		return s.result(s.DefaultVariant, ReasonStatic)
	}
	return s.result(s.DefaultVariant, ReasonDefault)
}

func (s *Switch) result(variant, reason string) Result {
	return Result{Key: s.Key, Value: s.Variants[variant], Variant: variant, Reason: reason}
}

// matches reports whether every condition holds; missingKey is set when a
// condition needs the targeting key and the context has none.
func (r Rule) matches(ctx Context) (match, missingKey bool) {
	for _, c := range r.Conditions {
		v, ok := attribute(ctx, c.Attribute)
		if !ok && c.Attribute == TargetingKey {
			return false, true
		}
		if !c.holds(v, ok) {
			return false, false
		}
	}
	return true, false
}

// attribute returns the context's attribute as text: strings as they are,
// numbers and booleans as JSON writes them. Objects, lists and null count as
// absent: no operator compares them.
func attribute(ctx Context, name string) (string, bool) {
	switch v := ctx[name].(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// holds compares the attribute value v (present says whether the context
// has it). An absent attribute satisfies only the negative operators, so
// "off for old iOS versions" leaves a context without a version on.
func (c Condition) holds(v string, present bool) bool {
	switch c.Op {
	case OpNe:
		return !present || v != c.Value
	case OpNotIn:
		return !present || !slices.Contains(c.Values, v)
	}
	if !present {
		return false
	}
	switch c.Op {
	case OpEq:
		return v == c.Value
	case OpIn:
		return slices.Contains(c.Values, v)
	case OpStartsWith:
		return strings.HasPrefix(v, c.Value)
	}
	have, ok := parseVersion(v)
	want, _ := parseVersion(c.Value) // checked when the switch was stored
	if !ok {
		return false // not a version: no version rule applies
	}
	cmp := compareVersions(have, want)
	switch c.Op {
	case OpSemverLt:
		return cmp < 0
	case OpSemverLe:
		return cmp <= 0
	case OpSemverGt:
		return cmp > 0
	case OpSemverGe:
		return cmp >= 0
	case OpSemverEq:
		return cmp == 0
	}
	return false
}
