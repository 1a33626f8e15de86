package testutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/intake/slack"
)

// SlackChannel is a channel of the local Slack workspace.
type SlackChannel struct {
	ID       string
	Name     string
	Private  bool
	Topic    string
	Members  []string
	Archived bool
	Pins     []string // pinned message ts
}

// SlackMessage is a message people wrote in the local workspace.
type SlackMessage struct {
	Channel  string
	TS       string
	User     string
	Text     string
	ThreadTS string
	Files    []map[string]string // name, permalink
}

// SlackView is a modal opened with views.open.
type SlackView struct {
	TriggerID string
	View      map[string]any
}

// SlackEphemeral is a message only one user sees.
type SlackEphemeral struct{ Channel, User, Text string }

// slackWorkspace is the state behind the war-room methods: channels,
// messages, pins, modals, users.
type slackWorkspace struct {
	channels   []*SlackChannel
	messages   []SlackMessage
	views      []SlackView
	ephemerals []SlackEphemeral
	users      map[string]string // id → name
	counts     map[string]int    // accepted calls per method
	nextID     int
}

// workspaceMethods are the methods slackroom.go answers; read methods take
// form-encoded arguments, as Slack's do, the rest JSON.
var workspaceMethods = map[string]bool{
	"conversations.create": false, "conversations.invite": false, "conversations.setTopic": false,
	"conversations.archive": false, "pins.add": false, "views.open": false, "chat.postEphemeral": false,
	"conversations.list": true, "conversations.history": true, "conversations.replies": true, "users.info": true,
}

var slackChannelName = regexp.MustCompile(`^[a-z0-9_-]{1,80}$`)

// serveWorkspace answers the war-room methods; false for any other.
func (s *SlackAPI) serveWorkspace(w http.ResponseWriter, r *http.Request, method string) bool {
	read, ok := workspaceMethods[method]
	if !ok {
		return false
	}
	if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer "+s.Token {
		slackAnswer(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return true
	}
	args := map[string]any{}
	data, _ := io.ReadAll(r.Body)
	ct := r.Header.Get("Content-Type")
	switch {
	case read && strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		form, err := url.ParseQuery(string(data))
		if err != nil {
			slackAnswer(w, map[string]any{"ok": false, "error": "invalid_form_data"})
			return true
		}
		for k := range form {
			args[k] = form.Get(k)
		}
	case !read && strings.HasPrefix(ct, "application/json"):
		if err := json.Unmarshal(data, &args); err != nil {
			slackAnswer(w, map[string]any{"ok": false, "error": "invalid_json"})
			return true
		}
	default:
		// Slack ignores JSON sent to a read method: its arguments are missing.
		slackAnswer(w, map[string]any{"ok": false, "error": "invalid_arguments"})
		return true
	}
	str := func(k string) string { v, _ := args[k].(string); return v }
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, rf := range s.refuse {
		if rf.Method == method && (rf.Channel == "" || rf.Channel == str("channel")) {
			s.refuse = append(s.refuse[:i], s.refuse[i+1:]...)
			if rf.Error == "ratelimited" {
				w.Header().Set("Retry-After", strconv.Itoa(rf.RetryAfter))
				w.WriteHeader(http.StatusTooManyRequests)
			}
			slackAnswer(w, map[string]any{"ok": false, "error": rf.Error})
			return true
		}
	}
	answer, errCode := s.workspaceCall(method, args, str)
	if errCode != "" {
		slackAnswer(w, map[string]any{"ok": false, "error": errCode})
		return true
	}
	if s.room.counts == nil {
		s.room.counts = map[string]int{}
	}
	s.room.counts[method]++
	answer["ok"] = true
	slackAnswer(w, answer)
	return true
}

func (s *SlackAPI) channel(id string) *SlackChannel {
	for _, c := range s.room.channels {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (s *SlackAPI) workspaceCall(method string, args map[string]any, str func(string) string) (map[string]any, string) {
	ch := s.channel(str("channel"))
	needChannel := func() string {
		switch {
		case ch == nil:
			return "channel_not_found"
		case ch.Archived && method != "conversations.archive":
			return "is_archived"
		}
		return ""
	}
	switch method {
	case "conversations.create":
		name := str("name")
		if !slackChannelName.MatchString(name) {
			return nil, "invalid_name_specials"
		}
		for _, c := range s.room.channels {
			if c.Name == name {
				return nil, "name_taken"
			}
		}
		private, _ := args["is_private"].(bool)
		s.room.nextID++
		c := &SlackChannel{ID: fmt.Sprintf("C%08d", s.room.nextID), Name: name, Private: private}
		s.room.channels = append(s.room.channels, c)
		return map[string]any{"channel": map[string]any{"id": c.ID, "name": c.Name, "is_private": c.Private}}, ""
	case "conversations.invite":
		if e := needChannel(); e != "" {
			return nil, e
		}
		added := false
		for _, u := range strings.Split(str("users"), ",") {
			if u = strings.TrimSpace(u); u != "" && !slices.Contains(ch.Members, u) {
				ch.Members, added = append(ch.Members, u), true
			}
		}
		if !added {
			return nil, "already_in_channel"
		}
		return map[string]any{"channel": map[string]any{"id": ch.ID}}, ""
	case "conversations.setTopic":
		if e := needChannel(); e != "" {
			return nil, e
		}
		if utf8.RuneCountInString(str("topic")) > 250 {
			return nil, "too_long"
		}
		ch.Topic = str("topic")
		return map[string]any{"channel": map[string]any{"id": ch.ID, "topic": map[string]any{"value": ch.Topic}}}, ""
	case "conversations.archive":
		if ch == nil {
			return nil, "channel_not_found"
		}
		if ch.Archived {
			return nil, "already_archived"
		}
		ch.Archived = true
		return map[string]any{}, ""
	case "pins.add":
		if e := needChannel(); e != "" {
			return nil, e
		}
		ts := str("timestamp")
		if !s.hasMessage(ch.ID, ts) {
			return nil, "message_not_found"
		}
		if slices.Contains(ch.Pins, ts) {
			return nil, "already_pinned"
		}
		ch.Pins = append(ch.Pins, ts)
		return map[string]any{}, ""
	case "views.open":
		view, _ := args["view"].(map[string]any)
		title, _ := view["title"].(map[string]any)
		text, _ := title["text"].(string)
		switch {
		case str("trigger_id") == "":
			return nil, "invalid_trigger_id"
		case view["type"] != "modal" || utf8.RuneCountInString(text) > 24 || text == "":
			return nil, "invalid_arguments"
		}
		s.room.views = append(s.room.views, SlackView{TriggerID: str("trigger_id"), View: view})
		return map[string]any{"view": map[string]any{"id": fmt.Sprintf("V%04d", len(s.room.views))}}, ""
	case "chat.postEphemeral":
		if e := needChannel(); e != "" {
			return nil, e
		}
		if str("text") == "" {
			return nil, "no_text"
		}
		s.room.ephemerals = append(s.room.ephemerals, SlackEphemeral{Channel: ch.ID, User: str("user"), Text: str("text")})
		return map[string]any{"message_ts": "1"}, ""
	case "conversations.list":
		var out []map[string]any
		for _, c := range s.room.channels {
			if !c.Archived || str("exclude_archived") != "true" {
				out = append(out, map[string]any{"id": c.ID, "name": c.Name, "is_private": c.Private})
			}
		}
		return map[string]any{"channels": out, "response_metadata": map[string]any{"next_cursor": ""}}, ""
	case "conversations.history", "conversations.replies":
		if ch == nil {
			return nil, "channel_not_found"
		}
		var out []map[string]any
		for _, m := range s.room.messages {
			in := m.Channel == ch.ID && (method == "conversations.history" && (m.ThreadTS == "" || m.ThreadTS == m.TS) ||
				method == "conversations.replies" && (m.ThreadTS == str("ts") || m.TS == str("ts")))
			if in && m.TS >= str("oldest") && m.TS <= str("latest") {
				msg := map[string]any{"type": "message", "user": m.User, "text": m.Text, "ts": m.TS}
				if len(m.Files) > 0 {
					msg["files"] = m.Files
				}
				out = append(out, msg)
			}
		}
		return map[string]any{"messages": out}, ""
	case "users.info":
		name, ok := s.room.users[str("user")]
		if !ok {
			return nil, "user_not_found"
		}
		return map[string]any{"user": map[string]any{"id": str("user"), "name": name}}, ""
	}
	return nil, "unknown_method"
}

// hasMessage says whether a bot post or a person's message has ts in ch.
func (s *SlackAPI) hasMessage(ch, ts string) bool {
	for _, p := range s.posts {
		if p.Channel == ch && p.TS == ts {
			return true
		}
	}
	for _, m := range s.room.messages {
		if m.Channel == ch && m.TS == ts {
			return true
		}
	}
	return false
}

// AddUser makes a user known to users.info.
func (s *SlackAPI) AddUser(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.room.users == nil {
		s.room.users = map[string]string{}
	}
	s.room.users[id] = name
}

// AddChannel makes a channel, as a person (or an earlier try) would.
func (s *SlackAPI) AddChannel(name string) *SlackChannel {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.room.nextID++
	c := &SlackChannel{ID: fmt.Sprintf("C%08d", s.room.nextID), Name: name}
	s.room.channels = append(s.room.channels, c)
	return c
}

// Say posts a person's message in a channel and returns its ts.
func (s *SlackAPI) Say(channel, user, text string, files ...map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ts++
	ts := fmt.Sprintf("1700000000.%06d", s.ts)
	s.room.messages = append(s.room.messages, SlackMessage{Channel: channel, TS: ts, User: user, Text: text, Files: files})
	return ts
}

// Channels returns copies of the workspace's channels.
func (s *SlackAPI) Channels() []SlackChannel {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SlackChannel, len(s.room.channels))
	for i, c := range s.room.channels {
		out[i] = *c
		out[i].Members = slices.Clone(c.Members)
		out[i].Pins = slices.Clone(c.Pins)
	}
	return out
}

// Count is how many calls of method were accepted.
func (s *SlackAPI) Count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.room.counts[method]
}

// Views returns the modals opened.
func (s *SlackAPI) Views() []SlackView {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.room.views)
}

// Ephemerals returns the private messages sent.
func (s *SlackAPI) Ephemerals() []SlackEphemeral {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.room.ephemerals)
}

// SlackSender sends what Slack's servers send a Slack app: Events API
// deliveries and interactivity payloads, signed with the app's signing
// secret as Slack signs them.
type SlackSender struct {
	Base   string // the Firebreak server, http://127.0.0.1:…
	Secret string
}

// send posts body with Slack's signature headers and returns the answer.
func (s SlackSender) send(t testing.TB, path, contentType string, body []byte) (int, []byte) {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, s.Base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set(slack.HeaderTimestamp, ts)
	req.Header.Set(slack.HeaderSignature, slack.Sign(s.Secret, ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// Event delivers an Events API event (the inner "event" object) wrapped in
// its event_callback envelope.
func (s SlackSender) Event(t testing.TB, event map[string]any) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T0001", "event": event,
		"event_id": fmt.Sprintf("Ev%d", time.Now().UnixNano()), "event_time": time.Now().Unix()})
	return s.send(t, "/hooks/slack/events", "application/json", body)
}

// Raw delivers body to the events endpoint as is (a URL verification, say).
func (s SlackSender) Raw(t testing.TB, body []byte) (int, []byte) {
	t.Helper()
	return s.send(t, "/hooks/slack/events", "application/json", body)
}

// Interaction delivers an interactivity payload, form-encoded as Slack
// sends it.
func (s SlackSender) Interaction(t testing.TB, payload map[string]any) (int, []byte) {
	t.Helper()
	p, _ := json.Marshal(payload)
	return s.send(t, "/hooks/slack/interactivity", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(p)}}.Encode()))
}

// Command runs a slash command as the user, as Slack posts it.
func (s SlackSender) Command(t testing.TB, userID, userName, channelID, text string) (int, []byte) {
	t.Helper()
	form := url.Values{"command": {"/incident"}, "text": {text}, "user_id": {userID}, "user_name": {userName},
		"channel_id": {channelID}, "team_id": {"T0001"}}
	return s.send(t, "/hooks/slack", "application/x-www-form-urlencoded", []byte(form.Encode()))
}
