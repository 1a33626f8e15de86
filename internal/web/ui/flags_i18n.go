package ui

// flagMessages are the strings of the kill switch pages, as {English,
// Korean}.
var flagMessages = map[string][2]string{
	"nav.flags":              {"Kill switches", "킬 스위치"},
	"flags.title":            {"Kill switches", "킬 스위치"},
	"flags.title_service":    {"Kill switches of %s", "%s 킬 스위치"},
	"flags.intro":            {"Switches turn an app's feature off from the server. Apps read them through OpenFeature's OFREP provider with a flags:read token.", "스위치로 앱 기능을 서버에서 끌 수 있습니다. 앱은 flags:read 토큰으로 OpenFeature OFREP 프로바이더를 통해 값을 읽습니다."},
	"flags.none":             {"No switches yet.", "아직 스위치가 없습니다."},
	"flags.key":              {"Key", "키"},
	"flags.service":          {"Service", "서비스"},
	"flags.type":             {"Type", "형식"},
	"flags.state":            {"State", "상태"},
	"flags.default":          {"Default", "기본값"},
	"flags.incident":         {"Incident", "장애"},
	"flags.state_default":    {"as defined", "정의대로"},
	"flags.state_flipped":    {"flipped to %s", "%s(으)로 전환됨"},
	"flags.disabled":         {"disabled", "비활성"},
	"flags.source.config":    {"from the config file", "설정 파일에서 정의"},
	"flags.source.api":       {"made in Firebreak", "Firebreak에서 생성"},
	"flags.variants":         {"Variants", "변형"},
	"flags.value":            {"Value", "값"},
	"flags.is_default":       {"default", "기본"},
	"flags.served":           {"served to everyone", "모두에게 제공 중"},
	"flags.rules":            {"Targeting rules (first match wins)", "타기팅 규칙 (처음 일치하는 규칙 적용)"},
	"flags.no_rules":         {"No rules: everyone gets the default.", "규칙 없음: 모두 기본값을 받습니다."},
	"flags.rule":             {"%s when %s", "%[2]s이면 %[1]s"},
	"flags.and":              {" and ", " 그리고 "},
	"flags.flip":             {"Flip", "전환"},
	"flags.flip_to":          {"Serve to everyone", "모두에게 제공할 값"},
	"flags.flip_default":     {"the definition (rules and default)", "정의대로 (규칙과 기본값)"},
	"flags.reason":           {"Reason (required)", "사유 (필수)"},
	"flags.flip_incident":    {"During incident (optional), e.g. INC-7", "관련 장애 (선택), 예: INC-7"},
	"flags.flip_hint":        {"Apps see the change within a second (bulk clients at their next poll). The flip is kept as a revision and in the audit log.", "앱은 1초 안에 변경을 받습니다(일괄 평가 클라이언트는 다음 폴링 때). 전환은 변경 이력과 감사 로그에 남습니다."},
	"flags.revisions":        {"Revisions", "변경 이력"},
	"flags.rev.version":      {"Version", "버전"},
	"flags.rev.at":           {"When", "시각"},
	"flags.rev.by":           {"Who", "누가"},
	"flags.rev.what":         {"What", "무엇을"},
	"flags.rev.why":          {"Why", "사유"},
	"flags.rev.flip":         {"flipped from %s to %s", "%s에서 %s(으)로 전환"},
	"flags.rev.create":       {"created", "생성"},
	"flags.rev.update":       {"definition changed", "정의 변경"},
	"flags.rev.config":       {"definition set by the config file", "설정 파일로 정의 변경"},
	"flagop.eq":              {"=", "="},
	"flagop.ne":              {"≠", "≠"},
	"flagop.in":              {"is one of", "다음 중 하나:"},
	"flagop.not_in":          {"is none of", "다음 중 어느 것도 아님:"},
	"flagop.starts_with":     {"starts with", "다음으로 시작:"},
	"flagop.semver_lt":       {"< (version)", "< (버전)"},
	"flagop.semver_le":       {"≤ (version)", "≤ (버전)"},
	"flagop.semver_gt":       {"> (version)", "> (버전)"},
	"flagop.semver_ge":       {"≥ (version)", "≥ (버전)"},
	"flagop.semver_eq":       {"= (version)", "= (버전)"},
	"flags.service_switches": {"Kill switches", "킬 스위치"},
}

func init() {
	for k, v := range flagMessages {
		if _, dup := messages[k]; dup {
			panic("ui: message " + k + " registered twice")
		}
		messages[k] = v
	}
}
