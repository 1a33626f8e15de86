package ui

import (
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/playbook"
)

// TestPlaybookEventsRead: playbook runs read well on the timeline in both
// languages, with no raw kind names, and every playbook string has both.
func TestPlaybookEventsRead(t *testing.T) {
	en, ko := &view{translator: translatorFor("en")}, &view{translator: translatorFor("ko")}
	base := func(kind incident.EventKind, extra map[string]any) incident.Event {
		data := map[string]any{"title": "Rollback workflow", "step": float64(2), "playbook": "rollback", "service": "checkout-api",
			"action": "github_workflow", "method": "POST", "url": "https://api.github.com/x"}
		for k, v := range extra {
			data[k] = v
		}
		return incident.Event{Kind: kind, Data: data}
	}
	for _, c := range []struct {
		v    *view
		ev   incident.Event
		text string
	}{
		{en, base(playbook.EventStarted, nil), "Playbook action queued: Rollback workflow (step 2 of Rollback for checkout-api, GitHub Actions workflow) — POST https://api.github.com/x"},
		{ko, base(playbook.EventStarted, nil), "플레이북 실행 요청: Rollback workflow (checkout-api 롤백 2단계, GitHub Actions 워크플로) — POST https://api.github.com/x"},
		{en, base(playbook.EventSucceeded, map[string]any{"status": float64(204)}), "Playbook action succeeded: Rollback workflow (step 2 of Rollback for checkout-api, GitHub Actions workflow) — the peer answered 204"},
		{ko, base(playbook.EventFailed, map[string]any{"status": float64(401), "reason": "answered 401", "answer": `{"message":"Bad credentials"}`}),
			`플레이북 실행 실패: Rollback workflow (checkout-api 롤백 2단계, GitHub Actions 워크플로) — answered 401 — 응답 내용: {"message":"Bad credentials"}`},
		{en, base(playbook.EventUnknown, map[string]any{"reason": "lost"}), "Playbook action outcome unknown: Rollback workflow (step 2 of Rollback for checkout-api, GitHub Actions workflow) — lost"},
	} {
		if got := c.v.EventText(c.ev); got != c.text {
			t.Errorf("text\n%q, want\n%q", got, c.text)
		}
	}
	for k, v := range playbookMessages {
		if v[0] == "" || v[1] == "" || strings.Contains(v[1], "%!") {
			t.Errorf("message %s lacks a language: %q", k, v)
		}
	}
}
