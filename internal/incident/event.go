package incident

import (
	"fmt"
	"time"
)

// EventKind names what a timeline event records.
type EventKind string

// The kinds of timeline event the core writes.
const (
	EventDeclared      EventKind = "declared"
	EventStatusChanged EventKind = "status_changed"
	EventGradeChanged  EventKind = "grade_changed"
	EventRoleAssigned  EventKind = "role_assigned"
	EventFieldsChanged EventKind = "fields_changed"
	EventNote          EventKind = "note"
	EventUpdateOverdue EventKind = "update_overdue"
	EventStatusUpdate  EventKind = "status_update"
	EventRoleWarning   EventKind = "role_warning"
)

// RoleWarning says why an incident's roles need a second person: from SEV3
// up, the one who communicates and the one who resolves should differ, since
// neither job gets done well alongside the other. Empty when all is well.
func RoleWarning(inc *Incident) string {
	r, c := inc.Roles[Resolver], inc.Roles[Communicator]
	if inc.Grade > SEV3 || r == "" || r != c {
		return ""
	}
	return fmt.Sprintf("%s holds both the resolver and the communicator role of a %s incident; give one of them to someone else", r, inc.Grade)
}

// roleWarningEvent flags on the timeline that one person now holds both
// roles, when that is new.
func roleWarningEvent(before string, inc *Incident, actor string, at time.Time) []Event {
	w := RoleWarning(inc)
	if w == "" || w == before {
		return nil
	}
	return []Event{newEvent(EventRoleWarning, "firebreak", at, map[string]any{"user": inc.Roles[Resolver], "grade": inc.Grade.String(), "message": w, "after": actor})}
}

// Event is one entry of an incident's timeline. The timeline is append-only:
// an event, once written, is never changed or removed.
type Event struct {
	ID         int64          `json:"id"`
	IncidentID int64          `json:"-"`
	At         time.Time      `json:"at"`
	Actor      string         `json:"actor"`
	Kind       EventKind      `json:"kind"`
	Data       map[string]any `json:"data"`
}

func newEvent(kind EventKind, actor string, at time.Time, data map[string]any) Event {
	if data == nil {
		data = map[string]any{}
	}
	return Event{Kind: kind, Actor: actor, At: at, Data: data}
}

// UpdateOverdue reports whether an open incident has gone without any update
// for longer than its grade allows.
func UpdateOverdue(inc *Incident, now time.Time) bool {
	return inc.Status.Open() && now.Sub(inc.UpdatedAt) > inc.Grade.UpdateInterval()
}

// OverdueEvent is the timeline entry that flags a missing update. Firebreak
// itself is its actor.
func OverdueEvent(inc *Incident, now time.Time) Event {
	ev := newEvent(EventUpdateOverdue, "firebreak", now, map[string]any{
		"last_update": inc.UpdatedAt,
		"interval":    inc.Grade.UpdateInterval().String(),
		"grade":       inc.Grade.String(),
	})
	ev.IncidentID = inc.ID
	return ev
}
