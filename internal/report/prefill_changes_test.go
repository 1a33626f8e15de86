package report

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// TestPrefillFromChangesAndMitigation: the cause is pre-filled from the
// change marked as the suspected trigger, the detection section names when
// the impact stopped and when it was resolved, and the change events read
// as text in both languages.
func TestPrefillFromChangesAndMitigation(t *testing.T) {
	start := time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)
	mitigated, resolved := start.Add(40*time.Minute), start.Add(2*time.Hour)
	inc := &incident.Incident{Title: "결제 실패", Services: []string{"checkout-api"}, StartedAt: start, DetectedAt: start.Add(5 * time.Minute),
		MitigatedAt: &mitigated, ResolvedAt: &resolved, Source: "alertmanager", Roles: map[incident.Role]string{}}
	suspected := incident.Event{At: start.Add(30 * time.Minute), Actor: "alice", Kind: "change_suspected", Data: map[string]any{
		"kind": "deploy", "version": "v2.14.0", "title": "주문 테이블 스키마 변경", "services": "checkout-api", "rollbackable": false,
		"reason": `PR #42 is labelled "롤백불가"`, "link": "https://github.com/acme/shop/pull/42"}}
	mit := incident.Event{At: mitigated, Actor: "alice", Kind: "mitigated", Data: map[string]any{"at": mitigated.Format(time.RFC3339)}}
	seoul := time.FixedZone("KST", 9*3600)
	for _, tc := range []struct{ lang, cause, impact, resolvedWord, row string }{
		{"en", "Suspected trigger (marked by alice at 2026-12-05 10:30 KST):", "Impact stopped: 2026-12-05 10:40", "Resolved: 2026-12-05 12:00", "suspected trigger: deploy v2.14.0"},
		{"ko", "원인으로 의심되는 변경 (alice, 2026-12-05 10:30 KST 지정):", "영향 종료: 2026-12-05 10:40", "해결: 2026-12-05 12:00", "원인으로 의심: deploy v2.14.0"},
	} {
		out := DefaultTemplate().Prefill(inc, []incident.Event{suspected, mit}, seoul, tc.lang)
		if !strings.Contains(out[KeyCause], tc.cause) || !strings.Contains(out[KeyCause], "v2.14.0 — 주문 테이블 스키마 변경 (checkout-api)") ||
			!strings.Contains(out[KeyCause], "https://github.com/acme/shop/pull/42") {
			t.Errorf("%s cause: %q", tc.lang, out[KeyCause])
		}
		if !strings.Contains(out[KeyDetection], tc.impact) || !strings.Contains(out[KeyDetection], tc.resolvedWord) {
			t.Errorf("%s detection: %q", tc.lang, out[KeyDetection])
		}
		if !strings.Contains(out[KeyTimeline], tc.row) || strings.Contains(out[KeyTimeline], "change_suspected") || strings.Contains(out[KeyTimeline], "| mitigated") {
			t.Errorf("%s timeline: %q", tc.lang, out[KeyTimeline])
		}
	}
	if out := DefaultTemplate().Prefill(inc, nil, time.UTC, "en"); out[KeyCause] != TBD {
		t.Errorf("cause without a suspected change: %q", out[KeyCause])
	}
}
