package testutil

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// MattermostAPI is a local HTTP server speaking the part of Mattermost's
// REST API v4 that war rooms use: channels (create, get by name, patch,
// members, delete), posts (create, patch, pin, get, pinned list) and users.
// It checks the bot's bearer token, the team and the documented request
// shapes and limits, answers errors in Mattermost's shape ({id, message,
// status_code}), drops a second post with the same pending_post_id as the
// server does, and can be told to refuse.
type MattermostAPI struct {
	URL    string // the server's base URL; the API is under /api/v4
	Token  string
	TeamID string

	mu       sync.Mutex
	n        int
	calls    []MattermostCall
	channels []*MattermostRoom
	posts    map[string]*MattermostPost
	order    []string
	pending  map[string]string
	users    map[string]string // id → username
	refuse   []MattermostRefusal
	// the WebSocket (mattermostsocket.go)
	sockets        []*mmSocket
	refusedSockets int
	seq            int64
	// interactive dialogs (mattermostdialog.go)
	triggers map[string]string // trigger id → user id
	dialogs  []MattermostDialog
}

// MattermostCall is one accepted call: "POST /channels", with the path's
// channel or post id, and the JSON body.
type MattermostCall struct {
	Call string
	ID   string
	Body map[string]any
}

// MattermostRoom is a channel of the fake server.
type MattermostRoom struct {
	ID, Name, DisplayName, Type, Header, Purpose string
	Members                                      []string
	Deleted                                      bool
}

// MattermostPost is a post of the fake server.
type MattermostPost struct {
	ID, ChannelID, UserID, Message string
	Props                          map[string]any
	CreateAt, EditAt, DeleteAt     int64
	Pinned                         bool
	Files                          []map[string]string
}

// MattermostRefusal answers one matching call with an error: Status 429
// sends Retry-After (seconds).
type MattermostRefusal struct {
	Call       string // such as "POST /channels"; empty: any
	Status     int
	ID         string
	RetryAfter int
}

// Mattermost error ids the fake answers with.
const (
	MattermostChannelExists = "store.sql_channel.save_channel.exists.app_error"
	mattermostBot           = "fbbot00000000000000000000a"
)

var (
	mattermostName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	mattermostID   = regexp.MustCompile(`^[a-z0-9]{26}$`)
)

// StartMattermostAPI starts the server; it stops when the test ends.
func StartMattermostAPI(t testing.TB, token, teamID string) *MattermostAPI {
	t.Helper()
	m := &MattermostAPI{Token: token, TeamID: teamID, posts: map[string]*MattermostPost{}, pending: map[string]string{},
		users: map[string]string{mattermostBot: "firebreak-bot"}}
	srv := httptest.NewServer(http.HandlerFunc(m.serve))
	t.Cleanup(srv.Close)
	m.URL = srv.URL
	return m
}

// AddUser makes a user known (an id of 26 lower-case letters and digits).
func (m *MattermostAPI) AddUser(id, username string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.users[id] = username
}

// Refuse queues refusals; each answers one matching call.
func (m *MattermostAPI) Refuse(r ...MattermostRefusal) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refuse = append(m.refuse, r...)
}

// Calls returns the accepted calls so far.
func (m *MattermostAPI) Calls() []MattermostCall {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]MattermostCall(nil), m.calls...)
}

// Count is how many accepted calls were call ("POST /channels").
func (m *MattermostAPI) Count(call string) int {
	n := 0
	for _, c := range m.Calls() {
		if c.Call == call {
			n++
		}
	}
	return n
}

// Channels returns copies of the channels, in the order made.
func (m *MattermostAPI) Channels() []MattermostRoom {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]MattermostRoom, len(m.channels))
	for i, c := range m.channels {
		out[i] = *c
		out[i].Members = append([]string(nil), c.Members...)
	}
	return out
}

// AddChannel makes a channel as if an earlier try had.
func (m *MattermostAPI) AddChannel(name string, private bool) MattermostRoom {
	m.mu.Lock()
	defer m.mu.Unlock()
	typ := "O"
	if private {
		typ = "P"
	}
	c := &MattermostRoom{ID: m.newID(), Name: name, DisplayName: name, Type: typ}
	m.channels = append(m.channels, c)
	return *c
}

// Posts returns copies of a channel's posts, oldest first.
func (m *MattermostAPI) Posts(channelID string) []MattermostPost {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []MattermostPost
	for _, id := range m.order {
		if p := m.posts[id]; p.ChannelID == channelID {
			out = append(out, *p)
		}
	}
	return out
}

// Say posts a message as a user, with files ({"id","name"}), and returns
// its id.
func (m *MattermostAPI) Say(channelID, userID, message string, files ...map[string]string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.addPost(channelID, userID, message, nil, files).ID
}

// Pin pins a post, as a person does from its menu.
func (m *MattermostAPI) Pin(postID string) {
	m.change(postID, func(p *MattermostPost) { p.Pinned = true })
}

// Unpin unpins a post.
func (m *MattermostAPI) Unpin(postID string) {
	m.change(postID, func(p *MattermostPost) { p.Pinned = false })
}

// Edit changes a post's message and tells the sockets (post_edited).
func (m *MattermostAPI) Edit(postID, message string) {
	m.change(postID, func(p *MattermostPost) {
		p.Message, p.EditAt = message, time.Now().UnixMilli()
		m.broadcast("post_edited", p.ChannelID, map[string]any{"post": jsonString(p.wire())})
	})
}

// Delete deletes a post, and tells the sockets (post_deleted); Mattermost
// then leaves it out of the pinned list.
func (m *MattermostAPI) Delete(postID string) {
	m.change(postID, func(p *MattermostPost) {
		p.DeleteAt = time.Now().UnixMilli()
		m.broadcast("post_deleted", p.ChannelID, map[string]any{"post": jsonString(p.wire()), "delete_by": p.UserID})
	})
}

func (m *MattermostAPI) change(postID string, f func(*MattermostPost)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p := m.posts[postID]; p != nil {
		f(p)
	}
}

func (m *MattermostAPI) newID() string {
	m.n++
	return fmt.Sprintf("mm%024d", m.n) // 26 lower-case letters and digits, as Mattermost ids
}

func (m *MattermostAPI) addPost(channelID, userID, message string, props map[string]any, files []map[string]string) *MattermostPost {
	p := &MattermostPost{ID: m.newID(), ChannelID: channelID, UserID: userID, Message: message, Props: props,
		CreateAt: time.Now().UnixMilli(), Files: files}
	m.posts[p.ID] = p
	m.order = append(m.order, p.ID)
	return p
}

func mmError(w http.ResponseWriter, status int, id, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "message": message, "status_code": status})
}

func mmJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (m *MattermostAPI) channel(id string) *MattermostRoom {
	for _, c := range m.channels {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (c *MattermostRoom) wire(team string) map[string]any {
	del := int64(0)
	if c.Deleted {
		del = 1
	}
	return map[string]any{"id": c.ID, "team_id": team, "name": c.Name, "display_name": c.DisplayName, "type": c.Type,
		"header": c.Header, "purpose": c.Purpose, "delete_at": del}
}

func (p *MattermostPost) wire() map[string]any {
	out := map[string]any{"id": p.ID, "channel_id": p.ChannelID, "user_id": p.UserID, "message": p.Message, "create_at": p.CreateAt,
		"edit_at": p.EditAt, "delete_at": p.DeleteAt, "is_pinned": p.Pinned, "props": p.Props}
	if len(p.Files) > 0 {
		out["metadata"] = map[string]any{"files": p.Files}
	}
	return out
}

// route names a call by its shape, with the id in the path: "PUT
// /channels/{id}/patch" is "PUT /channels/patch".
func route(method, path string) (string, string, string) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) == 1:
		return method + " /" + parts[0], "", ""
	case len(parts) == 2:
		return method + " /" + parts[0], parts[1], ""
	case len(parts) == 3:
		return method + " /" + parts[0] + "/" + parts[2], parts[1], ""
	case len(parts) == 5 && parts[0] == "teams" && parts[2] == "channels" && parts[3] == "name":
		return method + " /teams/channels/name", parts[1], parts[4]
	}
	return method + " " + path, "", ""
}

func (m *MattermostAPI) serve(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, "/api/v4")
	if !ok {
		mmError(w, http.StatusNotFound, "api.context.404.app_error", "Sorry, we could not find the page.")
		return
	}
	if path == "/websocket" {
		m.socket(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+m.Token {
		mmError(w, http.StatusUnauthorized, "api.context.session_expired.app_error", "Invalid or expired session, please login again.")
		return
	}
	call, id, name := route(r.Method, path)
	body := map[string]any{}
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		if call != "POST /posts/pin" {
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				mmError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid or missing body in request body.")
				return
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				mmError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid or missing body in request body.")
				return
			}
		}
	}
	str := func(k string) string { s, _ := body[k].(string); return s }
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, rf := range m.refuse {
		if rf.Call == "" || rf.Call == call {
			m.refuse = append(m.refuse[:i], m.refuse[i+1:]...)
			if rf.Status == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", strconv.Itoa(rf.RetryAfter))
			}
			mmError(w, rf.Status, rf.ID, "refused by the test")
			return
		}
	}
	record := func() { m.calls = append(m.calls, MattermostCall{Call: call, ID: id, Body: body}) }
	switch call {
	case "POST /channels":
		name, display, typ := str("name"), str("display_name"), str("type")
		switch {
		case str("team_id") != m.TeamID:
			mmError(w, http.StatusForbidden, "api.context.permissions.app_error", "You do not have the appropriate permissions.")
		case !mattermostName.MatchString(name):
			mmError(w, http.StatusBadRequest, "model.channel.is_valid.name.app_error", "Invalid name.")
		case display == "" || utf8.RuneCountInString(display) > 64:
			mmError(w, http.StatusBadRequest, "model.channel.is_valid.display_name.app_error", "Invalid display name.")
		case typ != "O" && typ != "P":
			mmError(w, http.StatusBadRequest, "model.channel.is_valid.type.app_error", "Invalid type.")
		default:
			for _, c := range m.channels {
				if c.Name == name {
					mmError(w, http.StatusBadRequest, MattermostChannelExists, "A channel with that name already exists on the same team.")
					return
				}
			}
			c := &MattermostRoom{ID: m.newID(), Name: name, DisplayName: display, Type: typ}
			m.channels = append(m.channels, c)
			record()
			mmJSON(w, http.StatusCreated, c.wire(m.TeamID))
		}
	case "GET /teams/channels/name":
		if id != m.TeamID {
			mmError(w, http.StatusNotFound, "app.channel.get_by_name.missing.app_error", "Channel does not exist.")
			return
		}
		for _, c := range m.channels {
			if c.Name == name && !c.Deleted {
				record()
				mmJSON(w, http.StatusOK, c.wire(m.TeamID))
				return
			}
		}
		mmError(w, http.StatusNotFound, "app.channel.get_by_name.missing.app_error", "Channel does not exist.")
	case "PUT /channels/patch", "POST /channels/members", "DELETE /channels", "GET /channels/pinned":
		c := m.channel(id)
		if c == nil || (c.Deleted && call != "DELETE /channels") {
			mmError(w, http.StatusNotFound, "app.channel.get.existing.app_error", "Unable to find the existing channel.")
			return
		}
		switch call {
		case "PUT /channels/patch":
			if h, ok := body["header"].(string); ok {
				if utf8.RuneCountInString(h) > 1024 {
					mmError(w, http.StatusBadRequest, "model.channel.is_valid.header.app_error", "Invalid header.")
					return
				}
				c.Header = h
			}
			if p, ok := body["purpose"].(string); ok {
				if utf8.RuneCountInString(p) > 250 {
					mmError(w, http.StatusBadRequest, "model.channel.is_valid.purpose.app_error", "Invalid purpose.")
					return
				}
				c.Purpose = p
			}
		case "POST /channels/members":
			uid := str("user_id")
			if _, ok := m.users[uid]; !ok || !mattermostID.MatchString(uid) {
				mmError(w, http.StatusBadRequest, "api.channel.add_user.to.channel.failed.app_error", "Failed to add user to channel.")
				return
			}
			if !containsString(c.Members, uid) {
				c.Members = append(c.Members, uid)
			}
		case "DELETE /channels":
			c.Deleted = true
			record()
			mmJSON(w, http.StatusOK, map[string]string{"status": "OK"})
			return
		case "GET /channels/pinned":
			list := map[string]any{}
			var order []string
			for i := len(m.order) - 1; i >= 0; i-- { // newest first, as Mattermost lists
				p := m.posts[m.order[i]]
				if p.ChannelID == c.ID && p.Pinned && p.DeleteAt == 0 {
					order = append(order, p.ID)
					list[p.ID] = p.wire()
				}
			}
			record()
			mmJSON(w, http.StatusOK, map[string]any{"order": order, "posts": list})
			return
		}
		record()
		mmJSON(w, http.StatusOK, c.wire(m.TeamID))
	case "POST /posts":
		c := m.channel(str("channel_id"))
		if c == nil || c.Deleted {
			mmError(w, http.StatusForbidden, "api.context.permissions.app_error", "You do not have the appropriate permissions.")
			return
		}
		if str("message") == "" || utf8.RuneCountInString(str("message")) > 16383 {
			mmError(w, http.StatusBadRequest, "model.post.is_valid.msg.app_error", "Invalid message.")
			return
		}
		if pid := str("pending_post_id"); pid != "" {
			if existing, ok := m.pending[pid]; ok {
				mmJSON(w, http.StatusCreated, m.posts[existing].wire())
				return
			}
		}
		props, _ := body["props"].(map[string]any)
		if !validActions(props) {
			mmError(w, http.StatusBadRequest, "model.post.is_valid.props.app_error", "Invalid props.")
			return
		}
		p := m.addPost(c.ID, mattermostBot, str("message"), props, nil)
		if pid := str("pending_post_id"); pid != "" {
			m.pending[pid] = p.ID
		}
		record()
		mmJSON(w, http.StatusCreated, p.wire())
	case "PUT /posts/patch", "POST /posts/pin", "GET /posts":
		p := m.posts[id]
		if p == nil || p.DeleteAt != 0 {
			mmError(w, http.StatusNotFound, "app.post.get.app_error", "Unable to get the post.")
			return
		}
		switch call {
		case "PUT /posts/patch":
			if msg, ok := body["message"].(string); ok {
				if msg == "" {
					mmError(w, http.StatusBadRequest, "model.post.is_valid.msg.app_error", "Invalid message.")
					return
				}
				p.Message, p.EditAt = msg, time.Now().UnixMilli()
			}
			if props, ok := body["props"].(map[string]any); ok {
				if !validActions(props) {
					mmError(w, http.StatusBadRequest, "model.post.is_valid.props.app_error", "Invalid props.")
					return
				}
				p.Props = props
			}
		case "POST /posts/pin":
			p.Pinned = true
			record()
			mmJSON(w, http.StatusOK, map[string]string{"status": "OK"})
			return
		}
		record()
		mmJSON(w, http.StatusOK, p.wire())
	case "POST /actions/open":
		switch {
		case id != "dialogs":
			mmError(w, http.StatusNotFound, "api.context.404.app_error", "Sorry, we could not find the page.")
		case m.openDialog(w, body):
			record()
			mmJSON(w, http.StatusOK, map[string]string{"status": "OK"})
		}
	case "GET /users":
		u, ok := m.users[id]
		if !ok {
			mmError(w, http.StatusNotFound, "app.user.missing_account.const", "Unable to find the user.")
			return
		}
		record()
		mmJSON(w, http.StatusOK, map[string]any{"id": id, "username": u})
	default:
		mmError(w, http.StatusNotFound, "api.context.404.app_error", "Sorry, we could not find the page.")
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var mattermostActionID = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// validActions checks the attachments' actions as Mattermost does: an id
// of letters and digits, a name, and an integration URL.
func validActions(props map[string]any) bool {
	atts, _ := props["attachments"].([]any)
	for _, a := range atts {
		att, _ := a.(map[string]any)
		actions, _ := att["actions"].([]any)
		for _, x := range actions {
			act, _ := x.(map[string]any)
			id, _ := act["id"].(string)
			name, _ := act["name"].(string)
			integ, _ := act["integration"].(map[string]any)
			u, _ := integ["url"].(string)
			if !mattermostActionID.MatchString(id) || name == "" || u == "" {
				return false
			}
		}
	}
	return true
}

// Action is the summary's action named id (a button or menu), with its
// integration URL and context, as the Mattermost server keeps them.
func (m *MattermostAPI) Action(postID, id string) (url string, context map[string]any, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.posts[postID]
	if p == nil {
		return "", nil, false
	}
	atts, _ := p.Props["attachments"].([]any)
	for _, a := range atts {
		att, _ := a.(map[string]any)
		actions, _ := att["actions"].([]any)
		for _, x := range actions {
			act, _ := x.(map[string]any)
			if act["id"] == id {
				integ, _ := act["integration"].(map[string]any)
				u, _ := integ["url"].(string)
				c, _ := integ["context"].(map[string]any)
				return u, c, true
			}
		}
	}
	return "", nil, false
}
