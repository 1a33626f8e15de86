package testutil

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/intake"
)

// SlackAPI is a local HTTP server speaking the part of Slack's Web API that
// Firebreak uses (chat.postMessage, chat.update). It checks the bot token
// and the JSON payload as Slack does, and can be told to refuse.
type SlackAPI struct {
	URL   string // base URL, in the place of https://slack.com/api
	Token string

	mu     sync.Mutex
	posts  []SlackCall
	ts     int
	refuse []SlackRefusal
	// room is the workspace behind the war-room methods (slackroom.go).
	room slackWorkspace
}

// SlackCall is one accepted call.
type SlackCall struct {
	Method   string
	Channel  string
	Text     string
	Blocks   []map[string]any
	ThreadTS string
	TS       string // the message's ts: new for a post, the target of an update
	At       time.Time
}

// SlackRefusal is an answer to give instead of accepting: Error is Slack's
// error code ("ratelimited", "channel_not_found", …); RetryAfter, in seconds,
// is sent as the Retry-After header with HTTP 429 when Error is
// "ratelimited".
type SlackRefusal struct {
	Method     string // only calls of this method; empty: any
	Channel    string // only calls to this channel; empty: any
	Error      string
	RetryAfter int
}

// StartSlackAPI starts the server; it stops when the test ends.
func StartSlackAPI(t testing.TB, token string) *SlackAPI {
	t.Helper()
	s := &SlackAPI{Token: token}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/api"
	return s
}

// Refuse queues refusals; each answers one matching call.
func (s *SlackAPI) Refuse(r ...SlackRefusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = append(s.refuse, r...)
}

// Calls returns the accepted calls so far.
func (s *SlackAPI) Calls() []SlackCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SlackCall(nil), s.posts...)
}

func slackAnswer(w http.ResponseWriter, body map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func (s *SlackAPI) serve(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	if s.serveWorkspace(w, r, method) {
		return
	}
	if r.Method != http.MethodPost || (method != "chat.postMessage" && method != "chat.update") {
		slackAnswer(w, map[string]any{"ok": false, "error": "unknown_method"})
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		slackAnswer(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		slackAnswer(w, map[string]any{"ok": false, "error": "invalid_form_data"})
		return
	}
	var body struct {
		Channel  string           `json:"channel"`
		Text     string           `json:"text"`
		Blocks   []map[string]any `json:"blocks"`
		ThreadTS string           `json:"thread_ts"`
		TS       string           `json:"ts"`
	}
	data, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(data, &body); err != nil {
		slackAnswer(w, map[string]any{"ok": false, "error": "invalid_json"})
		return
	}
	switch {
	case body.Channel == "":
		slackAnswer(w, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	case body.Text == "" && len(body.Blocks) == 0:
		slackAnswer(w, map[string]any{"ok": false, "error": "no_text"})
		return
	case method == "chat.update" && body.TS == "":
		slackAnswer(w, map[string]any{"ok": false, "error": "message_not_found"})
		return
	}
	for _, b := range body.Blocks {
		if typ, _ := b["type"].(string); typ == "" {
			slackAnswer(w, map[string]any{"ok": false, "error": "invalid_blocks"})
			return
		}
	}
	s.mu.Lock()
	for i, rf := range s.refuse {
		if (rf.Channel == "" || rf.Channel == body.Channel) && (rf.Method == "" || rf.Method == method) {
			s.refuse = append(s.refuse[:i], s.refuse[i+1:]...)
			s.mu.Unlock()
			if rf.Error == "ratelimited" {
				w.Header().Set("Retry-After", strconv.Itoa(rf.RetryAfter))
				w.WriteHeader(http.StatusTooManyRequests)
			}
			slackAnswer(w, map[string]any{"ok": false, "error": rf.Error})
			return
		}
	}
	call := SlackCall{Method: method, Channel: body.Channel, Text: body.Text, Blocks: body.Blocks, ThreadTS: body.ThreadTS, TS: body.TS, At: time.Now()}
	if method == "chat.postMessage" {
		s.ts++
		call.TS = fmt.Sprintf("1700000000.%06d", s.ts)
	}
	s.posts = append(s.posts, call)
	s.mu.Unlock()
	slackAnswer(w, map[string]any{"ok": true, "channel": body.Channel, "ts": call.TS})
}

// WebhookReceiver is a partner's webhook endpoint: it checks Firebreak's
// signature and handles each idempotency key once, as a careful receiver
// does, counting how often each key arrived.
type WebhookReceiver struct {
	URL    string
	Secret string

	mu        sync.Mutex
	seen      map[string]int
	handled   []json.RawMessage
	failNext  int
	badSigned int
	delay     time.Duration
}

// SetDelay makes the receiver take d over each request, as a slow partner
// does.
func (wr *WebhookReceiver) SetDelay(d time.Duration) {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	wr.delay = d
}

// StartWebhookReceiver starts the receiver; it stops when the test ends.
func StartWebhookReceiver(t testing.TB, secret string) *WebhookReceiver {
	t.Helper()
	wr := &WebhookReceiver{Secret: secret, seen: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(wr.serve))
	t.Cleanup(srv.Close)
	wr.URL = srv.URL + "/hook"
	return wr
}

// FailNext makes the next n requests fail with HTTP 503.
func (wr *WebhookReceiver) FailNext(n int) {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	wr.failNext += n
}

func (wr *WebhookReceiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := intake.VerifySignature(wr.Secret, r.Header.Get(intake.HeaderTimestamp), r.Header.Get(intake.HeaderSignature),
		body, time.Now(), 5*time.Minute); err != nil {
		wr.mu.Lock()
		wr.badSigned++
		wr.mu.Unlock()
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	wr.mu.Lock()
	delay := wr.delay
	wr.mu.Unlock()
	time.Sleep(delay)
	key := r.Header.Get("Idempotency-Key")
	if key == "" || !json.Valid(body) {
		http.Error(w, "an Idempotency-Key and a JSON body are required", http.StatusBadRequest)
		return
	}
	wr.mu.Lock()
	defer wr.mu.Unlock()
	if wr.failNext > 0 {
		wr.failNext--
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	wr.seen[key]++
	if wr.seen[key] == 1 {
		wr.handled = append(wr.handled, body)
	}
	w.WriteHeader(http.StatusAccepted)
}

// Handled returns the bodies handled, each idempotency key once.
func (wr *WebhookReceiver) Handled() []json.RawMessage {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return append([]json.RawMessage(nil), wr.handled...)
}

// Deliveries returns how often each idempotency key arrived.
func (wr *WebhookReceiver) Deliveries() map[string]int {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	out := make(map[string]int, len(wr.seen))
	for k, v := range wr.seen {
		out[k] = v
	}
	return out
}

// BadlySigned is how many requests failed the signature check.
func (wr *WebhookReceiver) BadlySigned() int {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return wr.badSigned
}
