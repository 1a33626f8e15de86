package warroom

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

// MattermostChannel is the outbox channel of the news posted to Mattermost
// war rooms: the message's To is the channel id, posted through the REST
// API with the bot token (the incoming webhooks of notify.Mattermost post
// to one fixed channel each, so they cannot reach a room made on the fly).
const MattermostChannel = notify.MattermostRoom

// MattermostAPI calls Mattermost's REST API v4 with the bot account's
// token. Like SlackAPI it only talks; the jobs decide what a failure means.
type MattermostAPI struct {
	URL    string // the server, such as https://chat.example.com
	TeamID string
	Token  string
	Client *http.Client
	// NoSocket says the server has no WebSocket to listen to (the
	// demo's, answered in process); pins are then only polled.
	NoSocket bool
}

// NewMattermostAPI returns a client for the server and bot of cfg.
func NewMattermostAPI(cfg *MattermostConfig) *MattermostAPI {
	return &MattermostAPI{URL: cfg.URL, TeamID: cfg.TeamID, Token: cfg.Token, Client: &http.Client{Timeout: 15 * time.Second}}
}

// MattermostError is an answer of HTTP 4xx or 5xx; ID is Mattermost's
// error id, such as store.sql_channel.save_channel.exists.app_error.
type MattermostError struct {
	Call    string
	Status  int
	ID      string
	Message string
}

func (e *MattermostError) Error() string {
	return fmt.Sprintf("mattermost %s: HTTP %d %s: %s", e.Call, e.Status, e.ID, e.Message)
}

// mattermostStatus reports whether err is Mattermost's answer of status.
func mattermostStatus(err error, status int) bool {
	var e *MattermostError
	return errors.As(err, &e) && e.Status == status
}

// channelExists reports whether err says the channel name is taken.
func channelExists(err error) bool {
	var e *MattermostError
	return errors.As(err, &e) && e.Status == http.StatusBadRequest &&
		(strings.Contains(e.ID, "exists") || strings.Contains(strings.ToLower(e.Message), "already exists"))
}

// Call sends body as JSON with method to path (under /api/v4) and decodes
// the answer into out (when not nil). A rate limit comes back as
// notify.RetryAfter; answers no retry changes (bad token, no permission,
// a bad request) as notify.Permanent.
func (a *MattermostAPI) Call(ctx context.Context, method, path string, body, out any) error {
	call := method + " " + path
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return notify.Permanent(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.URL+"/api/v4"+path, rd)
	if err != nil {
		return notify.Permanent(fmt.Errorf("mattermost %s: %w", call, err))
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+a.Token)
	resp, err := a.Client.Do(req)
	if err != nil {
		return fmt.Errorf("mattermost %s: %w", call, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("mattermost %s: %w", call, err)
	}
	if resp.StatusCode >= 300 {
		e := &MattermostError{Call: call, Status: resp.StatusCode}
		var answer struct {
			ID      string `json:"id"`
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &answer) == nil {
			e.ID, e.Message = answer.ID, answer.Message
		}
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			wait := time.Second
			for _, h := range []string{"Retry-After", "X-Ratelimit-Reset"} {
				if s, err := strconv.Atoi(resp.Header.Get(h)); err == nil && s > 0 {
					wait = time.Duration(s) * time.Second
					break
				}
			}
			return notify.RetryAfter(wait, e)
		case resp.StatusCode >= 500:
			return e
		case resp.StatusCode == http.StatusBadRequest && channelExists(e), resp.StatusCode == http.StatusNotFound:
			return e // the callers act on these
		}
		return notify.Permanent(e)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("mattermost %s: unreadable answer: %w", call, err)
		}
	}
	return nil
}

// CreateChannel makes a channel in the team ("O" open, "P" private) and
// returns its id. When a channel of that name exists — an earlier try made
// it and died before its id was stored — that channel's id is returned, so
// a retried job never makes two.
func (a *MattermostAPI) CreateChannel(ctx context.Context, name, display string, private bool) (string, error) {
	typ := "O"
	if private {
		typ = "P"
	}
	var ch struct {
		ID string `json:"id"`
	}
	err := a.Call(ctx, http.MethodPost, "/channels", map[string]any{"team_id": a.TeamID, "name": name, "display_name": display, "type": typ}, &ch)
	if channelExists(err) {
		ch.ID = ""
		err = a.Call(ctx, http.MethodGet, "/teams/"+url.PathEscape(a.TeamID)+"/channels/name/"+url.PathEscape(name), nil, &ch)
		if mattermostStatus(err, http.StatusNotFound) {
			err = notify.Permanent(fmt.Errorf("channel ~%s exists but the bot cannot see it; add the bot to it or change war_room.name_pattern", name))
		}
	}
	if err == nil && ch.ID == "" {
		err = fmt.Errorf("mattermost create channel ~%s: no id in the answer", name)
	}
	return ch.ID, err
}

// Post is a Mattermost post as the API returns it.
type Post struct {
	ID        string         `json:"id"`
	ChannelID string         `json:"channel_id"`
	UserID    string         `json:"user_id"`
	Message   string         `json:"message"`
	CreateAt  int64          `json:"create_at"`
	EditAt    int64          `json:"edit_at"`
	DeleteAt  int64          `json:"delete_at"`
	IsPinned  bool           `json:"is_pinned"`
	FileIDs   []string       `json:"file_ids"`
	Props     map[string]any `json:"props,omitempty"`
	Metadata  struct {
		Files []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"files"`
	} `json:"metadata"`
}

// CreatePost posts message (with props, such as attachments) to a channel.
// pending is Mattermost's pending_post_id: the server drops a second post
// with the same one, which keeps a retried post from showing twice.
func (a *MattermostAPI) CreatePost(ctx context.Context, channelID, message string, props map[string]any, pending string) (string, error) {
	body := map[string]any{"channel_id": channelID, "message": message, "pending_post_id": pending}
	if props != nil {
		body["props"] = props
	}
	var p Post
	if err := a.Call(ctx, http.MethodPost, "/posts", body, &p); err != nil {
		return "", err
	}
	return p.ID, nil
}

// Pinned lists a channel's pinned posts, oldest first.
func (a *MattermostAPI) Pinned(ctx context.Context, channelID string) ([]Post, error) {
	var list struct {
		Order []string        `json:"order"`
		Posts map[string]Post `json:"posts"`
	}
	if err := a.Call(ctx, http.MethodGet, "/channels/"+url.PathEscape(channelID)+"/pinned", nil, &list); err != nil {
		return nil, err
	}
	out := make([]Post, 0, len(list.Posts))
	for _, id := range list.Order {
		if p, ok := list.Posts[id]; ok {
			out = append(out, p)
		}
	}
	// The order is newest first; the timeline wants them as they came.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// Username is a user's Mattermost username; "" when unknown.
func (a *MattermostAPI) Username(ctx context.Context, id string) string {
	var u struct {
		Username string `json:"username"`
	}
	if err := a.Call(ctx, http.MethodGet, "/users/"+url.PathEscape(id), nil, &u); err != nil {
		return ""
	}
	return u.Username
}

// Slot keeps each room to a message a second, as Slack channels are.
func (a *MattermostAPI) Slot(m *notify.Message) (string, time.Duration) {
	return "mattermost_room:" + m.To, time.Second
}

// Notify posts an outbox message to its room (m.To is the channel id). The
// message key, hashed, is the pending post id, so a retry after a lost
// answer is dropped by the server rather than shown twice.
func (a *MattermostAPI) Notify(ctx context.Context, m *notify.Message) (string, error) {
	sum := sha256.Sum256([]byte(m.Key))
	return a.CreatePost(ctx, m.To, m.Text, nil, "fb-"+hex.EncodeToString(sum[:12]))
}
