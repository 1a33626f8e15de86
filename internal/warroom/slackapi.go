package warroom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

// SlackAPI calls Slack's Web API with the bot token. It only talks; the
// jobs that call it decide what a failure means.
type SlackAPI struct {
	URL    string // https://slack.com/api, or a local stand-in
	Token  string
	Client *http.Client
}

// NewSlackAPI returns a client for the Slack app of cfg.
func NewSlackAPI(cfg notify.SlackConfig) *SlackAPI {
	url := cfg.APIURL
	if url == "" {
		url = notify.DefaultSlackAPI
	}
	return &SlackAPI{URL: url, Token: cfg.Token, Client: &http.Client{Timeout: 15 * time.Second}}
}

// SlackError is an answer of ok:false; Code is Slack's error code.
type SlackError struct {
	Method string
	Code   string
}

func (e *SlackError) Error() string { return "slack " + e.Method + ": " + e.Code }

// IsSlackError reports whether err is Slack's answer code.
func IsSlackError(err error, code string) bool {
	var e *SlackError
	return errors.As(err, &e) && e.Code == code
}

// Call posts body as JSON to method and decodes the answer into out (when
// not nil). A rate limit comes back as notify.RetryAfter.
func (a *SlackAPI) Call(ctx context.Context, method string, body any, out any) (err error) {
	// Slack's read methods (conversations.list, .history, .replies) take
	// only form-encoded arguments; the write methods take JSON.
	var data []byte
	contentType := "application/json; charset=utf-8"
	if form, ok := body.(url.Values); ok {
		data, contentType = []byte(form.Encode()), "application/x-www-form-urlencoded"
	} else if data, err = json.Marshal(body); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.URL+"/"+method, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+a.Token)
	resp, err := a.Client.Do(req)
	if err != nil {
		return fmt.Errorf("slack %s: %w", method, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests {
		wait := time.Second
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			wait = time.Duration(s) * time.Second
		}
		return notify.RetryAfter(wait, &SlackError{Method: method, Code: "ratelimited"})
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("slack %s: HTTP %s", method, resp.Status)
	}
	var raw json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		return fmt.Errorf("slack %s: unreadable answer: %w", method, err)
	}
	var head struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return fmt.Errorf("slack %s: unreadable answer: %w", method, err)
	}
	if !head.OK {
		return &SlackError{Method: method, Code: head.Error}
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// CreateChannel makes a channel and returns its id.
func (a *SlackAPI) CreateChannel(ctx context.Context, name string, private bool) (string, error) {
	var out struct {
		Channel struct {
			ID string `json:"id"`
		} `json:"channel"`
	}
	err := a.Call(ctx, "conversations.create", map[string]any{"name": name, "is_private": private}, &out)
	return out.Channel.ID, err
}

// FindChannel looks a channel up by name among those the bot sees; "" when
// none has it.
func (a *SlackAPI) FindChannel(ctx context.Context, name string) (string, error) {
	cursor := ""
	for range 50 { // 50 pages of 1000: more channels than a workspace has
		var out struct {
			Channels []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"channels"`
			Meta struct {
				NextCursor string `json:"next_cursor"`
			} `json:"response_metadata"`
		}
		err := a.Call(ctx, "conversations.list", url.Values{"types": {"public_channel,private_channel"},
			"exclude_archived": {"true"}, "limit": {"1000"}, "cursor": {cursor}}, &out)
		if err != nil {
			return "", err
		}
		for _, c := range out.Channels {
			if c.Name == name {
				return c.ID, nil
			}
		}
		if cursor = out.Meta.NextCursor; cursor == "" {
			return "", nil
		}
	}
	return "", nil
}

// Message is a chat message as Slack returns it.
type Message struct {
	User  string `json:"user"`
	Text  string `json:"text"`
	TS    string `json:"ts"`
	Files []struct {
		Name      string `json:"name"`
		Permalink string `json:"permalink"`
	} `json:"files"`
}

// FetchMessage reads one message of a channel; a reply in a thread is found
// through conversations.replies when thread is set.
func (a *SlackAPI) FetchMessage(ctx context.Context, channel, ts, thread string) (*Message, error) {
	var out struct {
		Messages []Message `json:"messages"`
	}
	method, body := "conversations.history", url.Values{"channel": {channel}, "latest": {ts}, "oldest": {ts}, "inclusive": {"true"}, "limit": {"1"}}
	if thread != "" && thread != ts {
		method = "conversations.replies"
		body.Set("ts", thread)
	}
	if err := a.Call(ctx, method, body, &out); err != nil {
		return nil, err
	}
	for _, m := range out.Messages {
		if m.TS == ts {
			return &m, nil
		}
	}
	return nil, &SlackError{Method: method, Code: "message_not_found"}
}
