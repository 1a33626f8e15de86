package store

import (
	"context"
	"errors"
)

// TimelineChannel is the PostgreSQL notification channel a trigger on
// timeline_events announces every new row on (migration 0044), with the
// incident's id as payload.
const TimelineChannel = "firebreak_timeline"

// ListenTimeline holds one connection listening on TimelineChannel and
// calls notify for each new timeline row any replica writes, until ctx ends
// or the connection fails (the error is returned; listen again). ready is
// called once listening. On SQLite there is nothing to listen to.
func (db *DB) ListenTimeline(ctx context.Context, ready, notify func()) error {
	if db.Dialect != Postgres {
		return errors.New("timeline notices need PostgreSQL")
	}
	return db.listen(ctx, TimelineChannel, ready, notify)
}
