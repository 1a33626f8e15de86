package catalog

import (
	"encoding/json"
	"errors"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestLoadValid(t *testing.T) {
	c, err := Load("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantTeams := []Team{
		{
			Name:        "payments",
			DisplayName: "결제팀 (Payments)",
			Email:       "payments@example.com",
			ChatChannel: "#payments",
			Lead:        "alice",
			Members:     []string{"alice", "bob"},
		},
		{Name: "platform", Lead: "carol", Members: []string{}},
		{Name: "ops-2", Members: []string{"alice", "bob"}}, // through the alias
	}
	wantServices := []Service{
		{
			Name:        "checkout-api",
			Team:        "payments",
			Tier:        1,
			Description: "Takes orders.",
			DependsOn:   []string{"ledger", "auth"},
			Runbooks:    []Runbook{{Title: "Rollback", URL: "https://wiki.example.com/checkout/rollback"}},
		},
		{Name: "ledger", Team: "payments", Tier: 2, DependsOn: []string{"auth"}, Runbooks: []Runbook{}},
		{Name: "auth", Team: "platform", Tier: DefaultTier, DependsOn: []string{}, Runbooks: []Runbook{}},
	}
	if got := c.Teams(); !reflect.DeepEqual(got, wantTeams) {
		t.Errorf("Teams() =\n%#v\nwant\n%#v", got, wantTeams)
	}
	if got := c.Services(); !reflect.DeepEqual(got, wantServices) {
		t.Errorf("Services() =\n%#v\nwant\n%#v", got, wantServices)
	}
}

func TestLoadInvalid(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"unknown_fields.yaml", []string{
			`testdata/unknown_fields.yaml:3:5: teams[0].emial: unknown field`,
			`testdata/unknown_fields.yaml:4:5: teams[0].name: given twice (first at line 2)`,
			`testdata/unknown_fields.yaml:6:5: teams[1].<<: merge keys are not supported`,
			`testdata/unknown_fields.yaml:10:5: services[0].owner: unknown field`,
			`testdata/unknown_fields.yaml:14:9: services[0].runbooks[0].link: unknown field`,
		}},
		{"missing.yaml", []string{
			`testdata/missing.yaml:2:5: teams[0].name: required`,
			`testdata/missing.yaml:3:11: teams[1].name: required`,
			`testdata/missing.yaml:4:10: teams[2].name: required`,
			`testdata/missing.yaml:6:5: services[0].name: required`,
			`testdata/missing.yaml:6:5: services[0].team: required`,
			`testdata/missing.yaml:8:11: services[1].team: required`,
			`testdata/missing.yaml:9:18: services[1].depends_on[0]: must not be empty`,
			`testdata/missing.yaml:9:21: services[1].depends_on[1]: must not be empty`,
			`testdata/missing.yaml:11:9: services[1].runbooks[0].url: required`,
			`testdata/missing.yaml:12:9: services[1].runbooks[1].title: required`,
		}},
		{"names.yaml", []string{
			`testdata/names.yaml:2:11: teams[0].name: must be lower-case letters, digits and '-', starting with a letter or digit; got "Payments"`,
			`testdata/names.yaml:3:11: teams[0].lead: must be a user name: 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit; got "Alice"`,
			`testdata/names.yaml:4:20: teams[0].members[1]: must be a user name: 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit; got "carol smith"`,
			`testdata/names.yaml:4:35: teams[0].members[2]: must be a user name: 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit; got ".dave"`,
			`testdata/names.yaml:5:11: teams[1].name: must be lower-case letters, digits and '-', starting with a letter or digit; got "-platform"`,
			`testdata/names.yaml:7:11: services[0].name: must be lower-case letters, digits and '-', starting with a letter or digit; got "checkout_api"`,
		}},
		{"types.yaml", []string{
			`testdata/types.yaml:2:5: teams[0]: must be a mapping; got string "payments"`,
			`testdata/types.yaml:4:19: teams[1].display_name: must be a string; got a list`,
			`testdata/types.yaml:5:14: teams[1].members: must be a list; got string "alice"`,
			`testdata/types.yaml:6:12: teams[1].email: must be a string; got a mapping`,
			`testdata/types.yaml:10:11: services[0].tier: must be an integer from 1 to 4; got string "high"`,
			`testdata/types.yaml:13:11: services[1].tier: must be an integer from 1 to 4; got number "1.5"`,
			`testdata/types.yaml:16:11: services[2].tier: must be from 1 (most critical) to 4; got 7`,
			`testdata/types.yaml:19:11: services[3].tier: must be from 1 (most critical) to 4; got 0`,
			`testdata/types.yaml:20:17: services[3].depends_on: must be a list; got a mapping`,
			`testdata/types.yaml:21:15: services[3].runbooks: must be a list; got string "https://wiki.example.com/d"`,
			`testdata/types.yaml:23:11: services[4].team: must be a string; got a list`,
			`testdata/types.yaml:24:11: services[4].tier: must be an integer from 1 to 4; got string "2"`,
		}},
		{"values.yaml", []string{
			`testdata/values.yaml:3:12: teams[0].email: must be an e-mail address; got "payments at example.com"`,
			`testdata/values.yaml:11:14: services[0].runbooks[0].url: must be an absolute http or https URL; got "/wiki/rollback"`,
			`testdata/values.yaml:13:14: services[0].runbooks[1].url: must be an absolute http or https URL; got "ftp://files.example.com/rollback.txt"`,
			`testdata/values.yaml:15:14: services[0].runbooks[2].url: must be an absolute http or https URL; got "https://"`,
		}},
		{"duplicates.yaml", []string{
			`testdata/duplicates.yaml:4:11: teams[2].name: duplicate team "payments" (first defined at line 2)`,
			`testdata/duplicates.yaml:10:11: services[2].name: duplicate service "ledger" (first defined at line 6)`,
			`testdata/duplicates.yaml:12:1: teams: section given twice (first at line 1)`,
		}},
		{"references.yaml", []string{
			`testdata/references.yaml:6:26: services[0].depends_on[1]: unknown service "ledgr"`,
			`testdata/references.yaml:6:33: services[0].depends_on[2]: a service cannot depend on itself`,
			`testdata/references.yaml:8:11: services[1].team: unknown team "paymnts"`,
		}},
		// Each cycle once, at the entry that closes it; g depends on both
		// cycles without being in one.
		{"cycles.yaml", []string{
			`testdata/cycles.yaml:12:21: services[2].depends_on[1]: dependency cycle: c -> a -> b -> c`,
			`testdata/cycles.yaml:20:18: services[5].depends_on[0]: dependency cycle: f -> e -> f`,
		}},
		{"toplevel.yaml", []string{
			`testdata/toplevel.yaml:1:1: the top level must be a mapping; got a list`,
		}},
		{"sections.yaml", []string{
			`testdata/sections.yaml:1:8: teams: must be a list; got string "payments"`,
			`testdata/sections.yaml:3:3: services: must be a list; got a mapping`,
		}},
		// Syntax errors point at the first line the file cannot be read past,
		// which is not always the line yaml.v3 names.
		{"syntax_indent.yaml", []string{
			`testdata/syntax_indent.yaml:5: did not find expected '-' indicator`,
		}},
		{"syntax_flow.yaml", []string{ // a list over lines 3-4 is fine; the one on line 6 is not closed
			`testdata/syntax_flow.yaml:6: did not find expected ',' or ']'`,
		}},
		{"syntax_tab.yaml", []string{
			`testdata/syntax_tab.yaml:3: found a tab character that violates indentation`,
		}},
		{"syntax_first_line.yaml", []string{
			`testdata/syntax_first_line.yaml:1: mapping values are not allowed in this context`,
		}},
		{"syntax_alias.yaml", []string{
			`testdata/syntax_alias.yaml:3: unknown anchor 'nobody' referenced`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, err := Load("testdata/" + tt.file)
			if c != nil {
				t.Errorf("got a catalog along with errors")
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Load() error = %v (%T), want Errors", err, err)
			}
			got := make([]string, len(errs))
			for i, e := range errs {
				got[i] = e.Error()
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if err.Error() != strings.Join(tt.want, "\n") {
				t.Errorf("Error() does not list the errors one per line:\n%s", err)
			}
		})
	}
}

func TestFieldErrorParts(t *testing.T) {
	_, err := Load("testdata/references.yaml")
	var fe FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("errors.As found no FieldError in %v", err)
	}
	want := FieldError{
		File:    "testdata/references.yaml",
		Line:    6,
		Column:  26,
		Field:   "services[0].depends_on[1]",
		Message: `unknown service "ledgr"`,
	}
	if fe != want {
		t.Errorf("first FieldError = %+v, want %+v", fe, want)
	}
}

func TestParseEmpty(t *testing.T) {
	inputs := map[string]string{
		"empty file":      "",
		"only comments":   "# nothing yet\n",
		"null document":   "~\n",
		"other sections":  "policy:\n  rules: []\nintake: {}\n",
		"empty sections":  "teams:\nservices:\n",
		"empty lists":     "teams: []\nservices: []\n",
		"unknown at top":  "tems:\n  - name: Not Ours\n", // another package's, or nobody's: not ours to judge
		"anchors in tail": "x: &a 1\ny: *a\n",
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			c, err := Parse("firebreak.yaml", []byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Teams()) != 0 || len(c.Services()) != 0 {
				t.Errorf("got %d teams and %d services, want none", len(c.Teams()), len(c.Services()))
			}
		})
	}
	if c := Empty(); len(c.Teams()) != 0 || len(c.Services()) != 0 || c.Dependants("x") != nil {
		t.Errorf("Empty() is not empty")
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/no-such-file.yaml")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load() error = %v, want one wrapping fs.ErrNotExist", err)
	}
}

func TestDemo(t *testing.T) {
	c, err := Parse("demo.yaml", DemoYAML)
	if err != nil {
		t.Fatalf("the demo catalog is invalid:\n%v", err)
	}
	if n := len(c.Teams()); n != 4 {
		t.Errorf("demo has %d teams, want 4", n)
	}
	if n := len(c.Services()); n != 7 {
		t.Errorf("demo has %d services, want 7", n)
	}
	if team, _ := c.Team("payments"); team.DisplayName != "결제팀 (Payments)" {
		t.Errorf("payments display name = %q", team.DisplayName)
	}
}

func TestDependants(t *testing.T) {
	c, err := Parse("demo.yaml", DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		service string
		want    []string
	}{
		// Everything but the status page reaches auth, most of it through others.
		{"auth", []string{"checkout-api", "ledger", "messaging-gateway", "notification-worker", "support-portal"}},
		// Only notification-worker depends on the gateway directly.
		{"messaging-gateway", []string{"checkout-api", "notification-worker", "support-portal"}},
		{"ledger", []string{"checkout-api", "support-portal"}},
		{"checkout-api", nil},
		{"status-page", nil},
		{"no-such-service", nil},
	}
	for _, tt := range tests {
		if got := c.Dependants(tt.service); !slices.Equal(got, tt.want) {
			t.Errorf("Dependants(%q) = %q, want %q", tt.service, got, tt.want)
		}
	}
}

func TestLookups(t *testing.T) {
	c, err := Load("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.ServicesOfTeam("payments"); !slices.Equal(got, []string{"checkout-api", "ledger"}) {
		t.Errorf("ServicesOfTeam(payments) = %q", got)
	}
	if got := c.ServicesOfTeam("ops-2"); got != nil {
		t.Errorf("ServicesOfTeam(ops-2) = %q, want none", got)
	}
	if _, ok := c.Team("nobody"); ok {
		t.Errorf("Team(nobody) found a team")
	}
	if _, ok := c.Service("nothing"); ok {
		t.Errorf("Service(nothing) found a service")
	}

	// What the catalog hands out is a copy; changing it changes nothing inside.
	s, ok := c.Service("checkout-api")
	if !ok {
		t.Fatal("Service(checkout-api) not found")
	}
	s.DependsOn[0] = "changed"
	s.Runbooks[0].URL = "changed"
	team, _ := c.Team("payments")
	team.Members[0] = "changed"
	c.Teams()[0].Members[1] = "changed"
	if s, _ := c.Service("checkout-api"); s.DependsOn[0] != "ledger" || s.Runbooks[0].URL == "changed" {
		t.Errorf("changing a returned service changed the catalog: %+v", s)
	}
	if team, _ := c.Team("payments"); !slices.Equal(team.Members, []string{"alice", "bob"}) {
		t.Errorf("changing a returned team changed the catalog: %+v", team)
	}
}

func TestJSON(t *testing.T) {
	c, err := Load("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := c.Service("auth")
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	// Lists are [] rather than null, so clients need not check for both.
	want := `{"name":"auth","team":"platform","tier":3,"description":"","depends_on":[],"runbooks":[]}`
	if string(data) != want {
		t.Errorf("json = %s\nwant   %s", data, want)
	}
	team, _ := c.Team("payments")
	data, _ = json.Marshal(team)
	want = `{"name":"payments","display_name":"결제팀 (Payments)","email":"payments@example.com","chat_channel":"#payments","lead":"alice","members":["alice","bob"]}`
	if string(data) != want {
		t.Errorf("json = %s\nwant   %s", data, want)
	}
}
