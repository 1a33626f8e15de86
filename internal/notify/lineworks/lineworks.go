// Package lineworks sends outbound messages as a LINE WORKS bot through the
// Bot API 2.0: POST /bots/{botId}/channels/{channelId}/messages for a chat
// room the bot is in, or /bots/{botId}/users/{userId}/messages for one
// person, with {"content":{"type":"text","text":…}}. Calls carry an access
// token from the service-account flow: a JWT signed with the app's private
// key (RS256) is exchanged at the token endpoint; the token is kept,
// replaced before it expires, and replaced at once when the API answers 401.
//
// Messages name the target (notify.Message.To is its name in the notify
// config); the IDs and credentials stay in the config.
package lineworks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

// Notifier sends LINE WORKS bot messages.
type Notifier struct {
	cfg    *notify.LineWorksConfig
	client *http.Client
	tokens *tokens
}

// New returns a Notifier sending as the bot of cfg; now is the clock tokens
// are timed with.
func New(cfg *notify.LineWorksConfig, now func() time.Time) *Notifier {
	client := &http.Client{Timeout: 15 * time.Second}
	return &Notifier{cfg: cfg, client: client, tokens: &tokens{cfg: cfg, client: client, now: now}}
}

// Slot keeps each target to a message a second: the Bot API limits how
// fast one bot may send, and a burst keeps its order.
func (n *Notifier) Slot(m *notify.Message) (string, time.Duration) {
	return "lineworks:" + m.To, time.Second
}

// maxText is the longest text message LINE WORKS takes, in characters.
const maxText = 2000

// Notify sends m.Text to the target m.To names.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) (string, error) {
	target, ok := n.cfg.Target(m.To)
	if !ok {
		return "", notify.Permanent(fmt.Errorf("lineworks %q: no such channel is configured under notify.lineworks.targets", m.To))
	}
	endpoint := n.cfg.APIURL + "/bots/" + url.PathEscape(n.cfg.BotID)
	if target.ChannelID != "" {
		endpoint += "/channels/" + url.PathEscape(target.ChannelID) + "/messages"
	} else {
		endpoint += "/users/" + url.PathEscape(target.UserID) + "/messages"
	}
	body, err := json.Marshal(map[string]any{"content": map[string]string{"type": "text", "text": plainText(m.Text)}})
	if err != nil {
		return "", notify.Permanent(err)
	}
	what := "lineworks target " + target.Name
	err = n.send(ctx, endpoint, body, what)
	if errors.Is(err, errUnauthorized) {
		// The token was revoked or expired early: one more try with a new one.
		err = n.send(ctx, endpoint, body, what)
		if errors.Is(err, errUnauthorized) {
			err = notify.Permanent(err)
		}
	}
	return "", err
}

// errUnauthorized is the API's 401: the token is no longer good.
var errUnauthorized = errors.New("HTTP 401 Unauthorized")

func (n *Notifier) send(ctx context.Context, endpoint string, body []byte, what string) error {
	tok, err := n.tokens.get(ctx)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return notify.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := n.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusUnauthorized {
		n.tokens.drop(tok)
		return fmt.Errorf("%s: %w", what, errUnauthorized)
	}
	return notify.HTTPError(resp, what)
}

// slackMarks are the chat template's *bold* and _italic_ marks; LINE WORKS
// text messages show them as typed, so they are taken out.
var slackMarks = regexp.MustCompile(`(^|[\s(])([*_])([^*_\n]+)([*_])`)

// plainText is the chat template's text as LINE WORKS shows it, cut to the
// longest message it takes.
func plainText(s string) string {
	s = slackMarks.ReplaceAllStringFunc(s, func(m string) string {
		sub := slackMarks.FindStringSubmatch(m)
		if sub[2] != sub[4] {
			return m
		}
		return sub[1] + sub[3]
	})
	if utf8.RuneCountInString(s) > maxText {
		s = string([]rune(s)[:maxText-1]) + "…"
	}
	return s
}
