// Package report is the incident report: a template of sections kept as
// config, a report pre-filled from its incident and written in Markdown,
// every save kept as a revision, sections left TBD tracked until filled, the
// first report due the same day and shared by e-mail, export and import.
// It knows no HTTP and no SQL.
package report

import "strings"

// Section is one part of the report template.
type Section struct {
	Key      string
	Title    map[string]string // by language: "en", "ko"
	Help     map[string]string
	Required bool
}

// TitleIn returns the section's title in lang, or in English.
func (s Section) TitleIn(lang string) string { return pick(s.Title, lang, s.Key) }

// HelpIn returns the section's help text in lang, or in English.
func (s Section) HelpIn(lang string) string { return pick(s.Help, lang, "") }

func pick(m map[string]string, lang, def string) string {
	if v := m[lang]; v != "" {
		return v
	}
	if v := m["en"]; v != "" {
		return v
	}
	return def
}

// Template is the ordered list of a report's sections.
type Template struct {
	Sections []Section
}

// Section returns the section with the key.
func (t Template) Section(key string) (Section, bool) {
	for _, s := range t.Sections {
		if s.Key == key {
			return s, true
		}
	}
	return Section{}, false
}

// The keys of the default sections that pre-fill writes to.
const (
	KeySummary    = "summary"
	KeyDetection  = "detection"
	KeyServices   = "services"
	KeyCause      = "cause"
	KeyTimeline   = "timeline"
	KeyResolution = "resolution"
	KeyRelated    = "related"
)

// DefaultTemplate is the template a config without a report section gets:
// the sections the LINE incident report uses.
func DefaultTemplate() Template {
	s := func(key, en, ko, helpEn, helpKo string, required bool) Section {
		return Section{Key: key, Title: map[string]string{"en": en, "ko": ko},
			Help: map[string]string{"en": helpEn, "ko": helpKo}, Required: required}
	}
	return Template{Sections: []Section{
		s(KeySummary, "Summary", "요약",
			"What happened, to whom, for how long, in two or three sentences a reader outside the team understands.",
			"무슨 일이 누구에게 얼마 동안 일어났는지, 팀 밖의 사람도 이해할 수 있게 두세 문장으로 적습니다.", true),
		s(KeyDetection, "Detection time", "탐지 시각",
			"When and how the incident was noticed: the alert, the report, or the person.",
			"장애를 언제, 어떻게 알게 되었는지 적습니다: 알림, 제보, 또는 발견한 사람.", true),
		s(KeyServices, "Affected services", "영향받은 서비스",
			"The services and users affected, and how much (error rate, number of users, regions).",
			"영향받은 서비스와 사용자, 그 규모(오류율, 사용자 수, 지역)를 적습니다.", true),
		s(KeyCause, "Cause", "원인",
			"What in the system caused it. Describe the system, not a person: blameless.",
			"시스템의 어떤 부분이 원인이었는지 적습니다. 사람이 아니라 시스템을 설명합니다.", true),
		s(KeyTimeline, "Timeline and handling", "타임라인 및 대응",
			"What was done when, from detection to resolution. Keep the events that explain the handling.",
			"탐지부터 해결까지 언제 무엇을 했는지 적습니다. 대응을 설명하는 이벤트만 남깁니다.", true),
		s(KeyResolution, "Resolution and prevention", "해결 및 재발 방지",
			"How it was fixed, and what will keep it from happening again, each with its tracker ticket.",
			"어떻게 해결했는지, 재발을 막기 위해 무엇을 할지 트래커 티켓과 함께 적습니다.", true),
		s(KeyRelated, "Related documents and other information", "관련 문서 및 기타 정보",
			"Links to dashboards, chat threads, earlier incidents; anything else worth knowing.",
			"대시보드, 채팅 스레드, 이전 장애 링크 등 알아 두면 좋은 정보를 적습니다.", false),
	}}
}

// TBD is what a writer types for a section not known yet.
const TBD = "TBD"

// IsTBD reports whether a section's text is still to be decided: empty, or
// "TBD" alone.
func IsTBD(text string) bool {
	t := strings.TrimSpace(text)
	return t == "" || strings.EqualFold(t, TBD)
}
