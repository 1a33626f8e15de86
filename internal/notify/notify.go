// Package notify delivers Firebreak's outbound messages — e-mail, Slack,
// signed webhooks, Mattermost, Microsoft Teams, LINE WORKS — so that nothing accepted is lost: a message is stored in
// the outbox first, in the same transaction as the change it follows from,
// together with its delivery job; the job hands it to its channel, retries
// with backoff, and records the delivery or the final failure (and its reason)
// on the incident's timeline. Each channel is a sub-package behind Notifier.
//
// Another package sends a message by storing it inside its own transaction:
//
//	tx, err := db.SQL.BeginTx(ctx, nil)
//	// … the package's own writes on tx …
//	err = outbox.Store(ctx, tx, notify.Message{
//		Key:     fmt.Sprintf("report:%d:first:%s", reportID, addr), // idempotent
//		Channel: notify.Email, To: addr, Subject: subject, Text: text, HTML: html,
//		IncidentID: incidentID, Thread: notify.IncidentThread(incidentID),
//	})
//	// … then tx.Commit(): the message and its delivery job exist, or neither.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Channel is how a message travels.
type Channel string

// The channels.
const (
	Email      Channel = "email"
	Slack      Channel = "slack"
	Webhook    Channel = "webhook"
	Mattermost Channel = "mattermost"
	// Teams posts Adaptive Cards to Microsoft Teams Workflows webhooks; the
	// message's To is the name of a channel in the notify config.
	Teams Channel = "teams"
	// LineWorks sends LINE WORKS bot messages; To names a target in the
	// notify config.
	LineWorks Channel = "lineworks"
	// MattermostRoom posts to a Mattermost war room through the REST API
	// with the bot token; To is the channel id (internal/warroom).
	MattermostRoom Channel = "mattermost_room"
)

// Status is where a stored message stands.
type Status string

// The statuses of a stored message.
const (
	Pending Status = "pending"
	Sent    Status = "sent"
	Failed  Status = "failed"
)

// Message is one outbound message to one destination.
type Message struct {
	ID int64
	// Key identifies the message: storing a second message with the same key
	// does nothing, and receivers of webhooks see it as the idempotency key.
	// Empty: one is made up, so the message is always stored.
	Key        string
	IncidentID int64 // 0: not about an incident
	EventID    int64 // the timeline event the message tells of, if any
	Channel    Channel
	Target     string // who, for people: "team payments"
	TargetKey  string // the policy's stable key of the target
	To         string // e-mail address(es, comma-separated), Slack channel, webhook URL
	Lang       string
	// Thread groups the messages of one conversation: e-mails carry it in
	// their threading headers, Slack keeps one summary message per thread.
	Thread string
	// Fallback is the e-mail address told instead when a chat channel keeps
	// failing.
	Fallback string
	Subject  string
	Text     string
	HTML     string
	// Payload is the channel's structured body: Slack blocks, or the JSON a
	// webhook posts.
	Payload json.RawMessage

	Status     Status
	Attempts   int
	LastError  string
	ExternalID string // the channel's reference: Message-ID, Slack ts, …
	CreatedAt  time.Time
	SentAt     *time.Time
	FailedAt   *time.Time
}

// IncidentThread is the thread of every message about one incident.
func IncidentThread(incidentID int64) string {
	return "incident-" + strconv.FormatInt(incidentID, 10)
}

// Notifier hands a message to its channel and returns the channel's
// reference for it. An error wrapped by Permanent is not retried; one from
// RetryAfter asks for a later try.
type Notifier interface {
	Notify(ctx context.Context, m *Message) (ref string, err error)
}

// RateLimited is a Notifier whose destinations take at most one message per
// interval. The limit is kept in the database, so it holds across replicas.
type RateLimited interface {
	Notifier
	// Slot names the destination m goes to and its interval.
	Slot(m *Message) (destination string, every time.Duration)
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks an error that no retry can cure (a rejected address, a
// channel that does not exist).
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err was marked by Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// RetryAfterError asks to try again after a wait the peer named.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}
func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter wraps err with the wait the peer asked for.
func RetryAfter(d time.Duration, err error) error { return &RetryAfterError{After: d, Err: err} }

// HTTPError classifies a peer's HTTP answer to a post to what: nil for 2xx,
// RetryAfter for 429 (honouring Retry-After), Permanent for other 4xx but
// 408, and a plain, retryable error for the rest.
func HTTPError(resp *http.Response, what string) error {
	switch code := resp.StatusCode; {
	case code < 300:
		return nil
	case code == http.StatusTooManyRequests:
		wait := time.Second
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			wait = time.Duration(s) * time.Second
		}
		return RetryAfter(wait, fmt.Errorf("%s: HTTP %s", what, resp.Status))
	case code >= 400 && code < 500 && code != http.StatusRequestTimeout:
		return Permanent(fmt.Errorf("%s: HTTP %s", what, resp.Status))
	default:
		return fmt.Errorf("%s: HTTP %s", what, resp.Status)
	}
}
