package policy_test

import (
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/policy"
)

// Departments told by Microsoft Teams and LINE WORKS name the notify
// section's targets; the plan tells them there, falling back to the
// department's e-mail, and CheckNamedTargets finds names the notify section
// lacks, at their place in the file.
func TestDepartmentsByTeamsAndLineWorks(t *testing.T) {
	_, err := policy.ParseConfig("p.yaml", []byte(`policy:
  departments:
    - name: cs
      from_grade: SEV2
      email: cs@example.com
      teams: cs-room
      lineworks: cs-lead
    - name: sales
      from_grade: SEV3
      lineworks: Sales Room
`), nil)
	if err == nil || !strings.Contains(err.Error(), `p.yaml:10:18: policy.departments[1].lineworks: must name a lineworks target`) {
		t.Fatalf("bad name: %v", err)
	}
	pol, err := policy.ParseConfig("p.yaml", []byte(`policy:
  departments:
    - name: cs
      from_grade: SEV2
      email: cs@example.com
      teams: cs-room
      lineworks: cs-lead
    - name: sales
      from_grade: SEV3
      lineworks: sales-room
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := pol.Plan(loadCatalog(t), policy.Scope{Grade: incident.SEV2, Visibility: incident.Internal})
	byKey := map[string]policy.Target{}
	for _, tg := range got {
		byKey[tg.Key] = tg
	}
	for _, c := range []struct {
		key     string
		channel policy.Channel
		address string
	}{
		{"department:cs:teams:cs-room", policy.ChannelTeams, "cs-room"},
		{"department:cs:lineworks:cs-lead", policy.ChannelLineWorks, "cs-lead"},
		{"department:sales:lineworks:sales-room", policy.ChannelLineWorks, "sales-room"},
	} {
		tg, ok := byKey[c.key]
		if !ok || tg.Channel != c.channel || tg.Address != c.address {
			t.Errorf("%s: %+v in %v", c.key, tg, keysOf(got))
		}
	}
	if fb := byKey["department:cs:teams:cs-room"].Fallback; fb != "cs@example.com" {
		t.Errorf("teams target falls back to %q", fb)
	}
	if !strings.Contains(byKey["department:cs:teams:cs-room"].ReasonIn("ko"), "SEV2 이상") {
		t.Errorf("Korean reason %q", byKey["department:cs:teams:cs-room"].ReasonIn("ko"))
	}

	known := map[string]bool{"teams/cs-room": true, "lineworks/cs-lead": true}
	err = pol.CheckNamedTargets(func(ch policy.Channel, name string) bool { return known[string(ch)+"/"+name] })
	if err == nil || err.Error() != `p.yaml:10:18: policy.departments[1].lineworks: no lineworks target named "sales-room" under notify.lineworks.targets` {
		t.Errorf("unknown name: %v", err)
	}
	known["lineworks/sales-room"] = true
	if err := pol.CheckNamedTargets(func(ch policy.Channel, name string) bool { return known[string(ch)+"/"+name] }); err != nil {
		t.Errorf("all known: %v", err)
	}
}

// A team may add a Teams channel or LINE WORKS target by its name in the
// notify config; a chat target falls back to the team's e-mail.
func TestTeamTargetsByName(t *testing.T) {
	for _, c := range [][2]string{{"teams", "ops"}, {"lineworks", "pay-oncall"}} {
		tt, err := policy.NewTeamTarget("pay", c[0], c[1], "", "ko", "")
		if err != nil {
			t.Fatalf("%v refused: %v", c, err)
		}
		got := policy.DefaultPolicy().Plan(loadCatalog(t), policy.Scope{Grade: incident.SEV3, Services: []string{"payments"},
			TeamTargets: map[string][]policy.TeamTarget{"pay": {tt}}})
		last := got[len(got)-1]
		if last.Key != "team:pay:"+c[0]+":"+c[1] || last.Fallback != "pay@example.com" || last.Lang != "ko" {
			t.Errorf("%v: planned %+v", c, last)
		}
	}
	for _, c := range [][2]string{{"teams", "https://x.webhook.office.com/a"}, {"lineworks", ""}, {"teams", "Ops"}} {
		_, err := policy.NewTeamTarget("pay", c[0], c[1], "", "", "")
		if e, ok := fail.As(err); !ok || e.Field != "address" {
			t.Errorf("%v: %v", c, err)
		}
	}
}
