package warroom

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/riverqueue/river"
)

// Mattermost tells of reactions, edits and deletions only over its
// WebSocket (GET /api/v4/websocket, events reaction_added, post_edited and
// post_deleted), never through a webhook: outgoing webhooks carry new
// posts only. So the bot keeps a WebSocket open and turns the events of
// war rooms into jobs; the jobs read the post through the REST API, as
// every call to the chat service runs in a job. The pinned-post poll of
// the sweep stays as the fallback for what happened while the socket was
// down.

// MattermostCopyArgs asks for a post of a Mattermost room to be copied to
// the timeline: someone reacted to it with the pin emoji.
type MattermostCopyArgs struct {
	ChannelID string `json:"channel_id"`
	PostID    string `json:"post_id"`
	// MarkedBy is the Mattermost user who reacted.
	MarkedBy string `json:"marked_by,omitempty"`
}

// Kind names the job.
func (MattermostCopyArgs) Kind() string { return "warroom.mattermost_copy" }

// InsertOpts makes a reaction's copy enqueued once, however many replicas
// heard of it.
func (MattermostCopyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// MattermostFollowArgs asks for an edit or deletion of a copied post to be
// followed onto the timeline.
type MattermostFollowArgs struct {
	ChannelID string `json:"channel_id"`
	PostID    string `json:"post_id"`
	// EditAt (or Deleted) tells one change from the next, so each is
	// enqueued once however many replicas heard of it.
	EditAt  int64 `json:"edit_at,omitempty"`
	Deleted bool  `json:"deleted,omitempty"`
}

// Kind names the job.
func (MattermostFollowArgs) Kind() string { return "warroom.mattermost_follow" }

// InsertOpts enqueues each change once.
func (MattermostFollowArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type mmCopyWorker struct {
	river.WorkerDefaults[MattermostCopyArgs]
	r *Rooms
}

func (w *mmCopyWorker) Work(ctx context.Context, job *river.Job[MattermostCopyArgs]) error {
	_, err := w.r.MattermostCopy(ctx, job.Args)
	return jobError(err)
}

type mmFollowWorker struct {
	river.WorkerDefaults[MattermostFollowArgs]
	r *Rooms
}

func (w *mmFollowWorker) Work(ctx context.Context, job *river.Job[MattermostFollowArgs]) error {
	return jobError(w.r.MattermostFollow(ctx, job.Args))
}

// MattermostCopy reads a post someone reacted to with the pin emoji and
// copies it to its room's timeline. False when the channel is no open war
// room, the post is the summary, or it was copied before.
func (r *Rooms) MattermostCopy(ctx context.Context, a MattermostCopyArgs) (bool, error) {
	room, err := r.Store.RoomByChannel(ctx, Mattermost, a.ChannelID)
	if err != nil || room == nil || room.ArchivedAt != nil || a.PostID == room.SummaryTS {
		return false, err
	}
	if c, err := r.Store.CopiedMessage(ctx, Mattermost, a.ChannelID, a.PostID); err != nil || c != nil {
		return false, err
	}
	var p Post
	err = r.Mattermost.Call(ctx, http.MethodGet, "/posts/"+url.PathEscape(a.PostID), nil, &p)
	if mattermostStatus(err, http.StatusNotFound) {
		return false, nil // deleted before the job ran: nothing to keep
	}
	if err != nil {
		return false, err
	}
	if p.DeleteAt != 0 || p.ChannelID != a.ChannelID {
		return false, nil
	}
	return r.mmCopy(ctx, room, &p, a.MarkedBy)
}

// MattermostFollow reads a copied post again and records its edit or
// deletion on the timeline; a post never copied, or unchanged, is left.
func (r *Rooms) MattermostFollow(ctx context.Context, a MattermostFollowArgs) error {
	c, err := r.Store.CopiedMessage(ctx, Mattermost, a.ChannelID, a.PostID)
	if err != nil || c == nil || c.Deleted {
		return err
	}
	var p Post
	err = r.Mattermost.Call(ctx, http.MethodGet, "/posts/"+url.PathEscape(a.PostID), nil, &p)
	if mattermostStatus(err, http.StatusNotFound) || (err == nil && p.DeleteAt != 0) {
		return r.mmFollow(ctx, c, "", true)
	}
	if err != nil {
		return err
	}
	if text, _ := r.mmText(&p); text != c.Text {
		return r.mmFollow(ctx, c, text, false)
	}
	return nil
}

// socketEvent is a Mattermost WebSocket event; data values are strings,
// and reaction and post hold JSON.
type socketEvent struct {
	Event     string            `json:"event"`
	Data      map[string]any    `json:"data"`
	Broadcast map[string]any    `json:"broadcast"`
	Status    string            `json:"status"`
	Error     map[string]string `json:"error"`
}

func (e *socketEvent) str(k string) string {
	s, _ := e.Data[k].(string)
	return s
}

// Socket backoff: a refused or dropped socket is tried again after 1 s,
// doubling to a minute.
const (
	socketFirstWait = time.Second
	socketMaxWait   = time.Minute
	maxSocketFrame  = 4 << 20
)

// SocketURL is the Mattermost server's WebSocket endpoint.
func (a *MattermostAPI) SocketURL() string {
	u := a.URL + "/api/v4/websocket"
	if rest, ok := strings.CutPrefix(u, "https://"); ok {
		return "wss://" + rest
	}
	return "ws://" + strings.TrimPrefix(u, "http://")
}

// ListenMattermost keeps the bot's WebSocket open until ctx ends, turning
// reactions with the pin emoji and edits and deletions of copied posts in
// war rooms into jobs. A refused or dropped socket is opened again with
// backoff; the sweep's poll of pinned posts covers the gap.
func (r *Rooms) ListenMattermost(ctx context.Context) {
	wait := socketFirstWait
	for ctx.Err() == nil {
		connected, err := r.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if connected {
			wait = socketFirstWait
		}
		r.log().Warn("mattermost: websocket closed; reconnecting", "in", wait, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, socketMaxWait)
	}
}

// listenOnce opens the socket (the bot token in the Authorization header,
// as the API reference allows) and reads events until it fails. True when
// the server said hello.
func (r *Rooms) listenOnce(ctx context.Context) (bool, error) {
	a := r.Mattermost
	conn, resp, err := websocket.Dial(ctx, a.SocketURL(), &websocket.DialOptions{
		HTTPClient: a.Client, HTTPHeader: http.Header{"Authorization": {"Bearer " + a.Token}}})
	if err != nil {
		if resp != nil {
			return false, errors.New("mattermost websocket: HTTP " + resp.Status)
		}
		return false, err
	}
	defer conn.CloseNow()
	conn.SetReadLimit(maxSocketFrame)
	hello := false
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return hello, err
		}
		var ev socketEvent
		if json.Unmarshal(data, &ev) != nil {
			continue
		}
		if ev.Status == "FAIL" {
			return hello, errors.New("mattermost websocket: " + ev.Error["id"] + ": " + ev.Error["message"])
		}
		if ev.Event == "hello" {
			hello = true
			r.log().Info("mattermost: websocket open", "server", ev.str("server_version"))
			continue
		}
		if err := r.onSocketEvent(ctx, &ev); err != nil {
			// The poll of pinned posts catches what this loses.
			r.log().Error("mattermost: websocket event", "event", ev.Event, "err", err)
		}
	}
}

// onSocketEvent turns one event into a job when it concerns a war room.
func (r *Rooms) onSocketEvent(ctx context.Context, ev *socketEvent) error {
	switch ev.Event {
	case "reaction_added":
		var re struct {
			UserID    string `json:"user_id"`
			PostID    string `json:"post_id"`
			EmojiName string `json:"emoji_name"`
		}
		if err := json.Unmarshal([]byte(ev.str("reaction")), &re); err != nil || re.EmojiName != r.Config.PinEmoji {
			return nil
		}
		channel, _ := ev.Broadcast["channel_id"].(string)
		room, err := r.Store.RoomByChannel(ctx, Mattermost, channel)
		if err != nil || room == nil || room.ArchivedAt != nil {
			return err
		}
		_, err = r.Queue.Insert(ctx, MattermostCopyArgs{ChannelID: channel, PostID: re.PostID, MarkedBy: re.UserID}, nil)
		return err
	case "post_edited", "post_deleted":
		var p Post
		if err := json.Unmarshal([]byte(ev.str("post")), &p); err != nil || p.ID == "" {
			return nil
		}
		c, err := r.Store.CopiedMessage(ctx, Mattermost, p.ChannelID, p.ID)
		if err != nil || c == nil || c.Deleted {
			return err
		}
		args := MattermostFollowArgs{ChannelID: p.ChannelID, PostID: p.ID, EditAt: p.EditAt}
		if ev.Event == "post_deleted" {
			args = MattermostFollowArgs{ChannelID: p.ChannelID, PostID: p.ID, Deleted: true}
		}
		_, err = r.Queue.Insert(ctx, args, nil)
		return err
	}
	return nil
}
