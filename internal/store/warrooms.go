package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// WarRooms implements warroom.Store.
type WarRooms struct{ db *DB }

// WarRooms returns the store of incidents' chat channels.
func (db *DB) WarRooms() *WarRooms { return &WarRooms{db: db} }

const warRoomColumns = "incident_id, provider, channel_id, name, private, summary_ts, topic, posted_through, created_at, archived_at"

func scanWarRoom(row interface{ Scan(...any) error }) (*warroom.Room, error) {
	var r warroom.Room
	var private int
	var created, archived scanTime
	err := row.Scan(&r.IncidentID, &r.Provider, &r.ChannelID, &r.Name, &private, &r.SummaryTS, &r.Topic, &r.PostedThrough, &created, &archived)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read war room: %w", err)
	}
	r.Private, r.CreatedAt, r.ArchivedAt = private != 0, created.Time, archived.ptr()
	return &r, nil
}

// Room returns the incident's room, or nil.
func (s *WarRooms) Room(ctx context.Context, incidentID int64) (*warroom.Room, error) {
	return scanWarRoom(s.db.SQL.QueryRowContext(ctx, "SELECT "+warRoomColumns+" FROM war_rooms WHERE incident_id = $1", incidentID))
}

// RoomTx is Room inside tx.
func (s *WarRooms) RoomTx(ctx context.Context, tx *sql.Tx, incidentID int64) (*warroom.Room, error) {
	return scanWarRoom(tx.QueryRowContext(ctx, "SELECT "+warRoomColumns+" FROM war_rooms WHERE incident_id = $1", incidentID))
}

// RoomByChannel returns the room of a channel, or nil.
func (s *WarRooms) RoomByChannel(ctx context.Context, provider, channelID string) (*warroom.Room, error) {
	return scanWarRoom(s.db.SQL.QueryRowContext(ctx, "SELECT "+warRoomColumns+" FROM war_rooms WHERE provider = $1 AND channel_id = $2",
		provider, channelID))
}

// SaveRoom stores r unless the incident has a room, and returns the room.
func (s *WarRooms) SaveRoom(ctx context.Context, r *warroom.Room) (*warroom.Room, error) {
	private := 0
	if r.Private {
		private = 1
	}
	_, err := s.db.SQL.ExecContext(ctx, `INSERT INTO war_rooms (incident_id, provider, channel_id, name, private, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (incident_id) DO NOTHING`,
		r.IncidentID, r.Provider, r.ChannelID, r.Name, private, s.db.t(r.CreatedAt))
	if err != nil {
		return nil, fmt.Errorf("save war room: %w", err)
	}
	return s.Room(ctx, r.IncidentID)
}

func (s *WarRooms) exec(ctx context.Context, what, query string, args ...any) error {
	if _, err := s.db.SQL.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// SetSummary records the room's summary message.
func (s *WarRooms) SetSummary(ctx context.Context, incidentID int64, ts string) error {
	return s.exec(ctx, "set war room summary", "UPDATE war_rooms SET summary_ts = $1 WHERE incident_id = $2", ts, incidentID)
}

// SetTopic records the topic last set.
func (s *WarRooms) SetTopic(ctx context.Context, incidentID int64, topic string) error {
	return s.exec(ctx, "set war room topic", "UPDATE war_rooms SET topic = $1 WHERE incident_id = $2", topic, incidentID)
}

// SetPostedThrough moves the room's cursor forward.
func (s *WarRooms) SetPostedThrough(ctx context.Context, incidentID, eventID int64) error {
	return s.exec(ctx, "move war room cursor", "UPDATE war_rooms SET posted_through = $1 WHERE incident_id = $2 AND posted_through < $1",
		eventID, incidentID)
}

// MarkArchived records that the room's channel was archived.
func (s *WarRooms) MarkArchived(ctx context.Context, incidentID int64, at time.Time) error {
	return s.exec(ctx, "mark war room archived", "UPDATE war_rooms SET archived_at = $1 WHERE incident_id = $2 AND archived_at IS NULL",
		s.db.t(at), incidentID)
}

func (s *WarRooms) rooms(ctx context.Context, query string, args ...any) ([]warroom.Room, error) {
	out, err := queryList(ctx, s.db.SQL, deref(scanWarRoom), query, args...)
	if err != nil {
		return nil, fmt.Errorf("list war rooms: %w", err)
	}
	return out, nil
}

// RoomsToArchive lists open rooms whose incident closed before closedBefore.
func (s *WarRooms) RoomsToArchive(ctx context.Context, closedBefore time.Time) ([]warroom.Room, error) {
	return s.rooms(ctx, `SELECT w.incident_id, w.provider, w.channel_id, w.name, w.private, w.summary_ts, w.topic, w.posted_through, w.created_at, w.archived_at FROM war_rooms w JOIN incidents i ON i.id = w.incident_id
		WHERE w.archived_at IS NULL AND i.status = 'closed' AND i.closed_at < $1 ORDER BY w.incident_id LIMIT 100`, s.db.t(closedBefore))
}

// RoomsBehind lists the incidents of open rooms with untold events.
func (s *WarRooms) RoomsBehind(ctx context.Context) ([]int64, error) {
	ids, err := s.db.queryIDs(ctx, `SELECT w.incident_id FROM war_rooms w WHERE w.archived_at IS NULL
		AND EXISTS (SELECT 1 FROM timeline_events e WHERE e.incident_id = w.incident_id AND e.id > w.posted_through)
		ORDER BY w.incident_id LIMIT 100`)
	if err != nil {
		return nil, fmt.Errorf("list war rooms behind: %w", err)
	}
	return ids, nil
}

// CopyMessage stores a copied chat message with its timeline entry.
func (s *WarRooms) CopyMessage(ctx context.Context, c *warroom.Copied, ev *incident.Event) (bool, error) {
	added := false
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO war_room_messages (provider, channel_id, ts, incident_id, event_id, author, text, copied_at)
			VALUES ($1, $2, $3, $4, 0, $5, $6, $7) ON CONFLICT (provider, channel_id, ts) DO NOTHING`,
			c.Provider, c.ChannelID, c.TS, c.IncidentID, c.Author, c.Text, s.db.t(c.CopiedAt))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		evs := []incident.Event{*ev}
		if err := s.db.Incidents().appendEvents(ctx, tx, c.IncidentID, evs); err != nil {
			return err
		}
		*ev, c.EventID, added = evs[0], evs[0].ID, true
		_, err = tx.ExecContext(ctx, "UPDATE war_room_messages SET event_id = $1 WHERE provider = $2 AND channel_id = $3 AND ts = $4",
			ev.ID, c.Provider, c.ChannelID, c.TS)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("copy chat message: %w", err)
	}
	return added, nil
}

// CopiedMessage returns a copied message, or nil.
func (s *WarRooms) CopiedMessage(ctx context.Context, provider, channelID, ts string) (*warroom.Copied, error) {
	var c warroom.Copied
	var deleted int
	var at scanTime
	err := s.db.SQL.QueryRowContext(ctx, `SELECT provider, channel_id, ts, incident_id, event_id, author, text, deleted, copied_at
		FROM war_room_messages WHERE provider = $1 AND channel_id = $2 AND ts = $3`, provider, channelID, ts).
		Scan(&c.Provider, &c.ChannelID, &c.TS, &c.IncidentID, &c.EventID, &c.Author, &c.Text, &deleted, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read copied message: %w", err)
	}
	c.Deleted, c.CopiedAt = deleted != 0, at.Time
	return &c, nil
}

// FollowMessage records an edit or removal of a copied message with its
// timeline entry. The row changes only while it still holds c.Text and is
// not removed: two replicas (or a poll and an event) that saw the same
// change record it once.
func (s *WarRooms) FollowMessage(ctx context.Context, c *warroom.Copied, text string, deleted bool, ev *incident.Event) error {
	del := 0
	if deleted {
		del = 1
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE war_room_messages SET text = $1, deleted = $2
			WHERE provider = $3 AND channel_id = $4 AND ts = $5 AND text = $6 AND deleted = 0`,
			text, del, c.Provider, c.ChannelID, c.TS, c.Text)
		if err != nil {
			return fmt.Errorf("follow chat message: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // followed already
		}
		evs := []incident.Event{*ev}
		if err := s.db.Incidents().appendEvents(ctx, tx, c.IncidentID, evs); err != nil {
			return err
		}
		*ev = evs[0]
		return nil
	})
}
