package ui

import (
	"net/http"

	"github.com/firebreak-oss/firebreak/internal/i18n"
)

// messages holds every UI string as {English, Korean}.
var messages = i18n.Messages{
	"app.name":             {"Firebreak", "Firebreak"},
	"nav.skip":             {"Skip to content", "본문으로 건너뛰기"},
	"nav.incidents":        {"Incidents", "장애"},
	"nav.declare":          {"Declare incident", "장애 선언"},
	"nav.services":         {"Services", "서비스"},
	"nav.teams":            {"Teams", "팀"},
	"nav.signout":          {"Sign out", "로그아웃"},
	"nav.language":         {"Language", "언어"},
	"nav.signed_in_as":     {"Signed in as %s", "%s 님으로 로그인됨"},
	"login.title":          {"Sign in", "로그인"},
	"login.name":           {"User name", "사용자 이름"},
	"login.password":       {"Password", "비밀번호"},
	"login.submit":         {"Sign in", "로그인"},
	"login.failed":         {"Wrong user name or password.", "사용자 이름 또는 비밀번호가 올바르지 않습니다."},
	"list.title":           {"Incidents", "장애 목록"},
	"list.search":          {"Search titles and summaries", "제목과 요약 검색"},
	"list.status":          {"Status", "상태"},
	"list.grade":           {"Grade", "등급"},
	"list.service":         {"Service", "서비스"},
	"list.any":             {"Any", "전체"},
	"list.open":            {"Open (not resolved)", "진행 중 (미해결)"},
	"list.mine":            {"Only mine", "내 장애만"},
	"list.filter":          {"Filter", "필터 적용"},
	"list.empty":           {"No incidents match.", "조건에 맞는 장애가 없습니다."},
	"list.next":            {"Older incidents →", "이전 장애 →"},
	"list.first":           {"← Newest", "← 최신"},
	"list.live":            {"This list updates live.", "이 목록은 실시간으로 갱신됩니다."},
	"col.id":               {"ID", "ID"},
	"col.title":            {"Title", "제목"},
	"col.services":         {"Services", "서비스"},
	"col.started":          {"Started", "시작"},
	"col.roles":            {"Resolver / Communicator", "해결 담당 / 전파 담당"},
	"declare.title":        {"Declare an incident", "장애 선언"},
	"declare.field_title":  {"Title", "제목"},
	"declare.summary":      {"What is happening?", "무슨 일이 일어나고 있나요?"},
	"declare.grade":        {"Grade", "등급"},
	"declare.services":     {"Affected services", "영향받는 서비스"},
	"declare.visibility":   {"Visibility", "공개 범위"},
	"declare.submit":       {"Declare", "선언"},
	"declare.same_person":  {"One person holds both roles. For SEV1–SEV3 the one who communicates and the one who resolves should be different people.", "한 사람이 두 역할을 맡고 있습니다. SEV1–SEV3에서는 전파 담당과 해결 담당을 다른 사람으로 지정하세요."},
	"role.resolver":        {"Resolver", "해결 담당"},
	"role.communicator":    {"Communicator", "전파 담당"},
	"role.none":            {"— nobody —", "— 없음 —"},
	"status.investigating": {"Investigating", "조사 중"},
	"status.identified":    {"Identified", "원인 파악"},
	"status.monitoring":    {"Monitoring", "모니터링"},
	"status.resolved":      {"Resolved", "해결됨"},
	"status.closed":        {"Closed", "종료"},
	"vis.public":           {"Public (status page)", "공개 (상태 페이지)"},
	"vis.internal":         {"Internal (all staff)", "사내 공개"},
	"vis.restricted":       {"Restricted (members only)", "제한 (구성원만)"},
	"grade.SEV1.guide":     {"Critical: a core service is down or data is at risk for many users. Tell everyone now.", "치명적: 핵심 서비스 중단 또는 다수 사용자의 데이터 위험. 즉시 전사 전파."},
	"grade.SEV2.guide":     {"Major: a key feature is broken or badly degraded for many users.", "중대: 주요 기능이 다수 사용자에게 동작하지 않거나 크게 저하됨."},
	"grade.SEV3.guide":     {"Moderate: a feature is degraded for some users; a workaround may exist.", "보통: 일부 사용자에게 기능 저하, 우회 방법이 있을 수 있음."},
	"grade.SEV4.guide":     {"Minor: small impact, few users, or an internal tool.", "경미: 영향이 작거나 소수 사용자 또는 내부 도구."},
	"grade.SEV5.guide":     {"Cosmetic or no user impact; worth recording.", "사용자 영향 없음 또는 외관상 문제. 기록용."},
	"inc.elapsed":          {"Elapsed", "경과"},
	"inc.started":          {"Started", "시작"},
	"inc.detected":         {"Detected", "탐지"},
	"inc.acknowledged":     {"Acknowledged", "확인"},
	"inc.mitigated":        {"Mitigated", "완화"},
	"inc.resolved":         {"Resolved", "해결"},
	"inc.closed":           {"Closed", "종료"},
	"inc.services":         {"Affected services", "영향받는 서비스"},
	"inc.visibility":       {"Visibility", "공개 범위"},
	"inc.summary":          {"Summary", "요약"},
	"inc.change_status":    {"Change status", "상태 변경"},
	"inc.new_status":       {"New status", "새 상태"},
	"inc.message":          {"Message (optional)", "메시지 (선택)"},
	"inc.apply":            {"Apply", "적용"},
	"inc.actions":          {"Actions", "조치"},
	"inc.change_grade":     {"Change grade", "등급 변경"},
	"inc.assign":           {"Roles", "역할"},
	"inc.assign_submit":    {"Assign", "지정"},
	"inc.add_note":         {"Add a note", "메모 추가"},
	"inc.note":             {"Note", "메모"},
	"inc.note_submit":      {"Add note", "메모 추가"},
	"inc.timeline":         {"Timeline", "타임라인"},
	"inc.timeline_live":    {"New events appear here as they happen.", "새 이벤트가 발생하면 여기에 바로 표시됩니다."},
	"inc.earlier":          {"Show earlier events", "이전 이벤트 보기"},
	"inc.final":            {"This incident is closed.", "종료된 장애입니다."},
	"inc.same_person":      {"Warning: %s is both resolver and communicator.", "주의: %s 님이 해결 담당과 전파 담당을 모두 맡고 있습니다."},
	"ev.declared":          {"declared the incident (%s)", "장애를 선언함 (%s)"},
	"ev.status_changed":    {"changed status: %s → %s", "상태 변경: %s → %s"},
	"ev.grade_changed":     {"changed grade: %s → %s", "등급 변경: %s → %s"},
	"ev.role_assigned":     {"made %s the %s", "%s 님을 %s(으)로 지정"},
	"ev.role_cleared":      {"cleared the %s role", "%s 역할을 비움"},
	"ev.fields_changed":    {"changed %s", "%s 변경"},
	"ev.note":              {"note", "메모"},
	"ev.update_overdue":    {"no update for more than %s", "%s 넘게 업데이트 없음"},
	"ev.signal_joined":     {"signal from %s joined: %s", "%s 신호 연결: %s"},
	"ev.signal_status":     {"signal %s is now %s: %s", "신호 %s 상태 %s: %s"},
	"nav.triage":           {"Triage", "분류 대기"},
	"triage.title":         {"Triage inbox", "분류 대기함"},
	"triage.intro":         {"Signals that no rule sent to an incident. Declare an incident, add the signal to one, or dismiss it with a reason.", "규칙에 따라 장애로 연결되지 않은 신호입니다. 장애를 선언하거나, 기존 장애에 합치거나, 사유와 함께 종료하세요."},
	"triage.empty":         {"Nothing waiting for triage.", "분류를 기다리는 신호가 없습니다."},
	"triage.source":        {"Source", "출처"},
	"triage.count":         {"Count", "횟수"},
	"triage.last_seen":     {"Last seen", "최근 수신"},
	"triage.declare":       {"Declare", "장애 선언"},
	"triage.merge":         {"Add to incident", "장애에 합치기"},
	"triage.merge_into":    {"Incident id (INC-…)", "장애 ID (INC-…)"},
	"triage.dismiss":       {"Dismiss", "종료"},
	"triage.reason":        {"Reason", "사유"},
	"svc.title":            {"Services", "서비스"},
	"svc.owner":            {"Owning team", "담당 팀"},
	"svc.tier":             {"Tier", "등급(Tier)"},
	"svc.depends_on":       {"Depends on", "의존 대상"},
	"svc.dependants":       {"Depended on by", "이 서비스에 의존하는 서비스"},
	"svc.runbooks":         {"Runbooks", "런북"},
	"svc.recent":           {"Recent incidents", "최근 장애"},
	"svc.none":             {"None", "없음"},
	"team.title":           {"Teams", "팀"},
	"team.lead":            {"Lead", "리드"},
	"team.members":         {"Members", "구성원"},
	"team.channel":         {"Chat channel", "채팅 채널"},
	"team.email":           {"E-mail", "이메일"},
	"err.title":            {"Something went wrong", "문제가 발생했습니다"},
	"err.not_found":        {"Not found.", "찾을 수 없습니다."},
	"err.forbidden":        {"You may not do that.", "권한이 없습니다."},
	"err.csrf":             {"The form expired. Reload the page and try again.", "폼이 만료되었습니다. 페이지를 새로 고친 뒤 다시 시도하세요."},
	"time.zone":            {"Times in %s", "%s 기준 시각"},
}

// translator renders UI strings in one language.
type translator struct{ idx int }

func translatorFor(lang string) translator { return translator{i18n.Index(lang)} }

// lang is the translator's language, for words built outside the message
// tables (durations).
func (t translator) lang() string { return i18n.Languages[t.idx] }

// T returns the message for key, formatted with args.
//
// Korean messages spell a particle after a variable both ways ("%s(으)로");
// the one that fits the word is chosen here, so pages read "해결 담당으로".
func (t translator) T(key string, args ...any) string {
	s := messages.T(t.idx, key, args...)
	if len(args) > 0 && i18n.Languages[t.idx] == "ko" {
		s = i18n.FixParticles(s)
	}
	return s
}

// pickLanguage chooses from the lang cookie, then Accept-Language.
func pickLanguage(r *http.Request) string { return i18n.Pick(r) }
