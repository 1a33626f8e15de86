// Package webhook posts outbound messages as signed JSON to partners'
// webhooks. The signature is the scheme Firebreak's own generic intake checks
// (intake.Sign: HMAC-SHA256 over "timestamp.body"), and every message carries
// an Idempotency-Key, the same on each retry, so a receiver can drop repeats.
package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/notify"
)

// HeaderIdempotencyKey carries the message's key.
const HeaderIdempotencyKey = "Idempotency-Key"

// Notifier posts to webhooks.
type Notifier struct {
	// Secret returns the signing secret of the message's target; secrets
	// stay in the config, never in stored messages.
	Secret func(m *notify.Message) string
	Now    func() time.Time
	client *http.Client
}

// New returns a Notifier that signs with the secrets secret names.
func New(secret func(m *notify.Message) string) *Notifier {
	return &Notifier{Secret: secret, Now: time.Now, client: &http.Client{Timeout: 15 * time.Second}}
}

// Notify posts m.Payload (or m.Text as {"text": …}) to m.To.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) (string, error) {
	secret := n.Secret(m)
	if secret == "" {
		return "", notify.Permanent(fmt.Errorf("no signing secret for %s (%s)", m.Target, m.To))
	}
	body := []byte(m.Payload)
	if len(body) == 0 {
		return "", notify.Permanent(fmt.Errorf("webhook message %s has no payload", m.Key))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.To, bytes.NewReader(body))
	if err != nil {
		return "", notify.Permanent(err)
	}
	ts := n.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(intake.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(intake.HeaderSignature, intake.Sign(secret, ts, body))
	req.Header.Set(HeaderIdempotencyKey, m.Key)
	resp, err := n.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("webhook %s: %w", m.To, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch code := resp.StatusCode; {
	case code < 300:
		return resp.Header.Get("X-Request-Id"), nil
	case code == http.StatusTooManyRequests:
		wait := time.Second
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			wait = time.Duration(s) * time.Second
		}
		return "", notify.RetryAfter(wait, fmt.Errorf("webhook %s: HTTP %s", m.To, resp.Status))
	case code >= 400 && code < 500 && code != http.StatusRequestTimeout:
		return "", notify.Permanent(fmt.Errorf("webhook %s: HTTP %s", m.To, resp.Status))
	default:
		return "", fmt.Errorf("webhook %s: HTTP %s", m.To, resp.Status)
	}
}
