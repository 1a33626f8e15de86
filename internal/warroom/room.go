// Package warroom gives serious incidents a chat channel of their own — the
// war room — and keeps it and the incident's timeline in step both ways:
// the channel is created, its topic and pinned summary follow the incident,
// timeline news is posted there, and messages people pin in the channel are
// copied back to the timeline (and so into the report).
//
// Every call to the chat service runs in a durable job, and every step of
// opening a room is idempotent: the channel id is stored the moment the chat
// service names it, so a retried job finds the channel instead of making a
// second one.
package warroom

import (
	"context"
	"database/sql"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Slack is the provider name of Slack rooms.
const Slack = "slack"

// Room is an incident's chat channel.
type Room struct {
	IncidentID int64
	Provider   string
	ChannelID  string
	Name       string
	Private    bool
	// SummaryTS is the pinned summary message; empty until posted.
	SummaryTS string
	// Topic is the topic last set, so an unchanged one is not set again.
	Topic string
	// PostedThrough is the last timeline event told in the channel.
	PostedThrough int64
	CreatedAt     time.Time
	ArchivedAt    *time.Time
}

// Copied is a chat message copied to an incident's timeline.
type Copied struct {
	Provider   string
	ChannelID  string
	TS         string
	IncidentID int64
	EventID    int64
	Author     string
	Text       string
	Deleted    bool
	CopiedAt   time.Time
}

// Store keeps rooms and copied messages. It is implemented by the store
// package for SQLite and PostgreSQL.
type Store interface {
	Room(ctx context.Context, incidentID int64) (*Room, error)
	RoomTx(ctx context.Context, tx *sql.Tx, incidentID int64) (*Room, error)
	RoomByChannel(ctx context.Context, provider, channelID string) (*Room, error)
	// SaveRoom stores r unless the incident has a room already; either
	// way it returns the incident's room.
	SaveRoom(ctx context.Context, r *Room) (*Room, error)
	SetSummary(ctx context.Context, incidentID int64, ts string) error
	SetTopic(ctx context.Context, incidentID int64, topic string) error
	// SetPostedThrough moves the room's cursor forward, never back.
	SetPostedThrough(ctx context.Context, incidentID, eventID int64) error
	MarkArchived(ctx context.Context, incidentID int64, at time.Time) error
	// RoomsToArchive lists open rooms whose incident closed before then.
	RoomsToArchive(ctx context.Context, closedBefore time.Time) ([]Room, error)
	// RoomsBehind lists the incidents of open rooms whose timeline has
	// events after the room's cursor.
	RoomsBehind(ctx context.Context) ([]int64, error)
	// CopyMessage stores c and appends ev (its timeline entry) in one
	// transaction, setting c.EventID and ev.ID; false when the message was
	// copied before (nothing changes then).
	CopyMessage(ctx context.Context, c *Copied, ev *incident.Event) (bool, error)
	CopiedMessage(ctx context.Context, provider, channelID, ts string) (*Copied, error)
	// FollowMessage records an edit (text) or removal (deleted) of a
	// copied message and appends ev, in one transaction; nothing when the
	// message no longer holds c.Text (the change was followed already).
	FollowMessage(ctx context.Context, c *Copied, text string, deleted bool, ev *incident.Event) error
	// OpenRooms lists a provider's rooms that are open and have their
	// summary (so are done opening).
	OpenRooms(ctx context.Context, provider string) ([]Room, error)
	// CopiedMessages lists a channel's copied messages not removed since.
	CopiedMessages(ctx context.Context, provider, channelID string) ([]Copied, error)
}
