package ui

// playbookMessages are the strings of the playbooks section, the
// confirmation page and the runs' timeline events, as {English, Korean}.
var playbookMessages = map[string][2]string{
	"pb.title":                    {"Playbooks", "플레이북"},
	"pb.intro":                    {"What the owning teams prepared for these services. Action steps run only after you confirm what they send.", "담당 팀이 이 서비스들을 위해 준비한 절차입니다. 실행 단계는 보낼 내용을 확인한 뒤에만 실행됩니다."},
	"pb.run":                      {"Run…", "실행…"},
	"pb.run_title":                {"Run step %d: %s", "%d단계 실행: %s"},
	"pb.cannot_run":               {"Only responders of a team that owns one of this incident's services (and admins) may run actions.", "이 장애 서비스의 담당 팀 응답자(및 관리자)만 실행할 수 있습니다."},
	"pb.runs":                     {"Recent runs", "최근 실행"},
	"pb.run_line":                 {"%s step %d (%s) by %s", "%s %d단계 (%s), 요청자 %s"},
	"pb.kind.rollback":            {"Rollback", "롤백"},
	"pb.kind.restart":             {"Restart", "재시작"},
	"pb.kind.scale_out":           {"Scale out", "스케일 아웃"},
	"pb.kind.hotfix":              {"Hotfix", "핫픽스"},
	"pb.action.github_workflow":   {"GitHub Actions workflow", "GitHub Actions 워크플로"},
	"pb.action.argocd":            {"Argo CD", "Argo CD"},
	"pb.action.jenkins":           {"Jenkins job", "Jenkins 작업"},
	"pb.action.webhook":           {"signed webhook", "서명된 웹훅"},
	"pb.state.queued":             {"queued", "대기 중"},
	"pb.state.running":            {"sending", "보내는 중"},
	"pb.state.succeeded":          {"succeeded", "성공"},
	"pb.state.failed":             {"failed", "실패"},
	"pb.state.unknown":            {"outcome unknown", "결과 알 수 없음"},
	"pb.confirm_title":            {"Confirm a playbook action", "플레이북 실행 확인"},
	"pb.confirm_intro":            {"Firebreak will send exactly this request, once, through its job queue (retried only where a retry cannot act twice). The credential is added when sending and is never shown.", "Firebreak가 작업 큐를 통해 정확히 이 요청을 한 번 보냅니다(재시도는 중복 실행될 수 없는 경우에만). 인증 정보는 보낼 때 추가되며 화면에 표시되지 않습니다."},
	"pb.demo_peer":                {"Demo: this request goes to Firebreak's built-in demo peer, which answers like the real API. Nothing is deployed.", "데모: 이 요청은 실제 API처럼 응답하는 Firebreak 내장 데모 피어로 갑니다. 실제로 배포되는 것은 없습니다."},
	"pb.method_url":               {"Request", "요청"},
	"pb.headers":                  {"Headers", "헤더"},
	"pb.body":                     {"Body", "본문"},
	"pb.no_body":                  {"(no body)", "(본문 없음)"},
	"pb.service":                  {"Service", "서비스"},
	"pb.playbook":                 {"Playbook", "플레이북"},
	"pb.action":                   {"Action", "실행 대상"},
	"pb.key":                      {"Idempotency key", "멱등성 키"},
	"pb.rollback_to":              {"Version to roll back to", "롤백할 버전"},
	"pb.rollback_to_hint":         {"This step sends the version (or deployment history id) to roll back to. Fill it in and update the preview.", "이 단계는 롤백할 버전(또는 배포 이력 ID)을 보냅니다. 입력한 뒤 미리보기를 갱신하세요."},
	"pb.update_preview":           {"Update the preview", "미리보기 갱신"},
	"pb.not_rollbackable":         {"The newest deploy of %s is marked not rollbackable: %s", "%s의 최신 배포는 롤백 불가로 표시되어 있습니다: %s"},
	"pb.not_rollbackable_link":    {"See the change", "변경 내용 보기"},
	"pb.confirm_not_rollbackable": {"I have read why it is not rollbackable (%s) and still want to run this rollback.", "롤백 불가 사유(%s)를 확인했으며 그래도 이 롤백을 실행합니다."},
	"pb.confirm_submit":           {"Send it", "보내기"},
	"pb.back":                     {"Back to the incident", "장애로 돌아가기"},
	"pb.problem":                  {"This request cannot be built yet: %s", "아직 요청을 만들 수 없습니다: %s"},
	"pb.ev.what":                  {"%s (step %d of %s for %s, %s)", "%s (%[4]s %[3]s %[2]d단계, %[5]s)"},
	"pb.ev.started":               {"Playbook action queued: %s — %s %s", "플레이북 실행 요청: %s — %s %s"},
	"pb.ev.succeeded":             {"Playbook action succeeded: %s — the peer answered %d", "플레이북 실행 성공: %s — 응답 %d"},
	"pb.ev.failed":                {"Playbook action failed: %s — %s", "플레이북 실행 실패: %s — %s"},
	"pb.ev.answer":                {"the peer said: %s", "응답 내용: %s"},
	"pb.ev.unknown":               {"Playbook action outcome unknown: %s — %s", "플레이북 실행 결과 알 수 없음: %s — %s"},
}

func init() {
	for k, v := range playbookMessages {
		messages[k] = v
	}
}
