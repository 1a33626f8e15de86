package incident

import (
	"context"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// EventMitigated records when the impact stopped, apart from resolution:
// users may be fine long before the cause is fixed.
const EventMitigated EventKind = "mitigated"

// Mitigate records that the incident's impact stopped at at (now when nil).
// The time may not lie before the incident started nor in the future;
// setting it again corrects it, and the timeline keeps both.
func (s *Service) Mitigate(ctx context.Context, by auth.User, id int64, at *time.Time) (*Incident, error) {
	return s.change(ctx, by, id, func(inc *Incident, now time.Time) ([]Event, error) {
		when := now
		if at != nil {
			when = at.UTC()
		}
		if when.Before(inc.StartedAt) {
			return nil, fail.Field("mitigated_at", "is before the incident started (%s)", inc.StartedAt.Format(time.RFC3339))
		}
		if when.After(now) {
			return nil, fail.Field("mitigated_at", "is in the future")
		}
		data := map[string]any{"at": when.Format(time.RFC3339)}
		if inc.MitigatedAt != nil {
			data["was"] = inc.MitigatedAt.Format(time.RFC3339)
		}
		inc.MitigatedAt = &when
		return []Event{newEvent(EventMitigated, by.Name, now, data)}, nil
	})
}
