// Package mattermost posts outbound messages to Mattermost incoming webhooks
// (https://developers.mattermost.com/integrate/webhooks/incoming/): a JSON
// body whose "text" is Markdown. The hook's URL is the address; it carries
// its own secret, so there is no token to configure.
package mattermost

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

// Notifier posts to incoming webhooks.
type Notifier struct{ client *http.Client }

// New returns a Notifier.
func New() *Notifier { return &Notifier{client: &http.Client{Timeout: 15 * time.Second}} }

// Slot keeps each hook (one channel) to a message a second, as for Slack.
func (n *Notifier) Slot(m *notify.Message) (string, time.Duration) {
	sum := sha256.Sum256([]byte(m.To)) // the URL holds the hook's secret: keep it out of the slots table
	return "mattermost:" + hex.EncodeToString(sum[:8]), time.Second
}

// Notify posts m.Text.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) (string, error) {
	body, err := json.Marshal(map[string]string{"text": m.Text})
	if err != nil {
		return "", notify.Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.To, bytes.NewReader(body))
	if err != nil {
		return "", notify.Permanent(fmt.Errorf("mattermost hook of %s: %w", m.Target, err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("mattermost hook of %s: %w", m.Target, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return "", notify.HTTPError(resp, "mattermost hook of "+m.Target)
}
