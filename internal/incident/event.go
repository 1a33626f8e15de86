package incident

import (
	"fmt"
	"strings"
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
// The English text is what the API and stored events carry; pages use
// RoleWarningIn.
func RoleWarning(inc *Incident) string { return RoleWarningIn(inc, "en") }

// RoleWarningIn is RoleWarning in lang ("ko" for Korean, English otherwise),
// with the roles named as everywhere else (해결 담당, 전파 담당).
func RoleWarningIn(inc *Incident, lang string) string {
	r, c := inc.Roles[Resolver], inc.Roles[Communicator]
	if inc.Grade > SEV3 || r == "" || r != c {
		return ""
	}
	if lang == "ko" {
		return fmt.Sprintf("%s 님이 %s 장애의 해결 담당과 전파 담당을 모두 맡고 있습니다. 한 역할은 다른 사람에게 맡기세요.", r, inc.Grade)
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

// Cadence is where an open incident stands against its grade's update
// cadence: when news last went out and when Firebreak last reminded.
type Cadence struct {
	LastUpdate   time.Time // the last status update, or the declaration when none yet
	LastReminder time.Time // zero when none since the last update
}

// Due reports whether a reminder is due at now: more than every has passed
// since the last update and since the last reminder. While an incident stays
// silent the reminder repeats once per interval.
func (c Cadence) Due(every time.Duration, now time.Time) bool {
	since := c.LastUpdate
	if c.LastReminder.After(since) {
		since = c.LastReminder
	}
	return now.Sub(since) > every
}

// OverdueEvent is the timeline entry that records a missed update and whom
// Firebreak reminded (remind: a user name; "" when the incident has nobody to
// remind). Firebreak itself is its actor.
func OverdueEvent(inc *Incident, c Cadence, every time.Duration, remind string, now time.Time) Event {
	ev := newEvent(EventUpdateOverdue, "firebreak", now, map[string]any{
		"last_update": c.LastUpdate,
		"interval":    FormatInterval(every), // "15m": parses as a Go duration too
		"grade":       inc.Grade.String(),
		"remind":      remind,
	})
	ev.IncidentID = inc.ID
	return ev
}

// ReminderRecipient is whom a missed update is told to: the communicator,
// or when there is none the resolver, or else whoever declared the incident.
func ReminderRecipient(inc *Incident) string {
	for _, u := range []string{inc.Roles[Communicator], inc.Roles[Resolver], inc.CreatedBy} {
		if u != "" {
			return u
		}
	}
	return ""
}

// FormatInterval writes a cadence as people say it: 15m, 1h, 1h30m.
func FormatInterval(d time.Duration) string {
	s := strings.TrimSuffix(d.String(), "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
