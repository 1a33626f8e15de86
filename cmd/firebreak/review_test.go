package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReviewFromTheCLI records a review and its action items with the real
// binary against a real server, with the review section (and a team's own
// vague-item rules) in the config file.
func TestReviewFromTheCLI(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "our-rules.yaml"), []byte(`rules:
  - id: keep-an-eye
    patterns: ['(?i)keep an eye on']
    advice: {en: "Watching is not a check.", ko: "지켜보기는 확인이 아닙니다."}
    example: {en: "Alert on queue depth above 10k", ko: "큐 길이 1만 초과 시 알림"}
`), 0o644)
	config := filepath.Join(dir, "firebreak.yaml")
	os.WriteFile(config, []byte("teams:\n  - name: ops\n    lead: lead\n    members: [ops]\nservices:\n  - name: api\n    team: ops\n"+
		"review:\n  required_stages:\n    SEV3: [team]\n  vague_rules: [our-rules.yaml]\n"), 0o644)
	if out := mustRun(t, nil, "check-config", config); !strings.Contains(out, "is valid") {
		t.Fatalf("check-config: %s", out)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("teams: []\nreview:\n  required_stages:\n    SEV3: [team, party]\n  tracker:\n    github: {repo: x}\n"), 0o644)
	out, err := run(t, nil, "check-config", bad)
	if err == nil || !strings.Contains(out, bad+":4:18: review.required_stages.SEV3[1]: must be team or developer") ||
		!strings.Contains(out, "review.tracker.github.repo: must be owner/name") {
		t.Fatalf("bad review section: %v\n%s", err, out)
	}

	dbArgs := []string{"--data-dir", dir}
	for _, u := range []string{"ops", "lead"} {
		mustRun(t, nil, append([]string{"user", "add", u, "--role", "responder"}, dbArgs...)...)
	}
	mustRun(t, nil, append([]string{"user", "add", "boss", "--role", "admin"}, dbArgs...)...)
	token := strings.TrimSpace(mustRun(t, nil, append([]string{"token", "create", "--user", "ops"}, dbArgs...)...))
	adminToken := strings.TrimSpace(mustRun(t, nil, append([]string{"token", "create", "--user", "boss"}, dbArgs...)...))
	srv := startServe(t, nil, append([]string{"--config", config}, dbArgs...)...)
	env := []string{"FIREBREAK_SERVER=" + srv.base, "FIREBREAK_TOKEN=" + token}
	adminEnv := []string{"FIREBREAK_SERVER=" + srv.base, "FIREBREAK_TOKEN=" + adminToken}

	mustRun(t, env, "incident", "declare", "--title", "API 오류 증가", "--grade", "SEV3", "--service", "api")
	mustRun(t, env, "incident", "status", "INC-1", "resolved")
	if out, err := run(t, env, "incident", "status", "INC-1", "closed"); err == nil || !strings.Contains(out, "missing team review") {
		t.Fatalf("closed without its review: %v\n%s", err, out)
	}
	mustRun(t, env, "review", "stage", "INC-1", "team", "--facilitator", "lead", "--attendee", "ops",
		"--scheduled", "2026-12-01T14:00:00+09:00", "--chain", "배포 → 캐시 무효화 → DB 부하", "--held")

	due := time.Now().AddDate(0, 0, 20).Format("2006-01-02")
	out = mustRun(t, env, "action", "add", "INC-1", "--title", "Keep an eye on the cache hit rate", "--category", "detect",
		"--term", "long", "--owner", "ops", "--due", due)
	if !strings.Contains(out, "Added action item #1") || !strings.Contains(out, "Alert on queue depth above 10k") {
		t.Fatalf("add with the team's own rule: %s", out)
	}
	out = mustRun(t, env, "action", "check", "코드 리뷰를 더 꼼꼼히 하자", "--lang", "ko")
	if !strings.Contains(out, "PR 템플릿") {
		t.Fatalf("check: %s", out)
	}
	if out, err := run(t, env, "action", "add", "INC-1", "--title", "x", "--category", "fix", "--owner", "ops", "--due", due); err == nil ||
		!strings.Contains(out, "category") {
		t.Fatalf("bad category: %v\n%s", err, out)
	}
	out = mustRun(t, env, "review", "show", "INC-1")
	for _, want := range []string{"Required: team", "Missing: -", "held", "lead", "Keep an eye on the cache hit rate"} {
		if !strings.Contains(out, want) {
			t.Errorf("review show lacks %q:\n%s", want, out)
		}
	}
	// Suggestions per category from what earlier items used.
	mustRun(t, env, "action", "add", "INC-1", "--title", "Add a cache warm-up step to the deploy", "--category", "prevent",
		"--term", "short", "--owner", "ops", "--due", due)
	// A vague item ("keep an eye on …") is never offered again.
	out = mustRun(t, env, "action", "suggest")
	if !strings.Contains(out, "prevent    1× Add a cache warm-up step to the deploy") || strings.Contains(out, "cache hit rate") {
		t.Errorf("suggest:\n%s", out)
	}
	if out := mustRun(t, env, "action", "suggest", "--category", "detect"); strings.Contains(out, "warm-up") || strings.Contains(out, "cache hit rate") {
		t.Errorf("suggest --category detect:\n%s", out)
	}
	if out, err := run(t, env, "action", "suggest", "--category", "fix"); err == nil || !strings.Contains(out, "category") {
		t.Errorf("suggest --category fix: %v\n%s", err, out)
	}
	mustRun(t, env, "action", "set", "2", "--status", "dropped")
	if out := mustRun(t, env, "action", "board"); !strings.Contains(out, "ops (1)") || !strings.Contains(out, "#1 INC-1") {
		t.Errorf("board:\n%s", out)
	}
	mustRun(t, env, "action", "task-force", "cache-health", "1")
	if out := mustRun(t, env, "action", "board", "--group", "task_force"); !strings.Contains(out, "cache-health (1)") {
		t.Errorf("task force board:\n%s", out)
	}
	if out := mustRun(t, env, "action", "set", "1", "--status", "done"); !strings.Contains(out, "is done") {
		t.Errorf("set: %s", out)
	}
	if out := mustRun(t, env, "action", "list", "--status", "done"); !strings.Contains(out, "Keep an eye") {
		t.Errorf("list: %s", out)
	}
	// An admin closes an incident whose review is missing, with a reason.
	mustRun(t, env, "incident", "declare", "--title", "Duplicate of INC-1", "--grade", "SEV3", "--service", "api")
	mustRun(t, env, "incident", "status", "INC-2", "resolved")
	if out, err := run(t, adminEnv, "review", "close", "INC-2"); err == nil || !strings.Contains(out, "reason") {
		t.Errorf("close without a reason: %v\n%s", err, out)
	}
	if out, err := run(t, env, "review", "close", "INC-2", "--reason", "duplicate"); err == nil || strings.Contains(out, "is now closed") {
		t.Errorf("a responder closed past the review: %v\n%s", err, out)
	}
	if out := mustRun(t, adminEnv, "review", "close", "INC-2", "--reason", "duplicate of INC-1, reviewed there"); !strings.Contains(out, "INC-2 is now closed") {
		t.Errorf("close --reason: %s", out)
	}
	if out := mustRun(t, env, "incident", "show", "INC-2"); !strings.Contains(out, "closed without team review: duplicate of INC-1, reviewed there") {
		t.Errorf("the override is not on the timeline:\n%s", out)
	}

	mustRun(t, env, "incident", "status", "INC-1", "closed")
	out = mustRun(t, env, "incident", "show", "INC-1")
	for _, want := range []string{"team review held, facilitator lead", `action item "Keep an eye on the cache hit rate" is done`} {
		if !strings.Contains(out, want) {
			t.Errorf("incident show lacks %q:\n%s", want, out)
		}
	}
}
