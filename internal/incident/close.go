package incident

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// CloseCheck names what still stands in the way of closing an incident, such
// as the review stages its grade requires; nothing named means it may close.
type CloseCheck func(ctx context.Context, inc *Incident) ([]string, error)

// EventCloseOverridden records an admin closing an incident although the
// close check named something missing, with the admin's reason.
const EventCloseOverridden EventKind = "close_overridden"

// SetCloseCheck makes closing wait for what check names.
func (s *Service) SetCloseCheck(check CloseCheck) { s.closeCheck = check }

// CloseOverride closes a resolved incident although the close check names
// something missing. Only an admin may, and the reason goes on the timeline.
func (s *Service) CloseOverride(ctx context.Context, by auth.User, id int64, reason string) (*Incident, error) {
	if !by.IsAdmin() {
		return nil, fail.New(fail.Forbidden, "closing an incident without its required reviews needs the admin role")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, fail.Field("reason", "is required: say why the incident may close without its reviews")
	}
	if utf8.RuneCountInString(reason) > maxNote {
		return nil, fail.Field("reason", "is longer than %d characters", maxNote)
	}
	return s.setStatus(ctx, by, id, Closed, "", reason)
}

// checkClose asks the close check; what it names blocks the close unless an
// override reason is given, which is then recorded with what was missing.
func (s *Service) checkClose(ctx context.Context, inc *Incident, actor string, now time.Time, override string) ([]Event, error) {
	if s.closeCheck == nil {
		return nil, nil
	}
	missing, err := s.closeCheck(ctx, inc)
	if err != nil {
		return nil, err
	}
	if len(missing) == 0 {
		return nil, nil
	}
	if override == "" {
		return nil, &fail.Error{Code: fail.Conflict, Field: "status", Message: "cannot close " + inc.Ref() + ": missing " +
			strings.Join(missing, ", ") + "; hold the reviews first, or an admin may close it with a reason (override)"}
	}
	return []Event{newEvent(EventCloseOverridden, actor, now, map[string]any{"reason": override, "missing": missing})}, nil
}
