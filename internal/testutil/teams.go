package testutil

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

// TeamsWorkflows is a local HTTP server speaking a Microsoft Teams Workflows
// webhook ("Post to a channel when a webhook request is received"): each
// flow is a URL whose sig query parameter is its signature; a post must be
// {"type":"message","attachments":[{"contentType":
// "application/vnd.microsoft.card.adaptive","content":{AdaptiveCard}}]} with
// a card of version 1.4 or later and a body, and is answered 202 Accepted.
// A wrong signature gets 401, an unknown flow 404, a malformed card 400.
type TeamsWorkflows struct {
	URL string // the server's base URL

	mu     sync.Mutex
	flows  map[string]string // flow ID → signature
	posts  []TeamsPost
	refuse []TeamsRefusal
}

// TeamsPost is one accepted card.
type TeamsPost struct {
	Flow string
	Card map[string]any // the attachment's content
	// Texts are the card's TextBlock texts, in order, nested ones too.
	Texts []string
	// OpenURL is the card's first Action.OpenUrl target.
	OpenURL string
}

// TeamsRefusal is an answer to give to the next post of a flow instead of
// accepting it: Status with, for 429, Retry-After seconds.
type TeamsRefusal struct {
	Flow       string // empty: any flow
	Status     int
	RetryAfter int
}

// StartTeamsWorkflows starts the server; it stops when the test ends.
func StartTeamsWorkflows(t testing.TB) *TeamsWorkflows {
	t.Helper()
	s := &TeamsWorkflows{flows: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Flow creates a flow and returns its webhook URL, as the Workflows app
// shows it after the flow is saved.
func (s *TeamsWorkflows) Flow(id, sig string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flows[id] = sig
	return s.URL + "/workflows/" + id + "/triggers/manual/paths/invoke?api-version=1&sig=" + sig
}

// Refuse queues answers given instead of accepting, in order.
func (s *TeamsWorkflows) Refuse(r ...TeamsRefusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = append(s.refuse, r...)
}

// Posts returns the accepted cards.
func (s *TeamsWorkflows) Posts() []TeamsPost {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TeamsPost(nil), s.posts...)
}

func (s *TeamsWorkflows) serve(w http.ResponseWriter, r *http.Request) {
	var flow string
	if n, err := parsePath(r.URL.Path, "/workflows/", "/triggers/manual/paths/invoke"); err == nil {
		flow = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sig, known := s.flows[flow]
	switch {
	case r.Method != http.MethodPost:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	case !known:
		http.Error(w, `{"error":{"code":"WorkflowNotFound"}}`, http.StatusNotFound)
		return
	case r.URL.Query().Get("sig") != sig:
		http.Error(w, `{"error":{"code":"DirectApiAuthorizationRequired"}}`, http.StatusUnauthorized)
		return
	}
	for i, rf := range s.refuse {
		if rf.Flow == "" || rf.Flow == flow {
			s.refuse = append(s.refuse[:i], s.refuse[i+1:]...)
			if rf.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(rf.RetryAfter))
			}
			http.Error(w, `{"error":{"code":"refused"}}`, rf.Status)
			return
		}
	}
	post, problem := readTeamsPost(r)
	if problem != "" {
		http.Error(w, `{"error":{"code":"InvalidRequestContent","message":`+strconv.Quote(problem)+`}}`, http.StatusBadRequest)
		return
	}
	post.Flow = flow
	s.posts = append(s.posts, post)
	w.Header().Set("x-ms-workflow-run-id", "run-"+strconv.Itoa(len(s.posts)))
	w.WriteHeader(http.StatusAccepted)
}

// readTeamsPost checks the body as the flow's trigger and its "Post card"
// step do, and says what is wrong with it.
func readTeamsPost(r *http.Request) (TeamsPost, string) {
	if r.Header.Get("Content-Type") != "application/json" {
		return TeamsPost{}, "Content-Type must be application/json"
	}
	var body struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string         `json:"contentType"`
			Content     map[string]any `json:"content"`
		} `json:"attachments"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return TeamsPost{}, "body is not JSON: " + err.Error()
	}
	if body.Type != "message" || len(body.Attachments) == 0 {
		return TeamsPost{}, `want {"type":"message","attachments":[…]}`
	}
	a := body.Attachments[0]
	if a.ContentType != "application/vnd.microsoft.card.adaptive" {
		return TeamsPost{}, "attachment contentType must be application/vnd.microsoft.card.adaptive"
	}
	card := a.Content
	version, _ := card["version"].(string)
	if card["type"] != "AdaptiveCard" || (version != "1.4" && version != "1.5" && version != "1.6") {
		return TeamsPost{}, "content must be an AdaptiveCard of version 1.4 or later"
	}
	items, _ := card["body"].([]any)
	if len(items) == 0 {
		return TeamsPost{}, "the card has no body"
	}
	post := TeamsPost{Card: card}
	var walk func([]any)
	walk = func(items []any) {
		for _, it := range items {
			el, _ := it.(map[string]any)
			switch el["type"] {
			case "TextBlock":
				text, _ := el["text"].(string)
				post.Texts = append(post.Texts, text)
			case "Container":
				inner, _ := el["items"].([]any)
				walk(inner)
			}
		}
	}
	walk(items)
	actions, _ := card["actions"].([]any)
	for _, it := range actions {
		if el, _ := it.(map[string]any); el["type"] == "Action.OpenUrl" && post.OpenURL == "" {
			post.OpenURL, _ = el["url"].(string)
		}
	}
	return post, ""
}

// parsePath returns what lies between prefix and suffix in path.
func parsePath(path, prefix, suffix string) (string, error) {
	if len(path) <= len(prefix)+len(suffix) || path[:len(prefix)] != prefix || path[len(path)-len(suffix):] != suffix {
		return "", http.ErrNotSupported
	}
	return path[len(prefix) : len(path)-len(suffix)], nil
}
