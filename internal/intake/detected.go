package intake

import (
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// detectedFrom sets an incident declared from signal s to the signal's
// real times: detected when Firebreak first received it, started when the
// source says the problem began (not later than detection, and never from
// a clock ahead of ours). The way it was detected follows from the
// source. Times the declarer gave are kept.
func detectedFrom(s *Signal, d *incident.Declaration, now time.Time) {
	if d.DetectedAt == nil && !s.FirstSeen.IsZero() && !s.FirstSeen.After(now) {
		at := s.FirstSeen
		d.DetectedAt = &at
	}
	if d.StartedAt == nil && d.DetectedAt != nil {
		start := *d.DetectedAt
		if !s.StartsAt.IsZero() && s.StartsAt.Before(start) {
			start = s.StartsAt
		}
		d.StartedAt = &start
	}
	if d.Detection == incident.Unknown {
		d.Detection = incident.DetectionOf(s.Source)
	}
}
