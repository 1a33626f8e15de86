package incident

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/textrule"
)

// MaxUpdateText bounds a status update. Updates go to chat as one message
// block, and Slack's section text holds at most 3000 characters.
const MaxUpdateText = 3000

// StatusUpdate is news posted for the people told of an incident. On the
// timeline it is an EventStatusUpdate event with data "text" (string) and
// "public" (bool: shown on the public status page).
type StatusUpdate struct {
	Text string
	// Public puts the update on the public status page. Only a public
	// incident's updates may be public; the default keeps an update inside.
	Public bool
}

// PostUpdate appends a status update to the incident's timeline. Any
// responder may post one: the communicator usually does, but news must not
// wait for one person. The update restarts the grade's update cadence.
func (s *Service) PostUpdate(ctx context.Context, by auth.User, id int64, u StatusUpdate) (Event, error) {
	text := strings.TrimSpace(u.Text)
	switch {
	case text == "":
		return Event{}, fail.Field("text", "must not be empty")
	case utf8.RuneCountInString(text) > MaxUpdateText:
		return Event{}, fail.Field("text", "is longer than %d characters", MaxUpdateText)
	}
	if err := textrule.Text("text", text); err != nil {
		return Event{}, err
	}
	var evs []Event // the store sets the event's id in this slice
	_, err := s.change(ctx, by, id, func(inc *Incident, now time.Time) ([]Event, error) {
		if inc.Status == Closed {
			return nil, &fail.Error{Code: fail.Conflict, Field: "status", Message: inc.Ref() + " is closed; it takes no more updates"}
		}
		if u.Public && inc.Visibility != Public {
			return nil, fail.Field("public", "%s is %s, so its updates cannot go on the public status page", inc.Ref(), inc.Visibility)
		}
		evs = []Event{newEvent(EventStatusUpdate, by.Name, now, map[string]any{"text": text, "public": u.Public})}
		return evs, nil
	})
	if err != nil {
		return Event{}, err
	}
	return evs[0], nil
}

// IsPublicUpdate reports whether ev is a status update meant for the public
// status page.
func IsPublicUpdate(ev Event) bool {
	pub, _ := ev.Data["public"].(bool)
	return ev.Kind == EventStatusUpdate && pub
}
