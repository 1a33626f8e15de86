package maintenance

import (
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/textrule"
)

// Silence mutes the signals its matchers match from StartsAt until EndsAt
// (or until someone ends it early), like an Alertmanager silence. It is
// usually made from a signal in the triage inbox, prefilled with its labels.
type Silence struct {
	ID        int64      `json:"id"`
	Matchers  []Matcher  `json:"matchers"`
	StartsAt  time.Time  `json:"starts_at"`
	EndsAt    time.Time  `json:"ends_at"`
	Comment   string     `json:"comment"`
	SignalID  int64      `json:"signal_id,omitempty"` // the signal it was made from
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	EndedBy   string     `json:"ended_by,omitempty"`
}

// Durations are the lengths the UI offers for "silence this for …".
var Durations = []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 24 * time.Hour}

// maxSilence bounds a silence: one that outlives everyone's memory of it
// hides the next real outage.
const maxSilence = 7 * 24 * time.Hour

// Check validates the silence as people give it.
func (s *Silence) Check() error {
	if len(s.Matchers) == 0 {
		return fail.Field("matchers", "give at least one label matcher")
	}
	if err := CheckMatchers("matchers", s.Matchers); err != nil {
		return err
	}
	if allMatchEmpty(s.Matchers) {
		return fail.Field("matchers", "at least one matcher must need a label value: these match every signal")
	}
	s.Comment = strings.TrimSpace(s.Comment)
	if s.Comment == "" {
		return fail.Field("comment", "is required: say why these alerts may stay quiet")
	}
	if len(s.Comment) > 2000 {
		return fail.Field("comment", "is longer than 2000 bytes")
	}
	if err := textrule.Text("comment", s.Comment); err != nil {
		return err
	}
	if !s.EndsAt.After(s.StartsAt) {
		return fail.Field("ends_at", "must be after starts_at")
	}
	if s.EndsAt.Sub(s.StartsAt) > maxSilence {
		return fail.Field("ends_at", "a silence lasts at most 7 days")
	}
	return nil
}

// End returns when the silence stops: its expiry, or when it was ended.
func (s *Silence) End() time.Time {
	if s.EndedAt != nil && s.EndedAt.Before(s.EndsAt) {
		return *s.EndedAt
	}
	return s.EndsAt
}

// ActiveAt reports whether the silence holds at t.
func (s *Silence) ActiveAt(t time.Time) bool { return !t.Before(s.StartsAt) && t.Before(s.End()) }

// Ref is the silence's id as people see it, e.g. "SIL-4".
func (s *Silence) Ref() string { return fmt.Sprintf("SIL-%d", s.ID) }

// MatchersText writes the matchers comma-separated.
func MatchersText(ms []Matcher) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return strings.Join(parts, ", ")
}
