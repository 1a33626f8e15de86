package store

import (
	"context"
	"database/sql"
	"errors"
)

// MaintenanceChannel is the PostgreSQL notification channel every change
// of a maintenance window or silence is announced on, at commit, so that
// each replica's cache reloads at once instead of polling the change mark.
const MaintenanceChannel = "firebreak_maintenance"

// notifyChange announces a change in tx (PostgreSQL; SQLite has one server,
// which reloads its cache itself after a change).
func (s *Maintenance) notifyChange(ctx context.Context, tx *sql.Tx) error {
	if s.db.Dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_notify($1, '')", MaintenanceChannel)
	return err
}

// ListenChanges holds one connection listening on MaintenanceChannel and
// calls notify for each change any replica commits, until ctx ends or the
// connection fails (the error is returned; listen again). ready is called
// once listening. On SQLite there is nothing to listen to.
func (s *Maintenance) ListenChanges(ctx context.Context, ready, notify func()) error {
	if s.db.Dialect != Postgres {
		return errors.New("maintenance change notices need PostgreSQL")
	}
	return s.db.listen(ctx, MaintenanceChannel, ready, notify)
}
