package report

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/eventtext"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// TestPrefillReadsLikeAReport: the timeline table says what happened — a
// status update's text, statuses in the reader's language, every kind in
// words — and names the organisation's zone once, in its header.
func TestPrefillReadsLikeAReport(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	t0 := time.Date(2026, 11, 24, 5, 2, 0, 0, time.UTC)
	inc := &incident.Incident{ID: 7, Title: "결제 지연", Grade: incident.SEV2, StartedAt: t0, DetectedAt: t0,
		Roles: map[incident.Role]string{incident.Resolver: "minji.kim"}}
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	events := []incident.Event{
		{At: at(1), Actor: "alice", Kind: incident.EventStatusUpdate, Data: map[string]any{"text": "결제 승인이 지연되고 있습니다. 원인 조사 중입니다."}},
		{At: at(2), Actor: "alice", Kind: incident.EventStatusChanged, Data: map[string]any{"from": "investigating", "to": "identified"}},
		{At: at(3), Actor: "alice", Kind: incident.EventUpdateOverdue, Data: map[string]any{"interval": "30m"}},
		{At: at(4), Actor: "alice", Kind: "report_started", Data: map[string]any{}},
		{At: at(5), Actor: "alice", Kind: "report_shared", Data: map[string]any{}},
		{At: at(6), Actor: "alice", Kind: "flag_flipped", Data: map[string]any{}},
	}
	for _, k := range eventtext.Kinds() {
		events = append(events, incident.Event{At: at(10), Actor: "x", Kind: k, Data: map[string]any{}})
	}
	tl := DefaultTemplate().Prefill(inc, events, seoul, "ko")[KeyTimeline]
	for _, w := range []string{
		"| 시각 (Asia/Seoul) | 누가 | 내용 |",
		"| 11-24 14:03 | alice | 결제 승인이 지연되고 있습니다. 원인 조사 중입니다. |",
		"상태 조사 중 → 원인 파악", "30분 넘게 업데이트 없음", "보고서 작성 시작", "보고서 공유", "킬 스위치 전환",
	} {
		if !strings.Contains(tl, w) {
			t.Errorf("timeline lacks %q:\n%s", w, tl)
		}
	}
	for _, k := range eventtext.Kinds() {
		if strings.Contains(tl, string(k)) {
			t.Errorf("timeline shows the raw kind %q:\n%s", k, tl)
		}
	}
	if strings.Count(tl, "KST") > 0 {
		t.Errorf("rows name the zone:\n%s", tl)
	}
	en := DefaultTemplate().Prefill(inc, events[:2], seoul, "en")[KeyTimeline]
	if !strings.Contains(en, "| Time (Asia/Seoul) |") || !strings.Contains(en, "status investigating → identified") {
		t.Errorf("English timeline:\n%s", en)
	}
	if DefaultEvent(incident.Event{Kind: incident.EventRoleWarning}) {
		t.Error("the role warning, bookkeeping, is kept by default")
	}
}
