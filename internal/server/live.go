package server

import (
	"context"
	"time"

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
	backoff := time.Second
	for ctx.Err() == nil {
		err := s.DB.ListenTimeline(ctx, func() { backoff = time.Second; s.liveWake.Notify() }, s.liveWake.Notify)
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("timeline listener dropped; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}
