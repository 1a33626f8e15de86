package cli

import "testing"

// TestMaintenanceEventInBothLanguages: `incident show` names the window an
// incident was declared during in words, not as raw JSON.
func TestMaintenanceEventInBothLanguages(t *testing.T) {
	ev := eventDoc{Kind: "maintenance_active", Data: map[string]any{"window": "MW-2", "title": "원장 DB 업그레이드",
		"ends_at": "2026-12-05T14:00:00Z"}}
	for lang, want := range map[string]string{
		"en": "MW-2 (원장 DB 업그레이드) until 2026-12-05 14:00 — its alerts are kept quiet",
		"ko": "MW-2(원장 DB 업그레이드), 2026-12-05 14:00까지 — 경보는 조용히 처리됨",
	} {
		if got := describeEventIn(ev, lang); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}
