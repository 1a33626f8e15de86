package server

import (
	"context"
	"time"

	"github.com/firebreak-oss/firebreak/internal/relisten"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// listenTimeline wakes this replica's live views whenever any replica
// writes a timeline row (PostgreSQL LISTEN/NOTIFY), so a viewer sees an
// event written elsewhere at once instead of at the next poll. It listens
// again after the database comes back, and wakes the views then, since
// notices sent while it was away are lost. SQLite has one server, whose
// views poll.
func (s *Server) listenTimeline(ctx context.Context) {
	if s.DB.Dialect != store.Postgres {
		return
	}
	relisten.Keep(ctx, 10*time.Second, func(err error, wait time.Duration) {
		s.log.Warn("timeline listener dropped; reconnecting", "err", err, "in", wait)
	}, func(ctx context.Context, ready func()) error {
		return s.DB.ListenTimeline(ctx, func() { ready(); s.liveWake.Notify() }, s.liveWake.Notify)
	})
}
