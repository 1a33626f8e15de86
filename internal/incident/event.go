package incident

import "time"

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
)

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
