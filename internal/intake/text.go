package intake

import (
	"maps"
	"slices"

	"github.com/firebreak-oss/firebreak/internal/textrule"
)

// The text rules of internal/textrule, reported as a ParseError so that a
// webhook's answer names the field like any other fault of its payload.

func checkAlertText(field string, a amAlert) error {
	if err := checkMap(field+".labels", a.Labels, false); err != nil {
		return err
	}
	if err := checkMap(field+".annotations", a.Annotations, true); err != nil {
		return err
	}
	if p := textrule.Problem(firstOf(a.Annotations["summary"], a.Annotations["title"], a.Labels["alertname"]), false, true); p != "" {
		return parseErr(field+".annotations.summary", "as a title %s", p)
	}
	return lineRule(field+".fingerprint", a.Fingerprint)
}

func checkGenericText(field func(string) string, g GenericSignal) error {
	if p := textrule.Problem(g.Title, false, true); p != "" {
		return parseErr(field("title"), "%s", p)
	}
	if p := textrule.Problem(g.Summary, true, false); p != "" {
		return parseErr(field("summary"), "%s", p)
	}
	if err := lineRule(field("fingerprint"), g.Fingerprint); err != nil {
		return err
	}
	return checkMap(field("labels"), g.Labels, false)
}

// checkMap checks labels (one line each) or annotations (which may span
// lines), in key order so the same payload names the same field.
func checkMap(field string, m map[string]string, multiLine bool) error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if p := textrule.Problem(k, false, false); p != "" {
			return parseErr(field, "a key %s", p)
		}
		if p := textrule.Problem(m[k], multiLine, false); p != "" {
			return parseErr(field+"."+k, "%s", p)
		}
	}
	return nil
}

func lineRule(field, s string) error {
	if p := textrule.Problem(s, false, false); p != "" {
		return parseErr(field, "%s", p)
	}
	return nil
}

// ClipRunes cuts s to at most n runes, counting runes rather than bytes so
// that a Korean title is never cut inside a character. Sources that build a
// signal's title from free text (the form, Slack) cut it with this.
func ClipRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
