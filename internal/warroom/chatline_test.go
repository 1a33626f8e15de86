package warroom

import (
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// TestChatLine: the kinds the room is told of read in English and Korean;
// other kinds, what came from the room, and the room's own failed posts
// are not told.
func TestChatLine(t *testing.T) {
	room := &Room{ChannelID: "C1", Name: "inc-1-x"}
	for _, c := range []struct {
		ev   incident.Event
		want []string // empty: not told
	}{
		{incident.Event{Kind: incident.EventStatusChanged, Actor: "alice", Data: map[string]any{"from": "investigating", "to": "identified", "message": "DB <pool>"}},
			[]string{"Status changed · 상태 변경", "— alice", "Investigating · 조사 중 → Identified · 원인 파악", "> DB &lt;pool&gt;"}},
		{incident.Event{Kind: incident.EventRoleAssigned, Actor: "bob", Data: map[string]any{"role": "communicator", "user": "bob"}},
			[]string{"Role assigned · 역할 지정", "bob: Communicator · 전파 담당"}},
		{incident.Event{Kind: incident.EventGradeChanged, Data: map[string]any{"from": "SEV2", "to": "SEV1"}}, []string{"SEV2 → SEV1"}},
		{incident.Event{Kind: incident.EventStatusUpdate, Data: map[string]any{"text": "우회 경로\nbackup"}}, []string{"> 우회 경로\n> backup"}},
		{incident.Event{Kind: "flag_flipped", Actor: "minji.kim", Data: map[string]any{"key": "checkout.new-sheet", "from": "", "to": "off", "reason": "결제 오류"}},
			[]string{"Kill switch flipped · 킬 스위치 전환", "`checkout.new-sheet` default · 기본값 → off", "> 결제 오류"}},
		{incident.Event{Kind: "playbook_action_failed", Data: map[string]any{"service": "checkout-api", "title": "Roll back"}},
			[]string{"Playbook action failed · 플레이북 실행 실패", "checkout-api · Roll back"}},
		{incident.Event{Kind: "message_failed", Data: map[string]any{"channel": "email", "target": "team payments", "to": "p@example.com", "reason": "550"}},
			[]string{"Message not delivered · 메시지 전달 실패", "team payments"}},
		{incident.Event{Kind: "message_failed", Data: map[string]any{"channel": "slack", "to": "C1", "reason": "is_archived"}}, nil},
		{incident.Event{Kind: "message_delivered", Data: map[string]any{"to": "C1"}}, nil},
		{incident.Event{Kind: incident.EventNote, Data: map[string]any{"text": "x"}}, nil},
		{incident.Event{Kind: EventChatMessage, Data: map[string]any{"text": "x"}}, nil},
	} {
		got, ok := ChatLine(c.ev, room)
		if ok != (len(c.want) > 0) {
			t.Errorf("%s told = %v (%q)", c.ev.Kind, ok, got)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.ev.Kind, got, w)
			}
		}
	}
}

// TestPlainText: Slack's markup becomes plain text with its links kept,
// mentions become names, and control characters are dropped.
func TestPlainText(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SlackUsers = map[string]string{"alice": "UALICE"}
	r := &Rooms{Config: cfg}
	got, links := r.plainText(t.Context(), "<@UALICE> 롤백 <https://deploy.example.com/42|deploy 42> &amp; <https://x.example>\x07 in <#C1|ops>\nok")
	if want := "@alice 롤백 deploy 42 (https://deploy.example.com/42) & https://x.example in #ops\nok"; got != want {
		t.Errorf("plainText = %q, want %q", got, want)
	}
	if len(links) != 2 || links[0] != "https://deploy.example.com/42" || links[1] != "https://x.example" {
		t.Errorf("links %v", links)
	}
	if at := SlackTime("1700000000.000100"); at.Unix() != 1700000000 || at.Nanosecond() != 100000 {
		t.Errorf("SlackTime %v", at)
	}
}
