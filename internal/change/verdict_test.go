package change

import (
	"strings"
	"testing"
)

func TestVerdictFromLabelNamesPRAndLabel(t *testing.T) {
	r := DefaultRules()
	cases := []struct {
		name   string
		c      Change
		safe   bool
		label  string
		reason string
	}{
		{"korean label", Change{Kind: KindCode, Title: "주문 테이블 컬럼 추가", Labels: []string{"db", "롤백불가"},
			Links: []Link{{URL: "https://github.com/acme/shop/pull/12"}}}, false, "롤백불가", "PR #12"},
		{"label case ignored", Change{Kind: KindCode, Title: "drop column", Labels: []string{"No-Rollback"},
			Links: []Link{{URL: "https://github.com/acme/shop/pull/7"}}}, false, "No-Rollback", `"No-Rollback"`},
		{"migration kind", Change{Kind: KindMigration, Title: "add index"}, false, "", "kind migration"},
		{"plain deploy", Change{Kind: KindDeploy, Version: "v1.2.3", Labels: []string{"feature"}}, true, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			r.Decide(&c)
			if c.Verdict.Rollbackable != tc.safe || c.Verdict.Label != tc.label || !strings.Contains(c.Verdict.Reason, tc.reason) {
				t.Fatalf("verdict = %+v", c.Verdict)
			}
			if !tc.safe && tc.label != "" && c.Verdict.PR != c.Links[0].URL {
				t.Fatalf("verdict names PR %q, want %q", c.Verdict.PR, c.Links[0].URL)
			}
		})
	}
}

func TestPersonSaysNotRollbackableWins(t *testing.T) {
	c := Change{Kind: KindDeploy, Version: "v2", Verdict: Verdict{Reason: "drops the legacy API"}}
	DefaultRules().Decide(&c)
	if c.Verdict.Rollbackable || c.Verdict.Reason != "drops the legacy API" {
		t.Fatalf("verdict = %+v", c.Verdict)
	}
}

func TestDeployInheritsBlockedPR(t *testing.T) {
	d := Change{Kind: KindDeploy, Version: "v3", Verdict: Safe}
	pr := Change{Kind: KindCode, Title: "schema", Labels: []string{"not-rollbackable"}, Links: []Link{{URL: "https://github.com/a/b/pull/3"}}}
	DefaultRules().Decide(&pr)
	Inherit(&d, []Change{{Kind: KindCode, Verdict: Safe}, pr})
	if d.Verdict.Rollbackable || d.Verdict.PR != "https://github.com/a/b/pull/3" || d.Verdict.Label != "not-rollbackable" {
		t.Fatalf("deploy verdict = %+v", d.Verdict)
	}
}

func TestConfigErrorsNameFileLineField(t *testing.T) {
	data := []byte("changes:\n  labels: [breaking]\n  not_rollbackable_kinds: [migration, schema]\n  window: 5m\n  colour: red\n")
	_, err := ParseConfig("firebreak.yaml", data)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"firebreak.yaml:3:", "changes.not_rollbackable_kinds[1]", "firebreak.yaml:4:", "changes.window", "changes.colour: unknown field"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	cfg, err := ParseConfig("f.yaml", []byte("changes:\n  labels: [breaking]\n  window: 48h\n  environments: [production]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Window.Hours() != 48 || cfg.Rules.BlockingLabel([]string{"BREAKING"}) != "BREAKING" || cfg.Rules.NotRollbackableKinds[0] != KindMigration {
		t.Fatalf("config = %+v", cfg)
	}
	if !cfg.RecordsEnvironment("Production") || cfg.RecordsEnvironment("staging") || !cfg.RecordsEnvironment("") {
		t.Fatalf("environments = %v", cfg.Environments)
	}
	def, _ := ParseConfig("f.yaml", []byte("teams: []\n"))
	if def.Window != DefaultWindow || len(def.Rules.Labels) != 3 {
		t.Fatalf("defaults = %+v", def)
	}
}
