// Package eventtext is the one registry of how each kind of timeline event is
// named in words, in English and Korean. The incident timeline, the report
// pre-fill and anything else that shows an event use it, so that no page
// shows a raw kind such as report_started, and a kind added anywhere in the
// code gets its wording here (a test scans the source for kinds and fails on
// one without wording).
package eventtext

import (
	"sort"

	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Wording names what an event of one kind records, {English, Korean}: a
// short phrase that stands on its own when the event's data says nothing
// more (a label, not a sentence built from the data).
type Wording [2]string

// The kinds are listed by string rather than by the constants of the
// packages that write them: those packages (report, review, playbook, …)
// use this one, and importing them back would be a cycle.
var wordings = map[incident.EventKind]Wording{
	"declared":                  {"Incident declared", "장애 선언"},
	"status_changed":            {"Status changed", "상태 변경"},
	"grade_changed":             {"Grade changed", "등급 변경"},
	"role_assigned":             {"Role assigned", "역할 지정"},
	"fields_changed":            {"Details changed", "정보 변경"},
	"note":                      {"Note", "메모"},
	"update_overdue":            {"Status update overdue", "상태 업데이트 지연"},
	"status_update":             {"Status update", "상태 업데이트"},
	"role_warning":              {"One person holds both roles", "한 사람이 두 역할을 모두 맡음"},
	"close_overridden":          {"Closed without the required reviews", "필요한 회고 없이 종료"},
	"mitigated":                 {"Impact stopped", "영향 종료"},
	"message_delivered":         {"Message delivered", "메시지 전달됨"},
	"message_failed":            {"Message not delivered", "메시지 전달 실패"},
	"member_not_told":           {"A member could not be told", "구성원에게 알리지 못함"},
	"signal_joined":             {"Signal joined", "신호 연결"},
	"signal_status":             {"Signal status changed", "신호 상태 변경"},
	"change_landed":             {"Change landed", "변경 반영"},
	"change_suspected":          {"Change suspected as the trigger", "원인으로 의심되는 변경"},
	"playbook_action_started":   {"Playbook action requested", "플레이북 실행 요청"},
	"playbook_action_succeeded": {"Playbook action succeeded", "플레이북 실행 성공"},
	"playbook_action_failed":    {"Playbook action failed", "플레이북 실행 실패"},
	"playbook_action_unknown":   {"Playbook action outcome unknown", "플레이북 실행 결과 알 수 없음"},
	"flag_flipped":              {"Kill switch flipped", "킬 스위치 전환"},
	"report_started":            {"Report started", "보고서 작성 시작"},
	"report_shared":             {"Report shared", "보고서 공유"},
	"report_overdue":            {"First report overdue", "1차 보고 기한 초과"},
	"report_reminded":           {"Report owner reminded", "보고서 작성 담당에게 알림"},
	"review_saved":              {"Review updated", "회고 내용 갱신"},
	"review_held":               {"Review held", "회고 진행"},
	"action_item_added":         {"Action item added", "후속 조치 추가"},
	"action_item_changed":       {"Action item changed", "후속 조치 변경"},
	"action_item_linked":        {"Action item filed in the tracker", "후속 조치 티켓 등록"},
	"action_item_reminder":      {"Action item owner reminded", "후속 조치 기한 알림"},
	"action_item_escalated":     {"Action item escalated", "후속 조치 에스컬레이션"},
	"recurrence_matched":        {"Looks like a recurrence", "재발로 보임"},
	"maintenance_overlap":       {"Maintenance window", "점검 시간"},
	"maintenance_active":        {"Declared during a maintenance window", "점검 시간 중 선언"},
	"war_room_opened":           {"Chat channel opened", "장애 채널 개설"},
	"war_room_archived":         {"Chat channel archived", "장애 채널 보관"},
	"war_room_failed":           {"Chat channel could not be made", "장애 채널을 만들지 못함"},
	"chat_message":              {"Pinned from chat", "채팅에서 고정한 메시지"},
	"chat_message_edited":       {"Chat message edited", "채팅 메시지 수정"},
	"chat_message_deleted":      {"Chat message removed", "채팅 메시지 삭제"},
}

// Known reports whether kind has wording.
func Known(kind incident.EventKind) bool {
	_, ok := wordings[kind]
	return ok
}

// Label names kind in lang. A kind without wording (one the code does not
// write, say from a newer replica) reads as a generic "Event" rather than
// its raw name.
func Label(kind incident.EventKind, lang string) string {
	w, ok := wordings[kind]
	if !ok {
		w = Wording{"Event", "이벤트"}
	}
	return w[i18n.Index(lang)]
}

// Kinds lists every kind with wording, sorted.
func Kinds() []incident.EventKind {
	out := make([]incident.EventKind, 0, len(wordings))
	for k := range wordings {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
