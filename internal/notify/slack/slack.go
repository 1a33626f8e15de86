// Package slack posts outbound messages to Slack channels through the Web
// API (chat.postMessage with Block Kit). Each incident gets one summary
// message per channel, kept up to date with chat.update; later messages
// about the incident go into that message's thread.
package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

// Payload is what a Slack message carries in notify.Message.Payload: the
// message itself and, for incidents, the summary its channel keeps.
type Payload struct {
	Text          string            `json:"text"`
	Blocks        []json.RawMessage `json:"blocks,omitempty"`
	SummaryText   string            `json:"summary_text,omitempty"`
	SummaryBlocks []json.RawMessage `json:"summary_blocks,omitempty"`
}

// Summaries remembers each incident's summary message per channel.
type Summaries interface {
	ChatSummary(ctx context.Context, incidentID int64, channel string) (string, error)
	SetChatSummary(ctx context.Context, incidentID int64, channel, ref string) error
}

// Notifier posts to Slack.
type Notifier struct {
	cfg       notify.SlackConfig
	summaries Summaries
	client    *http.Client
}

// New returns a Notifier posting with the bot token of cfg.
func New(cfg notify.SlackConfig, summaries Summaries) *Notifier {
	if cfg.APIURL == "" {
		cfg.APIURL = notify.DefaultSlackAPI
	}
	// Keep a connection per concurrent delivery: with net/http's default
	// of two idle connections per host, a declaration's posts to Slack
	// each opened a new connection (a TLS handshake each to slack.com).
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = notify.MaxSending
	return &Notifier{cfg: cfg, summaries: summaries, client: &http.Client{Timeout: 15 * time.Second, Transport: tr}}
}

// Slot keeps to Slack's limit of about one message a second per channel.
func (n *Notifier) Slot(m *notify.Message) (string, time.Duration) {
	return "slack:" + m.To, time.Second
}

// Notify posts m. For an incident whose channel has no summary yet, the
// summary is posted and remembered; otherwise m goes into the summary's
// thread and the summary is brought up to date.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) (string, error) {
	var p Payload
	if len(m.Payload) > 0 {
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			return "", notify.Permanent(fmt.Errorf("slack payload: %w", err))
		}
	}
	if p.Text == "" {
		p.Text = m.Text
	}
	if m.IncidentID == 0 || len(p.SummaryBlocks) == 0 || n.summaries == nil {
		return n.post(ctx, "chat.postMessage", map[string]any{"channel": m.To, "text": p.Text, "blocks": p.Blocks})
	}
	root, err := n.summaries.ChatSummary(ctx, m.IncidentID, m.To)
	if err != nil {
		return "", err
	}
	summary := map[string]any{"channel": m.To, "text": p.SummaryText, "blocks": p.SummaryBlocks}
	if root == "" {
		ts, err := n.post(ctx, "chat.postMessage", summary)
		if err != nil {
			return "", err
		}
		return ts, n.summaries.SetChatSummary(ctx, m.IncidentID, m.To, ts)
	}
	ts, err := n.post(ctx, "chat.postMessage", map[string]any{"channel": m.To, "text": p.Text, "blocks": p.Blocks, "thread_ts": root})
	if err != nil {
		return "", err
	}
	summary["ts"] = root
	if _, err := n.post(ctx, "chat.update", summary); err != nil {
		// The message is out; a stale summary is not worth sending it twice.
		return ts, nil
	}
	return ts, nil
}

// permanentErrors are Slack's answers that no retry changes.
var permanentErrors = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "is_archived": true, "invalid_auth": true,
	"not_authed": true, "account_inactive": true, "token_revoked": true, "invalid_blocks": true,
	"msg_too_long": true, "no_text": true, "restricted_action": true, "missing_scope": true,
	"message_not_found": true, "cant_update_message": true,
}

func (n *Notifier) post(ctx context.Context, method string, body map[string]any) (string, error) {
	if b, ok := body["blocks"].([]json.RawMessage); ok && len(b) == 0 {
		delete(body, "blocks")
	}
	data, err := json.Marshal(body)
	if err != nil {
		return "", notify.Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.cfg.APIURL+"/"+method, bytes.NewReader(data))
	if err != nil {
		return "", notify.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+n.cfg.Token)
	resp, err := n.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("slack %s: %w", method, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests {
		return "", notify.RetryAfter(retryAfter(resp.Header.Get("Retry-After")), fmt.Errorf("slack %s: rate limited", method))
	}
	if resp.StatusCode >= 300 {
		return "", fmt.Errorf("slack %s: HTTP %s", method, resp.Status)
	}
	var out struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
		TS    string `json:"ts"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", fmt.Errorf("slack %s: unreadable answer: %w", method, err)
	}
	switch {
	case out.OK:
		return out.TS, nil
	case out.Error == "ratelimited":
		return "", notify.RetryAfter(retryAfter(resp.Header.Get("Retry-After")), fmt.Errorf("slack %s: ratelimited", method))
	case permanentErrors[out.Error]:
		return "", notify.Permanent(fmt.Errorf("slack %s: %s", method, out.Error))
	}
	return "", fmt.Errorf("slack %s: %s", method, out.Error)
}

// retryAfter reads Retry-After in seconds; Slack always sends seconds.
func retryAfter(h string) time.Duration {
	if s, err := strconv.Atoi(h); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return time.Second
}
