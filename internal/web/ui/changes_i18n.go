package ui

// changeMessages are the strings of the incident page's recent changes and
// mitigation, and of their timeline events, as {English, Korean}.
var changeMessages = map[string][2]string{
	"chg.title":               {"Recent changes", "최근 변경"},
	"chg.intro":               {"Changes to the affected services and the services they depend on since %s, newest first.", "%s 이후 영향받은 서비스와 그 서비스가 의존하는 서비스의 변경, 최신순."},
	"chg.none":                {"No changes recorded in this window.", "이 기간에 기록된 변경이 없습니다."},
	"chg.safe":                {"safe to roll back", "롤백 가능"},
	"chg.not_rollbackable":    {"not rollbackable", "롤백 불가"},
	"chg.reason_label":        {"%s is labelled %q", "%s에 %q 라벨이 붙어 있음"},
	"chg.reason_kind":         {"%s changes are configured as not rollbackable", "%s 변경은 롤백 불가로 설정됨"},
	"chg.suspect":             {"Mark as suspected trigger", "원인으로 의심"},
	"chg.suspected":           {"suspected trigger", "원인으로 의심됨"},
	"chg.last_safe":           {"Last safe version to return to", "돌아갈 마지막 안전 버전"},
	"chg.return_to":           {"%s: return to %s (now %s)", "%s: %s(으)로 되돌리기 (현재 %s)"},
	"chg.no_previous":         {"%s: no earlier deploy recorded (now %s)", "%s: 이전 배포 기록 없음 (현재 %s)"},
	"chg.blocked":             {"%s: do not roll back %s", "%s: %s 롤백 금지"},
	"chg.link":                {"link", "링크"},
	"chg.kind.deploy":         {"deploy", "배포"},
	"chg.kind.config":         {"config", "설정"},
	"chg.kind.migration":      {"migration", "마이그레이션"},
	"chg.kind.infrastructure": {"infrastructure", "인프라"},
	"chg.kind.flag":           {"flag", "플래그"},
	"chg.kind.code":           {"merged PR", "병합된 PR"},
	"mit.title":               {"Impact stopped", "영향 종료"},
	"mit.hint":                {"When users stopped being affected, apart from resolving the cause. Leave the time empty for now.", "원인 해결과 별개로 사용자 영향이 멈춘 시각. 비워 두면 지금 시각으로 기록합니다."},
	"mit.at":                  {"Time (%s)", "시각 (%s)"},
	"mit.submit":              {"Impact stopped", "영향 종료"},
	"ev.change_landed":        {"change landed: %s", "변경 반영됨: %s"},
	"ev.change_suspected":     {"marked as suspected trigger: %s", "원인으로 의심: %s"},
	"ev.mitigated":            {"impact stopped at %s", "영향 종료: %s"},
}

func init() {
	for k, v := range changeMessages {
		if _, dup := messages[k]; dup {
			panic("ui: message " + k + " registered twice")
		}
		messages[k] = v
	}
}
