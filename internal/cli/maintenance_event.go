package cli

import (
	"time"
)

// describeMaintenanceEvent says which window an incident was declared
// during, in lang, instead of the event's raw data.
func describeMaintenanceEvent(ev eventDoc, lang string) (string, bool) {
	if ev.Kind != "maintenance_active" {
		return "", false
	}
	window, _ := ev.Data["window"].(string)
	title, _ := ev.Data["title"].(string)
	until := ""
	if s, _ := ev.Data["ends_at"].(string); s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			until = t.UTC().Format("2006-01-02 15:04")
		}
	}
	if lang == "ko" {
		text := window + "(" + oneLine(title) + ")"
		if until != "" {
			text += ", " + until + "까지"
		}
		return text + " — 경보는 조용히 처리됨", true
	}
	text := window + " (" + oneLine(title) + ")"
	if until != "" {
		text += " until " + until
	}
	return text + " — its alerts are kept quiet", true
}
