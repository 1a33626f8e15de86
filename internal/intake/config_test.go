package intake

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// knownServices stands for the catalog in tests that need one.
func knownServices(name string) bool { return name == "checkout-api" || name == "ledger" }

// describeMatchers writes matchers as they would be written in the file, so
// tests can compare them without comparing compiled regexps.
func describeMatchers(ms []Matcher) []string {
	out := []string{}
	for _, m := range ms {
		s := m.Label + "="
		if m.Negate {
			s += "!"
		}
		if m.Regexp != nil {
			s += "~" + m.Value + " " + m.Regexp.String()
		} else {
			s += m.Value
		}
		out = append(out, s)
	}
	return out
}

func reString(re *regexp.Regexp) string {
	if re == nil {
		return "<nil>"
	}
	return re.String()
}

func TestLoadConfigValid(t *testing.T) {
	const path = "testdata/config/valid.yaml"
	// The services come from the catalog sections of the same file, as they
	// will when Firebreak starts.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Parse(path, data)
	if err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(path, func(name string) bool { _, ok := cat.Service(name); return ok })
	if err != nil {
		t.Fatal(err)
	}

	if c.Alertmanager != (TokenSource{Token: "s3cret-am"}) || !c.Alertmanager.Enabled() {
		t.Errorf("Alertmanager = %+v", c.Alertmanager)
	}
	if c.Grafana != (TokenSource{Token: "s3cret-grafana"}) || !c.Grafana.Enabled() {
		t.Errorf("Grafana = %+v", c.Grafana)
	}
	if c.Generic != (GenericSource{Secret: "hmac-secret", ReplayWindow: 2 * time.Minute}) || !c.Generic.Enabled() {
		t.Errorf("Generic = %+v", c.Generic)
	}
	if c.Slack != (SlackSource{SigningSecret: "abc"}) || !c.Slack.Enabled() {
		t.Errorf("Slack = %+v", c.Slack)
	}
	if c.Form != (FormLimits{RateLimit: 20, RateWindow: time.Hour}) {
		t.Errorf("Form = %+v", c.Form)
	}
	if want := []string{"alertname", "service", "instance"}; !slices.Equal(c.DedupLabels, want) {
		t.Errorf("DedupLabels = %q, want %q", c.DedupLabels, want)
	}

	var gotMail []string
	for _, r := range c.Email {
		gotMail = append(gotMail, fmt.Sprintf("line %d: from %s subject %s -> %q %s %s",
			r.Line, reString(r.From), reString(r.Subject), r.Service, r.Grade, r.Action))
	}
	wantMail := []string{
		`line 21: from (?i)^alerts@monitoring\.example\.com$ subject (?i)payment|결제 -> "checkout-api" SEV3 declare`,
		`line 26: from <nil> subject DOWN -> "" SEV4 triage`,
	}
	if !slices.Equal(gotMail, wantMail) {
		t.Errorf("Email =\n%s\nwant\n%s", strings.Join(gotMail, "\n"), strings.Join(wantMail, "\n"))
	}

	var gotRoutes []string
	for _, r := range c.Routes {
		gotRoutes = append(gotRoutes, fmt.Sprintf("line %d: %q -> %q %s %s by %q",
			r.Line, describeMatchers(r.Matchers), r.Service, r.Grade, r.Action, r.GroupBy))
	}
	wantRoutes := []string{
		`line 33: ["service=checkout-api" "severity=~critical|page ^(?:critical|page)$"] -> "checkout-api" SEV2 declare by ["alertname" "service"]`,
		`line 40: ["team=!payments" "env=!~staging|dev ^(?:staging|dev)$"] -> "" SEV4 triage by ["alertname"]`,
		`line 44: [] -> "" SEV5 triage by ["alertname"]`,
	}
	if !slices.Equal(gotRoutes, wantRoutes) {
		t.Errorf("Routes =\n%s\nwant\n%s", strings.Join(gotRoutes, "\n"), strings.Join(wantRoutes, "\n"))
	}
}

func TestParseConfigDefaults(t *testing.T) {
	inputs := map[string]string{
		"empty file":     "",
		"only comments":  "# nothing yet\n",
		"null document":  "~\n",
		"other sections": "teams:\n  - name: payments\nservices: []\npolicy: {rules: [1, 2]}\n",
		"null intake":    "intake:\n",
		"empty intake":   "intake: {}\n",
		"empty lists":    "intake:\n  email: []\n  routes:\n  dedup_labels: []\n",
		"null sections":  "intake:\n  alertmanager:\n  grafana: ~\n  generic:\n  slack:\n  form:\n",
		"null values":    "intake:\n  generic: {secret: x, replay_window: }\n  form: {rate_limit: , rate_window: }\n",
		"unknown at top": "intak:\n  routes: 5\n", // another package's, or nobody's: not ours to judge
	}
	want := Config{
		Generic: GenericSource{ReplayWindow: 5 * time.Minute},
		Form:    FormLimits{RateLimit: 5, RateWindow: 10 * time.Minute},
	}
	if got := DefaultConfig(); !reflect.DeepEqual(*got, want) {
		t.Errorf("DefaultConfig() = %+v, want %+v", *got, want)
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			c, err := ParseConfig("firebreak.yaml", []byte(in), knownServices)
			if err != nil {
				t.Fatal(err)
			}
			got := *c
			got.Generic.Secret = "" // set by "null values", to show the section is read
			if !reflect.DeepEqual(got, want) {
				t.Errorf("config = %+v, want %+v", got, want)
			}
			if c.Alertmanager.Enabled() || c.Grafana.Enabled() || c.Slack.Enabled() {
				t.Errorf("a source is enabled without a credential: %+v", c)
			}
			if _, ok := c.Route(map[string]string{"alertname": "x"}); ok {
				t.Errorf("Route() matched with no routes")
			}
			if _, ok := c.MailRoute("a@example.com", "x"); ok {
				t.Errorf("MailRoute() matched with no rules")
			}
		})
	}
}

func TestParseConfigRuleDefaults(t *testing.T) {
	in := `
intake:
  email:
    - subject: down
      grade: 3
  routes:
    - grade: SEV2
    - grade: sev1
      action:
      match:
`
	c, err := ParseConfig("firebreak.yaml", []byte(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	wantRoutes := []Route{
		{Grade: incident.SEV2, Action: ActionTriage, GroupBy: []string{"alertname"}, Line: 7},
		{Grade: incident.SEV1, Action: ActionTriage, GroupBy: []string{"alertname"}, Line: 8},
	}
	if !reflect.DeepEqual(c.Routes, wantRoutes) {
		t.Errorf("Routes = %+v, want %+v", c.Routes, wantRoutes)
	}
	// Each route has a GroupBy of its own, so changing one changes no other.
	c.Routes[0].GroupBy[0] = "changed"
	if c.Routes[1].GroupBy[0] != "alertname" {
		t.Errorf("routes share their default GroupBy")
	}
	if len(c.Email) != 1 || c.Email[0].Action != ActionTriage || c.Email[0].Grade != incident.SEV3 || c.Email[0].From != nil {
		t.Errorf("Email = %+v", c.Email)
	}
}

func TestLoadConfigInvalid(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"unknown_fields.yaml", []string{
			`4:5: intake.alertmanager.tokne: unknown field`,
			`7:5: intake.generic.window: unknown field`,
			`11:7: intake.email[0].to: unknown field`,
			`13:5: intake.form.limit: unknown field`,
			`16:7: intake.routes[0].matches: unknown field`,
			`18:7: intake.routes[0].grade: given twice (first at line 17)`,
			`21:7: intake.routes[2].<<: merge keys are not supported`,
			`21:7: intake.routes[2].grade: required`,
			`23:3: intake.route: unknown field`,
			`25:3: intake.grafana: given twice (first at line 24)`,
		}},
		{"types.yaml", []string{
			`2:17: intake.alertmanager: must be a mapping; got string "s3cret"`,
			`4:12: intake.grafana.token: must be a string; got a list`,
			`6:21: intake.slack.signing_secret: must be a string; got a mapping`,
			`8:5: intake.email: must be a list; got a mapping`,
			`10:17: intake.form.rate_limit: must be an integer from 1 to 1000; got string "five"`,
			`11:18: intake.form.rate_window: must be a duration such as "10m"; got integer "300"`,
			`12:17: intake.dedup_labels: must be a list; got string "alertname"`,
			`14:7: intake.routes[0]: must be a mapping; got string "severity=page"`,
			`15:14: intake.routes[1].match: must be a mapping; got a list`,
			`18:19: intake.routes[2].match.severity: must be a string; got a list`,
			`19:15: intake.routes[2].match.team: must be a string; got a mapping`,
			`20:14: intake.routes[2].grade: must be one of SEV1, SEV2, SEV3, SEV4, SEV5; got a mapping`,
			`21:17: intake.routes[2].group_by: must be a list; got string "alertname"`,
			`22:15: intake.routes[2].action: must be a string; got a list`,
			`24:16: intake.routes[3].service: must be a string; got a list`,
		}},
		{"values.yaml", []string{
			`3:12: intake.alertmanager.token: must not be empty`,
			`5:11: intake.grafana.token: must not be empty`,
			`7:13: intake.generic.secret: must not begin or end with white space`,
			`9:20: intake.generic.replay_window: must be from 10s to 1h; got 2h`,
			`11:21: intake.slack.signing_secret: must not begin or end with white space`,
			"13:13: intake.email[0].from: error parsing regexp: missing closing ): `(alerts@example\\.com`",
			"14:16: intake.email[0].subject: error parsing regexp: missing closing ]: `[결제`",
			`15:16: intake.email[0].service: unknown service "checkout-ap"`,
			`16:14: intake.email[0].grade: must be one of SEV1, SEV2, SEV3, SEV4, SEV5; got "SEV6"`,
			`17:15: intake.email[0].action: must be "declare" or "triage"; got "page"`,
			`18:7: intake.email[1]: needs from, subject or both`,
			`20:7: intake.email[2].grade: required`,
			`20:13: intake.email[2].from: must not be empty`,
			`22:17: intake.form.rate_limit: must be from 1 to 1000; got 0`,
			`23:18: intake.form.rate_window: must be a duration such as "10m"; got string "10x"`,
			`24:29: intake.dedup_labels[1]: must not be empty`,
			`27:9: intake.routes[0].match: label names must not be empty`,
			// The message quotes the expression as written, not as anchored.
			"28:19: intake.routes[0].match.severity: error parsing regexp: missing closing ): `critical|(page`",
			"29:15: intake.routes[0].match.team: error parsing regexp: missing closing ]: `[payments`",
			`30:16: intake.routes[0].service: unknown service "checkout-ap"`,
			`31:14: intake.routes[0].grade: must be one of SEV1, SEV2, SEV3, SEV4, SEV5; got "SEV0"`,
			`32:15: intake.routes[0].action: must be "declare" or "triage"; got "Declare"`,
			`33:17: intake.routes[0].group_by: must name at least one label; leave it out to group by alertname`,
			`34:7: intake.routes[1].grade: required`,
			`36:16: intake.routes[1].service: must not be empty; leave it out for signals of no service`,
			`37:14: intake.routes[2].grade: must be one of SEV1, SEV2, SEV3, SEV4, SEV5; got "critical"`,
			`38:29: intake.routes[2].group_by[1]: must not be empty`,
		}},
		// A section written out must give its credential; a null one (all
		// commented out) turns the source off.
		{"missing.yaml", []string{
			`2:17: intake.alertmanager.token: required; leave out the alertmanager section to turn the source off`,
			`6:5: intake.generic.secret: required; leave out the generic section to turn the source off`,
			`10:18: intake.form.rate_window: must be from 1m to 24h; got 5s`,
		}},
		{"ranges.yaml", []string{
			`4:20: intake.generic.replay_window: must be from 10s to 1h; got 9s`,
			`6:17: intake.form.rate_limit: must be from 1 to 1000; got 1001`,
			`7:18: intake.form.rate_window: must be from 1m to 24h; got -5m`,
		}},
		{"toplevel.yaml", []string{
			`3:3: intake: must be a mapping; got a list`,
		}},
		{"duplicate.yaml", []string{
			`4:1: intake: section given twice (first at line 1)`,
		}},
		// Syntax errors point at the first line the file cannot be read
		// past, as the catalog's do, and name no field.
		{"syntax.yaml", []string{
			`3: did not find expected ',' or '}'`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := "testdata/config/" + tt.file
			c, err := LoadConfig(path, knownServices)
			if c != nil {
				t.Errorf("got a config along with errors")
			}
			var errs catalog.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("LoadConfig() error = %v (%T), want catalog.Errors", err, err)
			}
			got := make([]string, len(errs))
			for i, e := range errs {
				got[i] = e.Error()
			}
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = path + ":" + w
			}
			if !slices.Equal(got, want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestConfigFieldErrorParts(t *testing.T) {
	_, err := LoadConfig("testdata/config/ranges.yaml", nil)
	var fe catalog.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("errors.As found no FieldError in %v", err)
	}
	want := catalog.FieldError{
		File:    "testdata/config/ranges.yaml",
		Line:    4,
		Column:  20,
		Field:   "intake.generic.replay_window",
		Message: "must be from 10s to 1h; got 9s",
	}
	if fe != want {
		t.Errorf("first FieldError = %+v, want %+v", fe, want)
	}
}

func TestParseConfigServicesUnchecked(t *testing.T) {
	in := "intake:\n  routes:\n    - service: not-in-any-catalog\n      grade: SEV2\n"
	c, err := ParseConfig("firebreak.yaml", []byte(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Routes[0].Service != "not-in-any-catalog" {
		t.Errorf("Service = %q", c.Routes[0].Service)
	}
	_, err = ParseConfig("firebreak.yaml", []byte(in), knownServices)
	if err == nil || !strings.Contains(err.Error(), `firebreak.yaml:3:16: intake.routes[0].service: unknown service "not-in-any-catalog"`) {
		t.Errorf("with a catalog, error = %v", err)
	}
}

func TestLoadConfigMissingFile(t *testing.T) {
	_, err := LoadConfig("testdata/config/no-such-file.yaml", nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadConfig() error = %v, want one wrapping fs.ErrNotExist", err)
	}
}

func TestConfigRoute(t *testing.T) {
	in := `
intake:
  routes:
    - match:
        service: checkout-api
        severity: "~critical|page"
      grade: SEV1
    - match:
        service: checkout-api
      grade: SEV2
    - match:
        team: "!payments"
        env: "!~staging|dev.*"
      grade: SEV3
    - match:
        version: '~\Q1.2'   # a quote left open must not swallow the anchor
      grade: SEV4
    - match: {}
      grade: SEV5
`
	c, err := ParseConfig("firebreak.yaml", []byte(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		labels map[string]string
		want   incident.Grade
	}{
		{"regexp matches", map[string]string{"service": "checkout-api", "severity": "critical", "team": "payments"}, incident.SEV1},
		{"other alternative", map[string]string{"service": "checkout-api", "severity": "page", "team": "payments"}, incident.SEV1},
		// The regexp must match the whole value, so the next route takes these.
		{"regexp matches part", map[string]string{"service": "checkout-api", "severity": "pager", "team": "payments"}, incident.SEV2},
		{"regexp matches the end", map[string]string{"service": "checkout-api", "severity": "not-critical", "team": "payments"}, incident.SEV2},
		{"label missing", map[string]string{"service": "checkout-api", "team": "payments"}, incident.SEV2},
		{"negation holds", map[string]string{"team": "platform", "env": "prod"}, incident.SEV3},
		{"negation fails", map[string]string{"team": "payments", "env": "prod"}, incident.SEV5},
		{"negated regexp fails", map[string]string{"team": "platform", "env": "development"}, incident.SEV5},
		// A missing label counts as empty, which is not "payments" and does
		// not match staging|dev.*.
		{"missing labels in negations", map[string]string{}, incident.SEV3},
		{"quoted regexp", map[string]string{"team": "payments", "version": "1.2"}, incident.SEV4},
		{"quoted regexp is literal", map[string]string{"team": "payments", "version": "102"}, incident.SEV5},
		{"quoted regexp is anchored", map[string]string{"team": "payments", "version": "1.2.3"}, incident.SEV5},
		{"catch-all", map[string]string{"team": "payments", "service": "ledger"}, incident.SEV5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := c.Route(tt.labels)
			if !ok {
				t.Fatal("no route matched")
			}
			if r.Grade != tt.want {
				t.Errorf("Route(%v) gave the route with grade %s (line %d), want %s", tt.labels, r.Grade, r.Line, tt.want)
			}
		})
	}

	// Without the catch-all, a signal no route takes is not matched.
	c.Routes = c.Routes[:len(c.Routes)-1]
	if r, ok := c.Route(map[string]string{"team": "payments"}); ok {
		t.Errorf("Route() = %+v, want no match", r)
	}
}

func TestMatcher(t *testing.T) {
	re, err := fullMatch("a|b")
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"x": "a", "y": ""}
	tests := []struct {
		m    Matcher
		want bool
	}{
		{Matcher{Label: "x", Value: "a"}, true},
		{Matcher{Label: "x", Value: "b"}, false},
		{Matcher{Label: "x", Value: "a", Negate: true}, false},
		{Matcher{Label: "x", Value: "a|b", Regexp: re}, true},
		{Matcher{Label: "x", Value: "a|b", Regexp: re, Negate: true}, false},
		{Matcher{Label: "y", Value: ""}, true},
		{Matcher{Label: "z", Value: ""}, true}, // missing counts as empty
		{Matcher{Label: "z", Value: "", Negate: true}, false},
		{Matcher{Label: "z", Value: "a|b", Regexp: re}, false},
	}
	for _, tt := range tests {
		if got := tt.m.Matches(labels); got != tt.want {
			t.Errorf("%+v.Matches(%v) = %v, want %v", tt.m, labels, got, tt.want)
		}
	}
	if !(Route{}).Matches(nil) {
		t.Errorf("a route without matchers does not match everything")
	}
}

func TestConfigMailRoute(t *testing.T) {
	in := `
intake:
  email:
    - from: '(?i)^alerts@monitoring\.example\.com$'
      subject: '(?i)payment|결제'
      service: checkout-api
      grade: SEV2
      action: declare
    - from: '@monitoring\.example\.com$'
      grade: SEV3
    - subject: '^\[DOWN\]'
      grade: SEV4
    - subject: 'DOWN'
      grade: SEV5
`
	c, err := ParseConfig("firebreak.yaml", []byte(in), knownServices)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from, subject string
		want          incident.Grade // 0: no rule
	}{
		{"Alerts@Monitoring.example.com", "Payment errors high", incident.SEV2},
		{"alerts@monitoring.example.com", "결제 실패율 증가", incident.SEV2},
		{"alerts@monitoring.example.com", "Disk full", incident.SEV3},  // from alone
		{"db@monitoring.example.com", "payment errors", incident.SEV3}, // the first rule's from is anchored
		{"someone@example.com", "[DOWN] checkout", incident.SEV4},      // subject alone
		{"someone@example.com", "Re: [DOWN] checkout", incident.SEV5},  // searched, not matched whole
		{"someone@example.com", "payment errors", 0},                   // the first rule needs both
		{"alerts@monitoring.example.com.evil.test", "Disk full", 0},    // anchored by the author
		{"", "", 0},
	}
	for _, tt := range tests {
		r, ok := c.MailRoute(tt.from, tt.subject)
		if ok != (tt.want != 0) || r.Grade != tt.want {
			t.Errorf("MailRoute(%q, %q) = grade %d, %v; want grade %d", tt.from, tt.subject, r.Grade, ok, tt.want)
		}
	}
	if r, _ := c.MailRoute("alerts@monitoring.example.com", "payment"); r.Service != "checkout-api" || r.Action != ActionDeclare || r.Line != 4 {
		t.Errorf("first rule = %+v", r)
	}
}

func TestFullMatch(t *testing.T) {
	tests := []struct {
		expr  string
		value string
		want  bool
	}{
		{"critical|page", "critical", true},
		{"critical|page", "page", true},
		{"critical|page", "critical page", false},
		{"a|ab", "ab", true}, // leftmost-first would stop at "a"; anchoring must not
		{"(?i)crit", "CRIT", true},
		{"", "", true},
		{"", "x", false},
		{`\Qa.b`, "a.b", true},
		{`\Qa.b`, "axb", false},
		{`\Qa.b\E.*`, "a.bcd", true},
	}
	for _, tt := range tests {
		re, err := fullMatch(tt.expr)
		if err != nil {
			t.Errorf("fullMatch(%q): %v", tt.expr, err)
			continue
		}
		if got := re.MatchString(tt.value); got != tt.want {
			t.Errorf("fullMatch(%q).MatchString(%q) = %v, want %v", tt.expr, tt.value, got, tt.want)
		}
	}
}
