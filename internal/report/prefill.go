package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/eventtext"
	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Prefill writes the first text of each section from the incident: its
// summary, detection time (in the organisation's zone), affected services,
// roles, and the chosen timeline events. What the incident cannot tell (the
// cause, the prevention) starts as TBD.
func (t Template) Prefill(inc *incident.Incident, events []incident.Event, zone *time.Location, lang string) map[string]string {
	tr := phrases[lang]
	if tr == nil {
		tr = phrases["en"]
	}
	out := map[string]string{}
	for _, s := range t.Sections {
		out[s.Key] = TBD
	}
	set := func(key, text string) {
		if _, ok := t.Section(key); ok {
			out[key] = text
		}
	}
	if strings.TrimSpace(inc.Summary) != "" {
		set(KeySummary, inc.Summary)
	}
	when := func(at time.Time) string { return at.In(zone).Format("2006-01-02 15:04 MST") }
	// The detection section names the zone once, after its first time;
	// the times under it are read in the same zone.
	plain := func(at time.Time) string { return at.In(zone).Format("2006-01-02 15:04") }
	detection := fmt.Sprintf("%s (%s)\n\n- %s: %s\n- %s: %s", plain(inc.DetectedAt), zone,
		tr["started"], plain(inc.StartedAt), tr["source"], sourceName(inc.Source, lang))
	set(KeyDetection, detection+detectionLine(inc, lang)+impactTimes(inc, plain, lang))
	if cause := suspectedCause(events, when, lang); cause != "" {
		set(KeyCause, cause)
	}
	if len(inc.Services) > 0 {
		var b strings.Builder
		for _, s := range inc.Services {
			b.WriteString("- " + s + "\n")
		}
		set(KeyServices, strings.TrimRight(b.String(), "\n"))
	}
	var b strings.Builder
	for _, role := range incident.Roles {
		if u := inc.Roles[role]; u != "" {
			fmt.Fprintf(&b, "- %s: %s\n", tr["role."+string(role)], u)
		}
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	if len(events) > 0 {
		// The zone is named once, in the header, so the rows stay short.
		b.WriteString("| " + tr["time"] + " (" + zone.String() + ") | " + tr["who"] + " | " + tr["what"] + " |\n|---|---|---|\n")
		sort.SliceStable(events, func(i, j int) bool { return events[i].At.Before(events[j].At) })
		for _, ev := range events {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", ev.At.In(zone).Format("01-02 15:04"), ev.Actor, cell(EventText(ev, lang)))
		}
	}
	if text := strings.TrimSpace(b.String()); text != "" {
		set(KeyTimeline, text)
	}
	return out
}

// cell keeps a text inside one Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// DefaultEvent reports whether an event is kept by default when the writer
// does not choose: the bookkeeping ones (overdue flags, alerts repeating)
// are left out.
func DefaultEvent(ev incident.Event) bool {
	switch ev.Kind {
	case incident.EventUpdateOverdue, incident.EventRoleWarning, "signal_status", "message_delivered", "message_failed",
		"report_overdue", "report_reminded", "action_item_reminder", "member_not_told":
		return false
	}
	return true
}

var phrases = map[string]map[string]string{
	"en": {"started": "Started", "source": "Source", "time": "Time", "who": "Who", "what": "What",
		"role.resolver": "Resolver", "role.communicator": "Communicator",
		"declared": "declared the incident (%s)", "status": "status %s → %s", "grade": "grade %s → %s",
		"role": "%s is now %s", "role_cleared": "nobody is %s now", "fields": "changed %s", "overdue": "no update for more than %s",
		"signal": "signal from %s: %s", "role_warning": "%s holds both roles", "rev": "rev %d",
		"status.investigating": "investigating", "status.identified": "identified", "status.monitoring": "monitoring",
		"status.resolved": "resolved", "status.closed": "closed",
		"field.title": "title", "field.summary": "summary", "field.services": "services", "field.labels": "labels",
		"field.cause_tags": "cause tags", "field.visibility": "visibility", "field.detected_at": "detection time",
		"field.started_at": "start time", "field.source": "source", "field.detection": "how it was found",
		"field.members": "members", "field.acknowledged_at": "acknowledged time", "field.mitigated_at": "impact stopped time"},
	"ko": {"started": "시작", "source": "출처", "time": "시각", "who": "누가", "what": "내용",
		"role.resolver": "해결 담당", "role.communicator": "전파 담당",
		"declared": "장애 선언 (%s)", "status": "상태 %s → %s", "grade": "등급 %s → %s",
		"role": "%s 님이 %s", "role_cleared": "%s 지정 해제", "fields": "%s 변경", "overdue": "%s 넘게 업데이트 없음",
		"signal": "%s 신호: %s", "role_warning": "%s 님이 두 역할을 모두 맡음", "rev": "개정 %d",
		"status.investigating": "조사 중", "status.identified": "원인 파악", "status.monitoring": "모니터링",
		"status.resolved": "해결됨", "status.closed": "종료",
		"field.title": "제목", "field.summary": "요약", "field.services": "서비스", "field.labels": "라벨",
		"field.cause_tags": "원인 태그", "field.visibility": "공개 범위", "field.detected_at": "탐지 시각",
		"field.started_at": "시작 시각", "field.source": "출처", "field.detection": "탐지 경로",
		"field.members": "참여자", "field.acknowledged_at": "확인 시각", "field.mitigated_at": "영향 종료 시각"},
}

// EventText describes a timeline event in one line of lang, for the report:
// what happened in words (a status update's own text, statuses in lang),
// never the event's internal kind.
func EventText(ev incident.Event, lang string) string {
	tr := phrases[lang]
	if tr == nil {
		tr = phrases["en"]
	}
	s := func(k string) string { x, _ := ev.Data[k].(string); return x }
	word := func(prefix, v string) string {
		if w, ok := tr[prefix+v]; ok {
			return w
		}
		return v
	}
	switch ev.Kind {
	case incident.EventDeclared:
		return fmt.Sprintf(tr["declared"], s("grade"))
	case incident.EventStatusChanged:
		text := fmt.Sprintf(tr["status"], word("status.", s("from")), word("status.", s("to")))
		if m := s("message"); m != "" {
			text += ": " + m
		}
		return text
	case incident.EventGradeChanged:
		return fmt.Sprintf(tr["grade"], s("from"), s("to"))
	case incident.EventRoleAssigned:
		if s("user") == "" {
			return fmt.Sprintf(tr["role_cleared"], tr["role."+s("role")])
		}
		return fmt.Sprintf(tr["role"], s("user"), tr["role."+s("role")])
	case incident.EventFieldsChanged:
		keys := make([]string, 0, len(ev.Data))
		for k := range ev.Data {
			keys = append(keys, word("field.", k))
		}
		sort.Strings(keys)
		return fmt.Sprintf(tr["fields"], strings.Join(keys, ", "))
	case incident.EventNote, incident.EventStatusUpdate:
		// A status update is what was told, so its text is the row.
		if text := s("text"); text != "" {
			return text
		}
	case incident.EventUpdateOverdue:
		return fmt.Sprintf(tr["overdue"], i18n.Duration(s("interval"), lang))
	case incident.EventRoleWarning:
		return fmt.Sprintf(tr["role_warning"], s("user"))
	case "signal_joined", "signal_status":
		return fmt.Sprintf(tr["signal"], s("source"), s("title"))
	}
	if text, ok := changeEventText(ev, lang); ok {
		return text
	}
	label := eventtext.Label(ev.Kind, lang)
	if t := s("title"); t != "" {
		label += ": " + t
	}
	return label
}
