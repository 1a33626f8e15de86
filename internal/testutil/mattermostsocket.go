package testutil

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

// The fake's WebSocket (/api/v4/websocket), as the API reference describes
// it: authenticated by the Authorization header, or by an
// authentication_challenge sent first; then a hello event, then events of
// the form {event, data, broadcast, seq} whose data values are strings
// (reaction and post hold JSON).

type mmSocket struct {
	conn *websocket.Conn
}

// Sockets is how many authenticated WebSockets are open.
func (m *MattermostAPI) Sockets() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sockets)
}

// RefusedSockets is how many WebSockets were refused for a wrong token.
func (m *MattermostAPI) RefusedSockets() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.refusedSockets
}

func (m *MattermostAPI) socket(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	if auth != "" && auth != "Bearer "+m.Token {
		m.mu.Lock()
		m.refusedSockets++
		m.mu.Unlock()
		mmError(w, http.StatusUnauthorized, "api.context.session_expired.app_error", "Invalid or expired session, please login again.")
		return
	}
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	ctx := r.Context()
	if auth == "" {
		var challenge struct {
			Seq    int64             `json:"seq"`
			Action string            `json:"action"`
			Data   map[string]string `json:"data"`
		}
		_, data, err := conn.Read(ctx)
		if err != nil || json.Unmarshal(data, &challenge) != nil || challenge.Action != "authentication_challenge" ||
			challenge.Data["token"] != m.Token {
			m.mu.Lock()
			m.refusedSockets++
			m.mu.Unlock()
			writeSocket(ctx, conn, map[string]any{"status": "FAIL", "seq_reply": challenge.Seq,
				"error": map[string]string{"id": "api.web_socket_router.not_authenticated.app_error", "message": "Not authenticated."}})
			conn.Close(websocket.StatusPolicyViolation, "not authenticated")
			return
		}
		writeSocket(ctx, conn, map[string]any{"status": "OK", "seq_reply": challenge.Seq})
	}
	s := &mmSocket{conn: conn}
	m.mu.Lock()
	m.sockets = append(m.sockets, s)
	m.seq++
	hello := map[string]any{"event": "hello", "data": map[string]any{"server_version": "10.5.0.fake"},
		"broadcast": map[string]any{"user_id": mattermostBot, "channel_id": "", "team_id": ""}, "seq": m.seq}
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		for i, x := range m.sockets {
			if x == s {
				m.sockets = append(m.sockets[:i], m.sockets[i+1:]...)
				break
			}
		}
	}()
	writeSocket(ctx, conn, hello)
	for { // the client sends nothing more we need; reading answers pings and sees the close
		if _, _, err := conn.Read(ctx); err != nil {
			return
		}
	}
}

func writeSocket(ctx context.Context, conn *websocket.Conn, v any) {
	data, _ := json.Marshal(v)
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = conn.Write(wctx, websocket.MessageText, data)
}

// broadcast sends an event to every open socket, in order: the bot is in
// every channel the fake has (it made them). Called with m.mu held.
func (m *MattermostAPI) broadcast(event, channelID string, data map[string]any) {
	m.seq++
	ev := map[string]any{"event": event, "data": data, "seq": m.seq,
		"broadcast": map[string]any{"omit_users": nil, "user_id": "", "channel_id": channelID, "team_id": ""}}
	for _, s := range m.sockets {
		writeSocket(context.Background(), s.conn, ev)
	}
}

func jsonString(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

// React adds a user's emoji reaction to a post, as a person does, and
// tells the sockets (reaction_added).
func (m *MattermostAPI) React(postID, userID, emoji string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.posts[postID]
	if p == nil {
		return
	}
	m.broadcast("reaction_added", p.ChannelID, map[string]any{"reaction": jsonString(map[string]any{
		"user_id": userID, "post_id": postID, "emoji_name": emoji, "create_at": time.Now().UnixMilli()})})
}
