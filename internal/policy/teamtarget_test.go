package policy_test

import (
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/policy"
)

const departmentsAndPartner = `
policy:
  departments:
    - name: support
      from_grade: SEV3
      email: support@example.com
      slack: "#support"
  partners:
    - name: acme
      from_grade: SEV2
      webhook: https://acme.example.com/hook
      secret: s3
`

func keysOf(ts []policy.Target) string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Key)
	}
	return strings.Join(out, " ")
}

// A restricted incident is told to its members' own addresses only: no
// team list or channel, no team's own target, department or partner.
func TestRestrictedIncidentIsToldToMembersOnly(t *testing.T) {
	cat := loadCatalog(t)
	pol, err := policy.ParseConfig("p.yaml", []byte(departmentsAndPartner), nil)
	if err != nil {
		t.Fatal(err)
	}
	scope := policy.Scope{Grade: incident.SEV1, Services: []string{"payments"}, Visibility: incident.Restricted,
		Members:     []policy.Person{{Name: "kim", Email: "kim@example.com"}, {Name: "lee", Email: "lee@example.com"}, {Name: "park"}},
		TeamTargets: map[string][]policy.TeamTarget{"pay": {{Team: "pay", Channel: policy.ChannelEmail, Address: "pay-leads@example.com"}}}}
	got := pol.Plan(cat, scope)
	if keys := keysOf(got); keys != "member:kim:email:kim@example.com member:lee:email:lee@example.com" {
		t.Fatalf("restricted SEV1 is told to %s", keys)
	}
	for _, tg := range got {
		if tg.Channel != policy.ChannelEmail || tg.Lang == "" || !strings.Contains(tg.ReasonIn("ko"), "구성원") {
			t.Errorf("member target %+v (ko reason %q)", tg, tg.ReasonIn("ko"))
		}
	}
	if un := policy.Unreachable(scope); len(un) != 1 || un[0] != "park" {
		t.Errorf("unreachable members %v, want [park]", un)
	}
	// Without members (a plan from the config alone) nobody is told.
	if got := pol.Targets(cat, incident.SEV1, []string{"payments"}, incident.Restricted); len(got) != 0 {
		t.Errorf("restricted incident without members told to %s", keysOf(got))
	}
	// The same scope, internal: members are not targets, the teams are.
	scope.Visibility = incident.Internal
	if keys := keysOf(pol.Plan(cat, scope)); strings.Contains(keys, "member:") || !strings.Contains(keys, "team:pay:email:pay@example.com") {
		t.Errorf("internal incident told to %s", keys)
	}
	if un := policy.Unreachable(scope); un != nil {
		t.Errorf("internal incident has unreachable members %v", un)
	}
}

// A team's own targets are told with the team, as owner and as a
// dependant's team, from their grade up; chat ones fall back to the team's
// e-mail; an address the catalog has already is told once.
func TestTeamTargetsAreToldWithTheTeam(t *testing.T) {
	cat := loadCatalog(t)
	pol := policy.DefaultPolicy()
	scope := policy.Scope{Grade: incident.SEV3, Services: []string{"payments"}, Visibility: incident.Internal,
		TeamTargets: map[string][]policy.TeamTarget{
			"pay": {
				{Team: "pay", Channel: policy.ChannelMattermost, Address: "https://chat.example.com/hooks/pay"},
				{Team: "pay", Channel: policy.ChannelWebhook, Address: "https://hooks.example.com/pay", FromGrade: incident.SEV2, Lang: "ko"},
				{Team: "pay", Channel: policy.ChannelEmail, Address: "pay@example.com"},
			},
			"shop": {{Team: "shop", Channel: policy.ChannelEmail, Address: "shop-oncall@example.com"}},
		}}
	keys := keysOf(pol.Plan(cat, scope))
	if keys != "team:pay:email:pay@example.com team:pay:slack:#pay team:pay:mattermost:https://chat.example.com/hooks/pay" {
		t.Errorf("SEV3: %s", keys)
	}
	scope.Grade = incident.SEV2 // dependants are told; the webhook's grade is reached
	got := pol.Plan(cat, scope)
	keys = keysOf(got)
	for _, want := range []string{"team:pay:webhook:https://hooks.example.com/pay", "team:shop:email:shop-oncall@example.com"} {
		if !strings.Contains(keys, want) {
			t.Errorf("SEV2 lacks %s: %s", want, keys)
		}
	}
	for _, tg := range got {
		switch {
		case tg.Channel == policy.ChannelMattermost && tg.Fallback != "pay@example.com":
			t.Errorf("mattermost target falls back to %q", tg.Fallback)
		case tg.Channel == policy.ChannelWebhook && tg.Lang != "ko":
			t.Errorf("webhook target's language %q", tg.Lang)
		case tg.Key == "team:shop:email:shop-oncall@example.com" && !strings.Contains(tg.ReasonIn("ko"), "의존"):
			t.Errorf("dependant team target's reason %q", tg.ReasonIn("ko"))
		}
	}
}

func TestNewTeamTargetNamesTheField(t *testing.T) {
	for _, c := range []struct {
		channel, address, secret, lang, grade, field string
	}{
		{"sms", "+8210", "", "", "", "channel"},
		{"email", "nobody", "", "", "", "address"},
		{"email", "a@example.com, b@example.com", "", "", "", "address"},
		{"slack", "general", "", "", "", "address"},
		{"webhook", "http://hooks.example.com/x", "secret", "", "", "address"},
		{"webhook", "https://user:pw@hooks.example.com/x", "secret", "", "", "address"},
		{"webhook", "https://hooks.example.com/x", " ", "", "", "secret"},
		{"mattermost", "http://10.0.0.8/hooks/x", "", "", "", "address"},
		{"email", "a@example.com", "x", "", "", "secret"},
		{"email", "a@example.com", "", "de", "", "lang"},
		{"email", "a@example.com", "", "", "SEV0", "from_grade"},
	} {
		_, err := policy.NewTeamTarget("pay", c.channel, c.address, c.secret, c.lang, c.grade)
		if e, ok := fail.As(err); !ok || e.Code != fail.Invalid || e.Field != c.field {
			t.Errorf("%+v: got %v, want an error naming %s", c, err, c.field)
		}
	}
	for _, c := range [][3]string{
		{"webhook", "http://127.0.0.1:8080/hook", "s"},
		{"webhook", "http://[::1]/hook", "s"},
		{"mattermost", "http://localhost/hooks/x", ""},
		{"slack", "#pay-incidents", ""},
		{"slack", "C0123ABCD9", ""},
		{"email", "pay-leads@example.com", ""},
	} {
		if _, err := policy.NewTeamTarget("pay", c[0], c[1], c[2], "", "SEV2"); err != nil {
			t.Errorf("%v refused: %v", c, err)
		}
	}
}
