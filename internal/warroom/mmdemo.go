package warroom

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// DemoMattermostTeam is the demo catalog's team that chats on Mattermost:
// in `serve --demo` its services' serious incidents get a Mattermost room,
// the others a Slack channel, so a new user sees both.
const DemoMattermostTeam = "messaging"

// DemoMattermost is the Mattermost server of `serve --demo`: a REST API v4
// client whose calls are answered in process, as Mattermost answers them,
// without leaving the machine. Channels get made, headers set and
// summaries posted and pinned; the room's news goes through the outbox to
// this same client. It has no WebSocket, so nothing is listened to.
func DemoMattermost() *MattermostAPI {
	srv := &demoMattermost{names: map[string]string{}, pending: map[string]string{}}
	// A token of its own each start: it keys the summary's button
	// signatures, which must not be forgeable even on a demo.
	token := make([]byte, 16)
	_, _ = rand.Read(token)
	return &MattermostAPI{URL: "https://mattermost.demo.invalid", TeamID: "demoteam000000000000000000", Token: hex.EncodeToString(token),
		Client: &http.Client{Transport: srv, Timeout: 5 * time.Second}, NoSocket: true}
}

// DemoMattermostConfig is war_room.mattermost for the demo's server.
func DemoMattermostConfig(api *MattermostAPI) *MattermostConfig {
	return &MattermostConfig{URL: api.URL, TeamID: api.TeamID, Token: api.Token, Users: map[string]string{}}
}

// DemoProvider puts the rooms of DemoMattermostTeam's services on
// Mattermost and the rest on Slack.
func DemoProvider(cat *catalog.Catalog) func(*incident.Incident) string {
	return func(inc *incident.Incident) string {
		for _, name := range inc.Services {
			if s, ok := cat.Service(name); ok && s.Team == DemoMattermostTeam {
				return Mattermost
			}
		}
		return Slack
	}
}

type demoMattermost struct {
	mu      sync.Mutex
	n       int
	names   map[string]string // channel name → id
	pending map[string]string // pending_post_id → post id
}

func (d *demoMattermost) id() string {
	d.n++
	return fmt.Sprintf("demo%022d", d.n) // 26 letters and digits, as Mattermost's ids
}

func (d *demoMattermost) RoundTrip(r *http.Request) (*http.Response, error) {
	path := strings.TrimPrefix(r.URL.Path, "/api/v4")
	var args map[string]any
	if r.Body != nil {
		data, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(data, &args)
	}
	str := func(k string) string { s, _ := args[k].(string); return s }
	d.mu.Lock()
	status, answer := http.StatusOK, map[string]any{"status": "OK"}
	switch {
	case r.Method == http.MethodPost && path == "/channels":
		name := str("name")
		if _, taken := d.names[name]; taken {
			status, answer = http.StatusBadRequest, map[string]any{"id": "store.sql_channel.save_channel.exists.app_error",
				"message": "A channel with that name already exists on the same team.", "status_code": http.StatusBadRequest}
			break
		}
		d.names[name] = d.id()
		status, answer = http.StatusCreated, map[string]any{"id": d.names[name], "name": name, "type": str("type")}
	case r.Method == http.MethodGet && strings.Contains(path, "/channels/name/"):
		name := path[strings.LastIndex(path, "/")+1:]
		if id, ok := d.names[name]; ok {
			answer = map[string]any{"id": id, "name": name}
		} else {
			status, answer = http.StatusNotFound, map[string]any{"id": "app.channel.get_by_name.missing.app_error", "status_code": http.StatusNotFound}
		}
	case r.Method == http.MethodPost && path == "/posts":
		id, seen := d.pending[str("pending_post_id")]
		if !seen {
			id = d.id()
			if p := str("pending_post_id"); p != "" {
				d.pending[p] = id
			}
		}
		status, answer = http.StatusCreated, map[string]any{"id": id, "channel_id": str("channel_id"), "message": str("message")}
	case r.Method == http.MethodGet && strings.HasSuffix(path, "/pinned"):
		answer = map[string]any{"order": []string{}, "posts": map[string]any{}}
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/posts/"):
		status, answer = http.StatusNotFound, map[string]any{"id": "app.post.get.app_error", "status_code": http.StatusNotFound}
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/users/"):
		answer = map[string]any{"username": "demo"}
	}
	d.mu.Unlock()
	body, _ := json.Marshal(answer)
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
}
