package policy_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/policy"
)

const catalogYAML = `
teams:
  - name: pay
    email: pay@example.com
    chat_channel: "#pay"
  - name: shop
    email: shop@example.com
    chat_channel: "#shop"
services:
  - name: payments
    team: pay
  - name: checkout
    team: shop
    depends_on: [payments]
`

func loadCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Parse("c.yaml", []byte(catalogYAML))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDefaultTemplatesRenderInBothLanguages(t *testing.T) {
	tpl := policy.DefaultTemplates()
	d := policy.MessageData{Ref: "INC-7", Title: "결제 실패", Grade: "SEV2", Status: "investigating", Services: []string{"payments"},
		StartedAt: "2026-11-24 10:00 KST", Reason: "owns payments", Resolver: "bob", Update: "롤백 완료"}
	for _, c := range []struct {
		kind       policy.Kind
		lang, want string
	}{
		{policy.KindDeclared, "en", "SEV2 incident INC-7 declared: 결제 실패"},
		{policy.KindDeclared, "ko", "SEV2 장애 INC-7가 선언되었습니다"},
		{policy.KindUpdate, "en", "Update on SEV2 incident INC-7"},
		{policy.KindUpdate, "ko", "롤백 완료"},
	} {
		r, err := tpl.Render(c.kind, c.lang, d)
		if err != nil {
			t.Fatalf("%s/%s: %v", c.kind, c.lang, err)
		}
		if !strings.Contains(r.Text, c.want) || r.Subject == "" || r.HTML == "" || r.Chat == "" {
			t.Errorf("%s/%s: %+v lacks %q", c.kind, c.lang, r, c.want)
		}
	}
	// HTML escapes what people typed.
	d.Title = "<script>x</script>"
	r, _ := tpl.Render(policy.KindDeclared, "en", d)
	if strings.Contains(r.HTML, "<script>") {
		t.Errorf("HTML not escaped: %s", r.HTML)
	}
}

func TestConfigTemplatesOverrideAndAreCheckedAtLoad(t *testing.T) {
	pol, err := policy.ParseConfig("p.yaml", []byte(`
policy:
  base_url: https://fb.example.com/
  templates:
    declared:
      ko:
        subject: "[장애 {{.Grade}}] {{.Title}}"
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if pol.BaseURL != "https://fb.example.com" {
		t.Errorf("base url %q", pol.BaseURL)
	}
	r, err := pol.Templates.Render(policy.KindDeclared, "ko", policy.MessageData{Grade: "SEV1", Title: "t", Services: []string{}})
	if err != nil || r.Subject != "[장애 SEV1] t" || !strings.Contains(r.Text, "선언되었습니다") {
		t.Errorf("override: %+v, %v", r, err)
	}

	_, err = policy.ParseConfig("p.yaml", []byte(`policy:
  templates:
    declared:
      en:
        subject: "{{.Grade"
        text: |
          line one
          {{.Nope}}
    update:
      fr:
        chat: x
    resolved: {}
`), nil)
	if err == nil {
		t.Fatal("bad templates accepted")
	}
	for _, want := range []string{
		"p.yaml:5: policy.templates.declared.en.subject: template: unclosed action",
		"p.yaml:8: policy.templates.declared.en.text: template: executing",
		"can't evaluate field Nope",
		"p.yaml:10:7: policy.templates.update.fr: must be en or ko",
		"p.yaml:12:5: policy.templates.resolved: unknown message kind",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}

func TestTargetsByScopeGradeAndVisibility(t *testing.T) {
	cat := loadCatalog(t)
	pol, err := policy.ParseConfig("p.yaml", []byte(`
policy:
  departments:
    - name: support
      from_grade: SEV3
      email: support@example.com
      slack: "#support"
      lang: ko
  partners:
    - name: acme
      from_grade: SEV2
      services: [payments]
      webhook: https://acme.example.com/hook
      secret: s3
`), func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	keys := func(ts []policy.Target) string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Key)
		}
		return strings.Join(out, " ")
	}
	sev4 := pol.Targets(cat, incident.SEV4, []string{"payments"}, incident.Public)
	if got := keys(sev4); got != "team:pay:email:pay@example.com team:pay:slack:#pay" {
		t.Errorf("SEV4: %s", got)
	}
	sev2 := pol.Targets(cat, incident.SEV2, []string{"payments"}, incident.Public)
	for _, want := range []string{"team:shop:email:shop@example.com", "department:support:slack:#support", "partner:acme:webhook:"} {
		if !strings.Contains(keys(sev2), want) {
			t.Errorf("SEV2 lacks %s: %s", want, keys(sev2))
		}
	}
	if internal := pol.Targets(cat, incident.SEV2, []string{"payments"}, incident.Internal); strings.Contains(keys(internal), "partner:") {
		t.Errorf("internal incident reaches partners: %s", keys(internal))
	}
	added := policy.NewTargets(sev4, sev2)
	if len(added) != len(sev2)-2 {
		t.Errorf("new targets %s", keys(added))
	}
	for _, tg := range sev2 {
		if tg.Channel == policy.ChannelSlack && tg.Fallback == "" {
			t.Errorf("slack target %s has no e-mail fallback", tg.Key)
		}
		if strings.HasPrefix(tg.Key, "department:") && !strings.Contains(tg.ReasonIn("ko"), "부서") {
			t.Errorf("Korean reason %q", tg.ReasonIn("ko"))
		}
	}
	if pol.Secret("partner:acme:webhook:https://acme.example.com/hook") != "s3" {
		t.Error("partner secret not found by target key")
	}
	due := pol.FirstReportDeadline(incident.SEV2, time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	if !due.Equal(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("first report due %s", due)
	}
}

// The demo config's policy section is valid and names real services.
func TestDemoPolicy(t *testing.T) {
	cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.ParseConfig("demo.yaml", catalog.DemoYAML, func(s string) bool { _, ok := cat.Service(s); return ok })
	if err != nil {
		t.Fatal(err)
	}
	if pol.Language != "ko" || len(pol.Departments) != 2 || len(pol.Partners) != 1 {
		t.Errorf("demo policy: language %s, %d departments, %d partners", pol.Language, len(pol.Departments), len(pol.Partners))
	}
	// A public SEV2 on the ledger reaches its team, its dependants' teams, PR and the partner.
	names := map[string]bool{}
	for _, tg := range pol.Targets(cat, incident.SEV2, []string{"ledger"}, incident.Public) {
		names[tg.Name] = true
	}
	for _, want := range []string{"team payments", "pr", "pg-partner"} {
		if !names[want] {
			t.Errorf("SEV2 on ledger does not reach %s: %v", want, names)
		}
	}
	if names["leadership"] {
		t.Error("leadership is told from SEV1 only")
	}
}

// A department's Mattermost hook must be a URL, and a department needs some
// way to be told.
func TestDepartmentChannelsAreChecked(t *testing.T) {
	_, err := policy.ParseConfig("p.yaml", []byte(`policy:
  departments:
    - name: pr
      from_grade: SEV2
      mattermost: chat.example.com/hooks/x
    - name: legal
      from_grade: SEV1
`), nil)
	if err == nil {
		t.Fatal("bad departments accepted")
	}
	for _, want := range []string{
		"p.yaml:5:19: policy.departments[0].mattermost: must be a Mattermost incoming webhook URL",
		"p.yaml:6:7: policy.departments[1]: needs an email, a slack channel, a mattermost webhook, a teams channel or a lineworks target",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}
