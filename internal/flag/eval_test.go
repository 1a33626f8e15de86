package flag

import (
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// paymentSheet is the example: off for iOS below 5.2.0, on for
// everyone else.
func paymentSheet() Switch {
	return Switch{Key: "new-payment-sheet", Service: "checkout-api", Type: Boolean, Enabled: true, DefaultVariant: "on",
		Rules: []Rule{{Variant: "off", Conditions: []Condition{
			{Attribute: "platform", Op: OpEq, Value: "ios"},
			{Attribute: "appVersion", Op: OpSemverLt, Value: "5.2.0"},
		}}}}
}

func TestEvaluateTargeting(t *testing.T) {
	sw := paymentSheet()
	if err := sw.Check(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		ctx     Context
		value   bool
		variant string
		reason  string
	}{
		{Context{"platform": "ios", "appVersion": "5.1.9"}, false, "off", ReasonTargetingMatch},
		{Context{"platform": "ios", "appVersion": "v5.2.0-rc.1"}, false, "off", ReasonTargetingMatch},
		{Context{"platform": "ios", "appVersion": "5.2.0"}, true, "on", ReasonDefault},
		{Context{"platform": "android", "appVersion": "5.1.0"}, true, "on", ReasonDefault},
		{Context{"platform": "ios"}, true, "on", ReasonDefault},
		{Context{"platform": "ios", "appVersion": "not-a-version"}, true, "on", ReasonDefault},
		{Context{"platform": "ios", "appVersion": 5.1}, false, "off", ReasonTargetingMatch},
	}
	for _, c := range cases {
		r := sw.Evaluate(c.ctx)
		if r.Value != c.value || r.Variant != c.variant || r.Reason != c.reason || r.ErrorCode != "" {
			t.Errorf("%v: got %+v, want %v %s %s", c.ctx, r, c.value, c.variant, c.reason)
		}
	}
	sw.State = "off"
	if r := sw.Evaluate(Context{"platform": "android"}); r.Value != false || r.Reason != ReasonStatic {
		t.Errorf("flipped off: %+v", r)
	}
	sw.Enabled = false
	if r := sw.Evaluate(Context{}); r.Value != true || r.Reason != ReasonDisabled {
		t.Errorf("disabled: %+v", r)
	}
}

func TestEvaluateOperators(t *testing.T) {
	sw := Switch{Key: "theme", Service: "web", Type: String, Enabled: true, DefaultVariant: "plain",
		Variants: map[string]any{"plain": "plain", "dark": "dark", "beta": "beta", "old": "old"},
		Rules: []Rule{
			{Variant: "beta", Conditions: []Condition{{Attribute: "targetingKey", Op: OpStartsWith, Value: "staff-"}}},
			{Variant: "dark", Conditions: []Condition{{Attribute: "country", Op: OpIn, Values: []string{"KR", "JP"}}}},
			{Variant: "old", Conditions: []Condition{{Attribute: "appVersion", Op: OpSemverLe, Value: "1.0.0"},
				{Attribute: "country", Op: OpNotIn, Values: []string{"US"}}, {Attribute: "tier", Op: OpNe, Value: "gold"}}},
		}}
	if err := sw.Check(); err != nil {
		t.Fatal(err)
	}
	for ctx, want := range map[string]string{
		"staff-1|KR|2.0.0|": "beta", "user-1|KR|2.0.0|": "dark", "user-1|US|0.9.0|": "plain",
		"user-1|DE|1.0.0|": "old", "user-1|DE|1.0.0|gold": "plain", "user-1|DE|1.0.1|": "plain",
	} {
		p := strings.Split(ctx, "|")
		c := Context{"targetingKey": p[0], "country": p[1], "appVersion": p[2]}
		if p[3] != "" {
			c["tier"] = p[3]
		}
		if r := sw.Evaluate(c); r.Variant != want {
			t.Errorf("%s: variant %s (%s), want %s", ctx, r.Variant, r.Reason, want)
		}
	}
	if r := sw.Evaluate(Context{"country": "KR"}); r.ErrorCode != ErrTargetingKeyMissing || r.Reason != ReasonError {
		t.Errorf("no targeting key: %+v", r)
	}
}

func TestCheckNamesTheField(t *testing.T) {
	cases := []struct {
		change func(*Switch)
		field  string
	}{
		{func(s *Switch) { s.Key = "Bad Key" }, "key"},
		{func(s *Switch) { s.Service = "" }, "service"},
		{func(s *Switch) { s.Type = "object" }, "type"},
		{func(s *Switch) { s.DefaultVariant = "maybe" }, "default_variant"},
		{func(s *Switch) { s.Variants = map[string]any{"on": "yes", "off": false} }, "variants.on"},
		{func(s *Switch) { s.Rules[0].Variant = "nope" }, "rules[0].variant"},
		{func(s *Switch) { s.Rules[0].Conditions[1].Op = "lt" }, "rules[0].conditions[1].op"},
		{func(s *Switch) { s.Rules[0].Conditions[1].Value = "five" }, "rules[0].conditions[1].value"},
		{func(s *Switch) { s.Rules[0].Conditions[0].Op = OpIn }, "rules[0].conditions[0].values"},
		{func(s *Switch) { s.State = "maybe" }, "state"},
	}
	for _, c := range cases {
		sw := paymentSheet()
		sw.Variants = map[string]any{"on": true, "off": false}
		c.change(&sw)
		err := sw.Check()
		e, ok := fail.As(err)
		if !ok || e.Code != fail.Invalid || e.Field != c.field {
			t.Errorf("want an invalid %s, got %v", c.field, err)
		}
	}
	n := Switch{Key: "limit", Service: "api", Type: Number, Variants: map[string]any{"low": 10, "high": 100.5}, DefaultVariant: "low"}
	if err := n.Check(); err != nil || n.Variants["low"] != float64(10) {
		t.Fatalf("number switch: %v %#v", err, n.Variants)
	}
}
