package review_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

func TestDefaultConfigNeedsBothStagesForSEV1To3(t *testing.T) {
	c, err := review.ParseConfig("f.yaml", []byte("teams: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	for g := incident.SEV1; g <= incident.SEV5; g++ {
		want := 0
		if g <= incident.SEV3 {
			want = 2
		}
		if got := len(c.Required(g)); got != want {
			t.Errorf("%s needs %d stages, want %d", g, got, want)
		}
	}
	if c.DefaultTracker != "" || len(c.RemindBefore) != 2 {
		t.Errorf("defaults: %+v", c)
	}
}

func TestConfigSection(t *testing.T) {
	dir := t.TempDir()
	rules, _ := os.ReadFile("testdata/team-rules.yaml")
	if err := os.WriteFile(filepath.Join(dir, "team-rules.yaml"), rules, 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "firebreak.yaml")
	good := `review:
  required_stages:
    SEV1: [team, developer]
    SEV4: [team]
  remind_before: [48h]
  vague_rules: [team-rules.yaml]
  min_similarity: 0.6
  poll_every: 1m
  tracker:
    default: github
    jira: {base_url: "https://jira.example.com", project: OPS, email: a@example.com, api_token: t}
    github: {repo: acme/ops, token: ghp_x, webhook_secret: s}
`
	c, err := review.ParseConfig(path, []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Required(incident.SEV4)) != 1 || c.DefaultTracker != review.GitHub || c.GitHub.APIURL != review.DefaultGitHubAPI ||
		c.Jira.IssueType != "Task" || c.MinSimilarity != 0.6 || len(c.VagueRules) != 1 || c.RemindBefore[0] != 48*time.Hour {
		t.Fatalf("parsed: %+v", c)
	}

	bad := `teams: []
review:
  required_stages:
    SEV9: [team]
    SEV2: [team, lunch]
  remind_before: [soon]
  min_similarity: 3
  colour: blue
  tracker:
    default: gitlab
    jira: {base_url: "ftp://x", email: a@example.com, api_token: t, token: p}
    github: {repo: nope, token: ""}
`
	_, err = review.ParseConfig(path, []byte(bad))
	es, ok := err.(confyaml.Errors)
	if !ok {
		t.Fatalf("want confyaml.Errors, got %v", err)
	}
	text := es.Error()
	for _, want := range []string{
		"firebreak.yaml:4:5: review.required_stages.SEV9",
		":5:", "review.required_stages.SEV2[1]: must be team or developer",
		"review.remind_before[0]", "review.min_similarity", "review.colour: unknown field",
		"review.tracker.default: must be jira or github", "review.tracker.jira.base_url", "review.tracker.jira.project: is required",
		"review.tracker.jira.token: give either", "review.tracker.github.repo: must be owner/name", "review.tracker.github.token: is required",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("errors lack %q:\n%s", want, text)
		}
	}
}

func TestVagueRuleFileErrors(t *testing.T) {
	_, err := review.ParseVagueRules("r.yaml", []byte("rules:\n  - id: x\n    patterns: ['(']\n    advice: {en: a}\n  - id: x\n    patterns: []\n"))
	text := err.Error()
	for _, want := range []string{"r.yaml:2:5: rules[0].patterns[0]: not a regular expression", "rules[1].id: \"x\" is given twice",
		"rules[1].patterns: needs at least one pattern", "rules[0].example: needs a concrete rewrite"} {
		if !strings.Contains(text, want) {
			t.Errorf("errors lack %q:\n%s", want, text)
		}
	}
}

func TestVagueCheck(t *testing.T) {
	extra, err := review.LoadVagueRules("testdata/team-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	vc, err := review.NewVagueChecker(extra)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		title, lang, rule, suggestion string
	}{
		{"Review code more carefully", "en", "be-careful", "PR template"},
		{"배포할 때 주의하자", "ko", "be-careful", "payments-api 배포를 10% 카나리로"},
		{"배포 시 주의가 필요함", "ko", "be-careful", "카나리"},
		{"코드 리뷰를 더 철저히", "ko", "review-more", "PR 템플릿에 payments-api"},
		{"Raise awareness of the status page", "en", "awareness", "payments-api runbook"},
		{"모니터링 개선", "ko", "improve-vaguely", "payments-api 오류율"},
		{"모니터링을 강화할 예정입니다", "ko", "improve-vaguely", "당번에게 알림"},
		{"We will improve our alerting", "en", "improve-vaguely", "Alert the on-call when payments-api"},
		{"Improvement of test coverage", "en", "improve-vaguely", "test case to payments-api's suite"},
		{"Try to avoid Friday deploys", "en", "try-to", "canary"},
		{"Keep an eye on the ledger queue", "en", "monitor-harder", "queue depth"},
		{"원장 큐를 지켜보자", "ko", "monitor-harder", "원장 큐"},
	}
	for _, c := range cases {
		got := vc.CheckItem(c.title, "", c.lang, []string{"payments-api"})
		i := slices.IndexFunc(got, func(f review.VagueFinding) bool { return f.Rule == c.rule })
		if i < 0 || !strings.Contains(got[i].Suggestion, c.suggestion) || got[i].Advice == "" {
			t.Errorf("%q: got %+v, want rule %s suggesting %q", c.title, got, c.rule, c.suggestion)
		}
	}
	for _, concrete := range []string{
		"Add a checklist item for new test cases to the PR template",
		"PR 템플릿에 신규 테스트 케이스 체크리스트 항목 추가",
		"Alert when checkout-api p99 latency stays above 2 s for 5 minutes",
		"결제 API 타임아웃을 3초로 줄이고 재시도 2회로 제한",
	} {
		if got := vc.Check(concrete, "", "en"); len(got) != 0 {
			t.Errorf("concrete item %q flagged: %+v", concrete, got)
		}
	}
}

func TestTokenDice(t *testing.T) {
	sim := review.TokenDice{}
	if s := sim.Similarity("결제 승인 지연", "결제 승인 지연"); s != 1 {
		t.Errorf("same text: %v", s)
	}
	near := sim.Similarity("결제 승인이 지연됨 (checkout timeout)", "결제 승인 지연, checkout timeouts")
	far := sim.Similarity("결제 승인이 지연됨", "로그인 페이지 오타")
	if near < 0.45 || far > 0.1 {
		t.Errorf("near %v, far %v", near, far)
	}
	if s := sim.Similarity("", "x"); s != 0 {
		t.Errorf("empty: %v", s)
	}
}

func TestFindRecurrences(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	inc := func(id int64, title string, services, causes []string) *incident.Incident {
		return &incident.Incident{ID: id, Title: title, Services: services, CauseTags: causes, StartedAt: day.AddDate(0, 0, int(id))}
	}
	now := inc(10, "Checkout errors after deploy", []string{"checkout-api"}, []string{"config-change"})
	earlier := []*incident.Incident{
		inc(3, "Something else entirely", []string{"checkout-api"}, []string{"config-change"}),
		inc(4, "Checkout errors after a deploy", []string{"search"}, nil),
		inc(5, "Ledger slow", []string{"checkout-api"}, []string{"capacity"}),
		inc(12, "Checkout errors after deploy", []string{"checkout-api"}, []string{"config-change"}), // later: never
	}
	got := review.FindRecurrences(now, earlier, review.TokenDice{}, 0.45)
	if len(got) != 2 || got[0].Earlier != "INC-3" || got[0].Reason != review.MatchServiceCause ||
		got[1].Earlier != "INC-4" || got[1].Reason != review.MatchText {
		t.Fatalf("matches: %+v", got)
	}
}
