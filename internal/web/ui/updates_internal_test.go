package ui

import (
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// TestUpdateEventsRead: status updates and reminders read well on the
// timeline in both languages.
func TestUpdateEventsRead(t *testing.T) {
	en, ko := &view{translator: translatorFor("en")}, &view{translator: translatorFor("ko")}
	update := incident.Event{Kind: incident.EventStatusUpdate, Data: map[string]any{"text": "결제 복구 중 recovering", "public": true}}
	overdue := func(data map[string]any) incident.Event {
		data["interval"] = "15m0s"
		return incident.Event{Kind: incident.EventUpdateOverdue, Data: data}
	}
	for _, c := range []struct {
		v           *view
		ev          incident.Event
		badge, text string
	}{
		{en, update, "Status update · Public", "결제 복구 중 recovering"},
		{ko, update, "상태 업데이트 · 공개", "결제 복구 중 recovering"},
		{en, incident.Event{Kind: incident.EventStatusUpdate, Data: map[string]any{"text": "x", "public": false}}, "Status update", "x"},
		{en, overdue(map[string]any{"remind": "cora", "emailed": true}), "Update overdue", "no update for more than 15m — cora was reminded by e-mail."},
		{ko, overdue(map[string]any{"remind": "cora", "emailed": true}), "업데이트 지연", "15분 넘게 업데이트 없음 — cora 님에게 이메일로 알렸습니다."},
		{en, overdue(map[string]any{"remind": "rae", "emailed": false, "why_not": "no_address"}), "Update overdue", "no update for more than 15m — rae has no e-mail address; only this timeline says so."},
		{en, overdue(map[string]any{"remind": "rae", "emailed": false, "why_not": "no_mail"}), "Update overdue", "no update for more than 15m — rae was not e-mailed: no mail server is set up."},
		{en, overdue(map[string]any{}), "Update overdue", "no update for more than 15m"},
	} {
		if got := c.v.EventBadge(c.ev); got != c.badge {
			t.Errorf("badge %q, want %q", got, c.badge)
		}
		if got := c.v.EventText(c.ev); got != c.text {
			t.Errorf("text %q, want %q", got, c.text)
		}
	}
}

func TestDueText(t *testing.T) {
	by := time.Date(2026, 11, 24, 10, 45, 0, 0, time.UTC)
	seoul, _ := time.LoadLocation("Asia/Seoul")
	en := &view{translator: translatorFor("en"), Zone: time.UTC}
	ko := &view{translator: translatorFor("ko"), Zone: seoul}
	for _, c := range []struct {
		v    *view
		due  UpdateDue
		want string
	}{
		{en, UpdateDue{By: by, Every: 15 * time.Minute}, "Next update due by 2026-11-24 10:45 UTC (every 15m)."},
		{en, UpdateDue{By: by, Every: time.Hour, Overdue: true}, "An update was due by 2026-11-24 10:45 UTC (every 1h): it is overdue."},
		{ko, UpdateDue{By: by, Every: 30 * time.Minute}, "다음 업데이트 기한: 2026-11-24 19:45 KST (30분마다)."},
	} {
		if got := c.v.DueText(&c.due); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
}
