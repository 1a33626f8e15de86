package store

import (
	"context"
	"database/sql"

	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// UpdateSwitchWithEvent changes a switch as UpdateSwitch does and appends
// the timeline event that event makes of the stored switch and revision,
// in the same transaction: a flip made from an incident is on its
// timeline, or was not made. A nil event appends nothing.
func (s *Flags) UpdateSwitchWithEvent(ctx context.Context, key string, change flag.Change,
	event func(flag.Switch, flag.Revision) *incident.Event) (flag.Switch, flag.Revision, error) {
	return s.updateSwitchThen(ctx, key, change, func(tx *sql.Tx, next flag.Switch, rev flag.Revision) error {
		ev := event(next, rev)
		if ev == nil {
			return nil
		}
		evs := []incident.Event{*ev}
		if err := s.db.Incidents().appendEvents(ctx, tx, ev.IncidentID, evs); err != nil {
			return err
		}
		*ev = evs[0]
		return nil
	})
}
