// Package teams posts outbound messages to Microsoft Teams channels through
// Workflows webhooks: the "Post to a channel when a webhook request is
// received" flow, which takes {"type":"message","attachments":[…]} with an
// Adaptive Card and answers 202 Accepted. Such a flow can neither edit a
// posted card nor reply in a thread, so every update is a new card whose
// heading names the incident the same way each time.
//
// Messages name the channel (notify.Message.To is its name in the notify
// config); the webhook URL, which carries the flow's signature, stays in the
// config and is looked up at send time.
package teams

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

// Notifier posts to Teams Workflows webhooks.
type Notifier struct {
	cfg    *notify.TeamsConfig
	client *http.Client
}

// New returns a Notifier for the channels of cfg.
func New(cfg *notify.TeamsConfig) *Notifier {
	return &Notifier{cfg: cfg, client: &http.Client{Timeout: 15 * time.Second}}
}

// Slot keeps each channel to a message a second, as for Slack: a burst of
// updates arrives in order and within what a flow's trigger accepts.
func (n *Notifier) Slot(m *notify.Message) (string, time.Duration) {
	return "teams:" + m.To, time.Second
}

// Notify posts m's card (m.Payload, as built by Message) or, for a message
// without one, a card of its subject and text.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) (string, error) {
	ch, ok := n.cfg.Channel(m.To)
	if !ok {
		return "", notify.Permanent(fmt.Errorf("teams %q: no such channel is configured under notify.teams.channels", m.To))
	}
	body := []byte(m.Payload)
	if len(body) == 0 {
		body = Message(CardData{Heading: m.Subject, Text: m.Text})
	}
	what := "teams channel " + ch.Name
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ch.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return "", notify.Permanent(fmt.Errorf("%s: %w", what, err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.client.Do(req)
	if err != nil {
		// The error names the URL, whose query is the flow's signature.
		return "", fmt.Errorf("%s: %w", what, redact(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if err := notify.HTTPError(resp, what); err != nil {
		return "", err
	}
	// Workflows answers with no body; the run's ID is what the flow's
	// history shows, so it is the reference.
	return resp.Header.Get("x-ms-workflow-run-id"), nil
}

// redact drops the URL from a transport error, keeping its cause.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
