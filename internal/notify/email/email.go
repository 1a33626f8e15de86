// Package email sends outbound messages over SMTP, as text with an HTML
// alternative when there is one. Every message of one thread refers to the
// same thread root (In-Reply-To, References), so mail programs show an
// incident's mails as one conversation.
package email

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

// Notifier sends e-mail.
type Notifier struct {
	cfg     notify.EmailConfig
	domain  string
	timeout time.Duration
}

// New checks cfg and returns a Notifier.
func New(cfg notify.EmailConfig) (*Notifier, error) {
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("e-mail sender %q: %w", cfg.From, err)
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	return &Notifier{cfg: cfg, domain: domain, timeout: 15 * time.Second}, nil
}

// MessageID is the Message-ID header of the stored message with key.
func (n *Notifier) MessageID(key string) string { return "<" + hashed(key) + "@" + n.domain + ">" }

// ThreadID is the thread root every message of a thread refers to.
func (n *Notifier) ThreadID(thread string) string { return "<" + thread + "@" + n.domain + ">" }

func hashed(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

// Notify sends m to every address in m.To.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) (string, error) {
	msg := gomail.NewMsg()
	if err := msg.From(n.cfg.From); err != nil {
		return "", notify.Permanent(fmt.Errorf("sender: %w", err))
	}
	rcpts := strings.Split(m.To, ",")
	for i := range rcpts {
		rcpts[i] = strings.TrimSpace(rcpts[i])
	}
	if err := msg.To(rcpts...); err != nil {
		return "", notify.Permanent(fmt.Errorf("recipients %q: %w", m.To, err))
	}
	msg.Subject(m.Subject)
	id := n.MessageID(m.Key)
	msg.SetMessageIDWithValue(strings.Trim(id, "<>"))
	if m.Thread != "" {
		root := n.ThreadID(m.Thread)
		msg.SetGenHeader(gomail.HeaderInReplyTo, root)
		msg.SetGenHeader(gomail.HeaderReferences, root)
	}
	msg.SetGenHeader("X-Firebreak-Message", m.Key)
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	c, err := n.client()
	if err != nil {
		return "", notify.Permanent(err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return "", classify(err)
	}
	return id, nil
}

func (n *Notifier) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(n.cfg.Port), gomail.WithTimeout(n.timeout)}
	switch n.cfg.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if n.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(n.cfg.Username), gomail.WithPassword(n.cfg.Password))
	}
	return gomail.NewClient(n.cfg.Host, opts...)
}

// classify marks 5xx answers (a rejected recipient, a refused message) as
// permanent; everything else (4xx, network) is tried again.
func classify(err error) error {
	var tp *textproto.Error
	var se *gomail.SendError
	if (errors.As(err, &tp) && tp.Code >= 500) || (errors.As(err, &se) && se.ErrorCode() >= 500) {
		return notify.Permanent(err)
	}
	return err
}
