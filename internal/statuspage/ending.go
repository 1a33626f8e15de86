package statuspage

import (
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// ending is the update a resolved or closed incident's entry starts with:
// its resolution or closing, stamped when it happened. Without it the
// newest update shown would be the last "we are working on it", as if the
// incident were still going on. Both audiences see it: the page shows the
// status anyway. ok is false for an open incident.
func ending(inc *incident.Incident) (ev incident.Event, ok bool) {
	var at *time.Time
	switch inc.Status {
	case incident.Resolved:
		at = inc.ResolvedAt
	case incident.Closed:
		at = inc.ClosedAt
		if at == nil {
			at = inc.ResolvedAt
		}
	}
	if at == nil {
		return incident.Event{}, false
	}
	return incident.Event{IncidentID: inc.ID, Kind: incident.EventStatusChanged, At: *at,
		Data: map[string]any{"to": string(inc.Status)}}, true
}

// IsEnding reports whether ev is the resolution or closing that Build puts
// first in a finished incident's updates.
func IsEnding(ev incident.Event) bool { return ev.Kind == incident.EventStatusChanged && ev.ID == 0 }
