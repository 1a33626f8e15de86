package ui

// teamTargetMessages are the strings of a team's notification targets page
// and of the timeline note on members not told, as {English, Korean}.
var teamTargetMessages = map[string][2]string{
	"targets.link":        {"Notification targets", "알림 대상"},
	"targets.title":       {"Notification targets of team %s", "%s 팀 알림 대상"},
	"targets.intro":       {"Besides the team's e-mail and chat channel in the catalog, these are told whenever the team is told of an incident (as the owning team or as a dependant's team). Restricted incidents are told to their members only.", "카탈로그에 등록된 팀 이메일과 채팅 채널 외에, 팀이 장애를 전달받을 때(담당 팀이든 의존 서비스의 팀이든) 이 대상에도 함께 알립니다. 제한 공개 장애는 구성원에게만 알립니다."},
	"targets.none":        {"The team has added no targets.", "팀이 추가한 알림 대상이 없습니다."},
	"targets.channel":     {"Channel", "채널"},
	"targets.address":     {"Address", "주소"},
	"targets.lang":        {"Language", "언어"},
	"targets.from_grade":  {"From grade", "전달 시작 등급"},
	"targets.every_grade": {"every grade", "모든 등급"},
	"targets.lang_policy": {"the policy's", "정책 기본값"},
	"targets.added_by":    {"Added by", "추가한 사람"},
	"targets.secret":      {"Signing secret (webhooks only)", "서명 비밀값 (웹훅 전용)"},
	"targets.secret_set":  {"signed", "서명함"},
	"targets.add":         {"Add a target", "알림 대상 추가"},
	"targets.save":        {"Add", "추가"},
	"targets.remove":      {"Remove", "삭제"},
	"targets.address_hint": {"An e-mail address, a Slack channel (#name), an https URL for a webhook or a Mattermost incoming webhook, or the name of a Microsoft Teams channel or LINE WORKS target set up in the notify config.",
		"이메일 주소, Slack 채널(#이름), 웹훅·Mattermost 수신 웹훅의 https URL, 또는 설정 파일의 알림 채널 항목에 등록한 Microsoft Teams 채널·LINE WORKS 대상의 이름."},
	"channel.email":      {"E-mail", "이메일"},
	"channel.slack":      {"Slack", "Slack"},
	"channel.webhook":    {"Signed webhook", "서명된 웹훅"},
	"channel.mattermost": {"Mattermost", "Mattermost"},
	"lang.en":            {"English", "영어"},
	"lang.ko":            {"Korean", "한국어"},
	"ev.member_not_told": {"could not tell %s: no e-mail address", "%s 님에게 알리지 못함: 이메일 주소 없음"},
	"preview.not_told":   {"Restricted: told only to its members, by e-mail. Not told (no e-mail address): %s", "제한 공개: 구성원에게만 이메일로 알립니다. 이메일 주소가 없어 알리지 못하는 구성원: %s"},
}

func init() {
	for k, v := range teamTargetMessages {
		messages[k] = v
	}
}
