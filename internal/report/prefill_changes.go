package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// The timeline kinds of the change registry and of mitigation, named here
// rather than imported: the change package imports incident, and the report
// reads only the event data.
const (
	kindChangeLanded    incident.EventKind = "change_landed"
	kindChangeSuspected incident.EventKind = "change_suspected"
	kindMitigated       incident.EventKind = "mitigated"
)

var changePhrases = map[string]map[string]string{
	"en": {"mitigated": "Impact stopped", "resolved": "Resolved", "landed": "change landed: %s", "suspected": "suspected trigger: %s",
		"impact": "impact stopped at %s", "cause": "Suspected trigger (marked by %s at %s):", "blocked": "not rollbackable: %s",
		"safe": "rollbackable", "link": "link"},
	"ko": {"mitigated": "영향 종료", "resolved": "해결", "landed": "변경 반영됨: %s", "suspected": "원인으로 의심: %s",
		"impact": "영향 종료: %s", "cause": "원인으로 의심되는 변경 (%s, %s 지정):", "blocked": "롤백 불가: %s",
		"safe": "롤백 가능", "link": "링크"},
}

func changePhrase(lang, key string) string {
	if tr, ok := changePhrases[lang]; ok {
		return tr[key]
	}
	return changePhrases["en"][key]
}

// impactTimes are the detection section's lines on when the impact stopped
// and when the incident was resolved, when known.
func impactTimes(inc *incident.Incident, when func(time.Time) string, lang string) string {
	var b strings.Builder
	if inc.MitigatedAt != nil {
		fmt.Fprintf(&b, "\n- %s: %s", changePhrase(lang, "mitigated"), when(*inc.MitigatedAt))
	}
	if inc.ResolvedAt != nil {
		fmt.Fprintf(&b, "\n- %s: %s", changePhrase(lang, "resolved"), when(*inc.ResolvedAt))
	}
	return b.String()
}

// changeSummary is one line about the change an event names.
func changeSummary(ev incident.Event, lang string) string {
	s := func(k string) string { x, _ := ev.Data[k].(string); return x }
	text := strings.TrimSpace(s("kind") + " " + s("version"))
	if t := s("title"); t != "" && t != s("version") {
		text += " — " + t
	}
	if svc := s("services"); svc != "" {
		text += " (" + svc + ")"
	}
	if ok, _ := ev.Data["rollbackable"].(bool); !ok && s("reason") != "" {
		text += "; " + fmt.Sprintf(changePhrase(lang, "blocked"), s("reason"))
	}
	return text
}

// suspectedCause pre-fills the cause section from the changes marked as the
// suspected trigger; "" when none was.
func suspectedCause(events []incident.Event, when func(time.Time) string, lang string) string {
	var b strings.Builder
	for _, ev := range events {
		if ev.Kind != kindChangeSuspected {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		fmt.Fprintf(&b, "%s\n\n- %s", fmt.Sprintf(changePhrase(lang, "cause"), ev.Actor, when(ev.At)), changeSummary(ev, lang))
		if link, _ := ev.Data["link"].(string); link != "" {
			fmt.Fprintf(&b, " ([%s](%s))", changePhrase(lang, "link"), link)
		}
	}
	return b.String()
}

// changeEventText describes the change and mitigation events for the
// report's timeline.
func changeEventText(ev incident.Event, lang string) (string, bool) {
	switch ev.Kind {
	case kindChangeLanded:
		return fmt.Sprintf(changePhrase(lang, "landed"), changeSummary(ev, lang)), true
	case kindChangeSuspected:
		return fmt.Sprintf(changePhrase(lang, "suspected"), changeSummary(ev, lang)), true
	case kindMitigated:
		at, _ := ev.Data["at"].(string)
		return fmt.Sprintf(changePhrase(lang, "impact"), at), true
	}
	return "", false
}
