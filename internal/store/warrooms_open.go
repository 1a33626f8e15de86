package store

import (
	"context"
	"fmt"

	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// OpenRooms lists the rooms of a provider whose channel is not archived,
// for the sweep that reads their pinned messages (Mattermost tells of
// pins by no event, so they are polled).
func (s *WarRooms) OpenRooms(ctx context.Context, provider string) ([]warroom.Room, error) {
	return s.rooms(ctx, "SELECT "+warRoomColumns+` FROM war_rooms WHERE provider = $1 AND archived_at IS NULL AND summary_ts <> ''
		ORDER BY incident_id LIMIT 500`, provider)
}

// CopiedMessages lists the messages of a channel copied to the timeline and
// not removed since.
func (s *WarRooms) CopiedMessages(ctx context.Context, provider, channelID string) ([]warroom.Copied, error) {
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT provider, channel_id, ts, incident_id, event_id, author, text, copied_at
		FROM war_room_messages WHERE provider = $1 AND channel_id = $2 AND deleted = 0 ORDER BY ts`, provider, channelID)
	if err != nil {
		return nil, fmt.Errorf("list copied messages: %w", err)
	}
	defer rows.Close()
	var out []warroom.Copied
	for rows.Next() {
		var c warroom.Copied
		var at scanTime
		if err := rows.Scan(&c.Provider, &c.ChannelID, &c.TS, &c.IncidentID, &c.EventID, &c.Author, &c.Text, &at); err != nil {
			return nil, fmt.Errorf("read copied message: %w", err)
		}
		c.CopiedAt = at.Time
		out = append(out, c)
	}
	return out, rows.Err()
}
