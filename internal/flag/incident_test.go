package flag

import (
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// TestMitigated: an incident is mitigated from monitoring on, or once a
// mitigation time is set, whatever its status.
func TestMitigated(t *testing.T) {
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		status    incident.Status
		mitigated *time.Time
		want      bool
	}{
		{incident.Investigating, nil, false},
		{incident.Identified, nil, false},
		{incident.Identified, &at, true},
		{incident.Monitoring, nil, true},
		{incident.Resolved, nil, true},
		{incident.Closed, nil, true},
	} {
		if got := Mitigated(&incident.Incident{Status: c.status, MitigatedAt: c.mitigated}); got != c.want {
			t.Errorf("%s (mitigated_at %v): %v, want %v", c.status, c.mitigated, got, c.want)
		}
	}
}

// TestTargetingSummary: rules in order, then the default; a disabled
// switch serves its default to everyone.
func TestTargetingSummary(t *testing.T) {
	sw := Switch{Enabled: true, DefaultVariant: "on", Rules: []Rule{
		{Variant: "off", Conditions: []Condition{{Attribute: "platform", Op: OpEq, Value: "ios"}, {Attribute: "appVersion", Op: OpSemverLt, Value: "5.2.0"}}},
		{Variant: "off", Conditions: []Condition{{Attribute: "country", Op: OpIn, Values: []string{"KR", "JP"}}}},
	}}
	want := "platform eq ios and appVersion semver_lt 5.2.0 → off; country in [KR, JP] → off; else → on"
	if got := TargetingSummary(sw); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	sw.Enabled = false
	if got := TargetingSummary(sw); got != "disabled: on for everyone" {
		t.Errorf("disabled: %q", got)
	}
}
