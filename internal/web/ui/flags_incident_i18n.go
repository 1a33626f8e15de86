package ui

// incidentFlagMessages are the strings of the incident page's kill switch
// section, the timeline entry of a flip and the left-flipped list, as
// {English, Korean}.
var incidentFlagMessages = map[string][2]string{
	"sw.title":        {"Kill switches", "킬 스위치"},
	"sw.intro":        {"Switches of the affected services. Flipping one serves that variant to every app at once; it is recorded on this timeline and in the audit log.", "영향받는 서비스의 스위치입니다. 스위치를 전환하면 모든 앱에 즉시 그 값이 적용되며, 이 타임라인과 감사 로그에 기록됩니다."},
	"sw.none":         {"The affected services have no kill switches.", "영향받는 서비스에 킬 스위치가 없습니다."},
	"sw.definition":   {"serving its definition", "정의대로 동작 중"},
	"sw.flipped_to":   {"flipped to %s", "%s(으)로 전환됨"},
	"sw.default":      {"Default", "기본값"},
	"sw.targeting":    {"Targeting", "타기팅"},
	"sw.flipped_here": {"Flipped during this incident by %s at %s.", "이 장애 중 %s 님이 %s에 전환했습니다."},
	"sw.flipped_else": {"Flipped during %s.", "%s 장애 중 전환되었습니다."},
	"sw.to":           {"Flip to", "전환할 값"},
	"sw.to_default":   {"its definition (default)", "원래 정의 (기본)"},
	"sw.reason":       {"Reason (required)", "사유 (필수)"},
	"sw.flip":         {"Flip", "전환"},
	"sw.no_right":     {"Only responders of the owning team (or admins) may flip it.", "담당 팀의 대응자(또는 관리자)만 전환할 수 있습니다."},
	"sw.offer_back":   {"The incident is mitigated and this switch is still flipped. Flip it back?", "장애가 완화되었지만 이 스위치는 아직 전환된 상태입니다. 원래대로 되돌릴까요?"},
	"sw.flip_back":    {"Flip it back", "원래대로 되돌리기"},
	"sw.back_reason":  {"incident %s mitigated", "%s 장애 완화됨"},
	"ev.flag_flipped": {"flipped kill switch %s from %s to %s — %s", "킬 스위치 %s 전환: %s → %s — %s"},
	"flags.left":      {"Left flipped", "되돌리지 않은 스위치"},
	"flags.left_intro": {"Switches still flipped after the incident they were flipped during was closed. Flip each back, or make its new state the definition. The owning team is reminded by e-mail once a day.",
		"전환된 채로 해당 장애가 종료된 스위치입니다. 원래대로 되돌리거나 새 상태를 정의에 반영하세요. 담당 팀에 하루 한 번 이메일로 알립니다."},
	"flags.left_none": {"No switch is left flipped.", "되돌리지 않은 스위치가 없습니다."},
}

func init() {
	for k, m := range incidentFlagMessages {
		if _, dup := messages[k]; dup {
			panic("ui: message " + k + " is registered twice")
		}
		messages[k] = m
	}
}
