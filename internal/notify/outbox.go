package notify

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// The timeline events the outbox writes.
const (
	EventDelivered incident.EventKind = "message_delivered"
	EventFailed    incident.EventKind = "message_failed"
)

// Store keeps the outbox. It is implemented by the store package.
type Store interface {
	// InsertMessages stores the messages whose key is new, sets their ID
	// and returns them; messages whose key exists are skipped.
	InsertMessages(ctx context.Context, tx *sql.Tx, msgs []Message) ([]Message, error)
	Message(ctx context.Context, id int64) (*Message, error)
	// RecordAttempt notes a failed try that will be retried.
	RecordAttempt(ctx context.Context, id int64, reason string) error
	// Finish marks a pending message sent (ref set) or failed (reason set)
	// and appends ev to its incident's timeline, in tx. It reports false
	// when the message was no longer pending.
	Finish(ctx context.Context, tx *sql.Tx, id int64, st Status, ref, reason string, at time.Time, ev *incident.Event) (bool, error)
	// ClaimSlot claims the destination's next send slot, or says how long
	// to wait for it. The store picks the transaction: one shared with
	// concurrent deliveries, or the claim's statement alone.
	ClaimSlot(ctx context.Context, destination string, every time.Duration, now time.Time) (wait time.Duration, err error)
	// FinishShared is Finish in a transaction shared with concurrent
	// deliveries' outcomes, so a burst of deliveries costs a few commits,
	// not one each. ev's ID is not set.
	FinishShared(ctx context.Context, id int64, st Status, ref, reason string, at time.Time, ev *incident.Event) (bool, error)
	InTx(ctx context.Context, fn func(*sql.Tx) error) error
}

// Queue enqueues jobs inside a transaction; the job queue client is one.
type Queue interface {
	InsertManyTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// Outbox stores outbound messages and delivers them through jobs.
type Outbox struct {
	store Store
	// Queue must be set before the first Store; the job queue is built
	// after the outbox because its workers need the outbox.
	Queue     Queue
	Notifiers map[Channel]Notifier
	Now       func() time.Time
	Log       *slog.Logger
	// FallbackAfter is after how many failed tries a chat message with a
	// Fallback address gives up and goes by e-mail instead (default 3).
	FallbackAfter int

	// sending holds a token per delivery under way (see MaxSending).
	sending chan struct{}
}

// NewOutbox returns an outbox over store with no channels; add them to
// Notifiers.
func NewOutbox(store Store) *Outbox {
	return &Outbox{store: store, Notifiers: map[Channel]Notifier{}, Now: time.Now, Log: slog.Default(), FallbackAfter: 3,
		sending: make(chan struct{}, MaxSending)}
}

// Store saves msgs and enqueues a delivery job for each new one, inside tx:
// when tx commits, every message will be delivered or its failure recorded;
// when it rolls back, nothing was sent. Messages whose Key was stored before
// are skipped, so a retried caller sends nothing twice.
func (o *Outbox) Store(ctx context.Context, tx *sql.Tx, msgs ...Message) error {
	_, err := o.StoreMessages(ctx, tx, msgs)
	return err
}

// StoreMessages is Store returning the messages that were new, with their IDs.
func (o *Outbox) StoreMessages(ctx context.Context, tx *sql.Tx, msgs []Message) ([]Message, error) {
	if o.Queue == nil {
		return nil, errors.New("outbox: no job queue set")
	}
	now := o.Now().UTC()
	for i := range msgs {
		m := &msgs[i]
		if err := m.check(); err != nil {
			return nil, err
		}
		if m.Key == "" {
			m.Key = randomKey()
		}
		m.Status, m.CreatedAt = Pending, now
	}
	added, err := o.store.InsertMessages(ctx, tx, msgs)
	if err != nil {
		return nil, fmt.Errorf("store outbound messages: %w", err)
	}
	if len(added) == 0 {
		return nil, nil
	}
	params := make([]river.InsertManyParams, len(added))
	for i, m := range added {
		params[i] = river.InsertManyParams{Args: DeliverArgs{MessageID: m.ID}}
	}
	if _, err := o.Queue.InsertManyTx(ctx, tx, params); err != nil {
		return nil, fmt.Errorf("enqueue deliveries: %w", err)
	}
	return added, nil
}

func (m *Message) check() error {
	switch {
	case !slices.Contains(channels, m.Channel):
		return fmt.Errorf("outbound message: unknown channel %q", m.Channel)
	case m.To == "":
		return fmt.Errorf("outbound message %q: no destination", m.Key)
	}
	return nil
}

// channels are the channels a message may travel by.
var channels = []Channel{Email, Slack, Webhook, Mattermost, Teams, LineWorks, MattermostRoom}

func randomKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "msg-" + hex.EncodeToString(b)
}

// DeliverArgs asks for the delivery of one stored message.
type DeliverArgs struct {
	MessageID int64 `json:"message_id"`
	// Rescues is the delivery job this one replaces, when that job's
	// worker died with it (see RescueWorker).
	Rescues int64 `json:"rescues,omitempty"`
}

// Kind names the job in the queue.
func (DeliverArgs) Kind() string { return "notify.deliver" }

// InsertOpts makes a delivery, and each rescue of it, enqueued once, in the
// outbox's own queue.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueName, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// QueueName is the job queue deliveries run in, apart from other work so that a
// burst of messages neither waits behind it nor holds it up.
const QueueName = "notify"

// QueueConfig is the notify queue's. A declaration's messages leave at once
// because their insert wakes the workers (LISTEN/NOTIFY on PostgreSQL, in
// process on SQLite; every insert is announced, see internal/jobs), so the
// queue polls no more often than the others.
//
// River takes jobs for free worker slots only, and a slot stays taken until
// the job's completion is written, which River's completer does in batches
// every 250 ms (sooner from 100 finished jobs on). With 50 slots, 200
// messages left in four waves a quarter-second or more apart. The queue
// therefore takes up to 500 jobs at once, one fetch for a whole declaration,
// and MaxSending bounds how many are sent at the same time.
var QueueConfig = river.QueueConfig{MaxWorkers: 500}

// MaxSending is how many deliveries one server has talking to their
// channels at once (as many SMTP connections as a typical relay accepts
// from one client). Loading a message, claiming its slot and sending it
// take a turn; recording the outcome does not.
const MaxSending = 50

// deliverTimeout bounds one try; a peer that hangs is tried again later.
const deliverTimeout = 20 * time.Second

// Worker returns the job worker that delivers stored messages; register it
// with the job queue.
func (o *Outbox) Worker() river.Worker[DeliverArgs] { return &deliverWorker{o: o} }

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	o *Outbox
}

// sendWait bounds how long a delivery waits for its turn to send (see
// MaxSending); one that waits longer snoozes a second, which costs it no
// try.
const sendWait = 10 * time.Second

func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return sendWait + deliverTimeout
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	wait := time.NewTimer(sendWait)
	defer wait.Stop()
	select {
	case w.o.sending <- struct{}{}:
	case <-wait.C:
		return river.JobSnooze(time.Second)
	case <-ctx.Done():
		return ctx.Err()
	}
	ctx, cancel := context.WithTimeout(ctx, deliverTimeout)
	defer cancel()
	var once sync.Once
	sent := func() { once.Do(func() { <-w.o.sending }) }
	defer sent()
	return w.o.deliver(ctx, job.Args.MessageID, job.Attempt, job.MaxAttempts, sent)
}

// deliver makes one try at a message. It returns nil when the message is
// done (sent, or failed for good and recorded), a snooze when it must wait
// for its slot, and an error to be retried with backoff. It calls sent once
// the channel has answered: the turn to send (MaxSending) bounds
// connections to the channels, and recording the outcome needs none, so
// the next delivery need not wait for it.
func (o *Outbox) deliver(ctx context.Context, id int64, attempt, maxAttempts int, sent func()) error {
	m, err := o.store.Message(ctx, id)
	if err != nil {
		return err
	}
	if m.Status != Pending {
		return nil // done by an earlier try whose job did not finish
	}
	n := o.Notifiers[m.Channel]
	if n == nil {
		return o.finish(ctx, m, Failed, "", fmt.Sprintf("no %s channel is configured", m.Channel))
	}
	if rl, ok := n.(RateLimited); ok {
		dest, every := rl.Slot(m)
		wait, err := o.store.ClaimSlot(ctx, dest, every, o.Now())
		if err != nil {
			return err
		}
		if wait > 0 {
			return river.JobSnooze(wait)
		}
	}
	ref, sendErr := n.Notify(ctx, m)
	sent()
	if sendErr == nil {
		return o.finish(ctx, m, Sent, ref, "")
	}
	var ra *RetryAfterError
	waitAsked := errors.As(sendErr, &ra)
	final := IsPermanent(sendErr) || attempt >= maxAttempts
	switch {
	case m.Channel != Email && m.Fallback != "" && (final || (attempt >= o.FallbackAfter && !waitAsked)):
		return o.fallBack(ctx, m, sendErr, attempt)
	case final:
		return o.finish(ctx, m, Failed, "", sendErr.Error())
	case waitAsked:
		if err := o.store.RecordAttempt(ctx, m.ID, sendErr.Error()); err != nil {
			return err
		}
		return river.JobSnooze(ra.After)
	}
	if err := o.store.RecordAttempt(ctx, m.ID, sendErr.Error()); err != nil {
		return err
	}
	return sendErr
}

// finish records the outcome and tells the incident's timeline.
func (o *Outbox) finish(ctx context.Context, m *Message, st Status, ref, reason string) error {
	done, err := o.store.FinishShared(ctx, m.ID, st, ref, reason, o.Now().UTC(), o.event(m, st, reason, ""))
	if err == nil && done && st == Failed {
		o.Log.Warn("message not delivered", "message", m.ID, "channel", m.Channel, "to", m.To, "reason", reason)
	}
	return err
}

// fallBack gives up on a chat message and stores an e-mail to its fallback
// address instead, saying so on the timeline.
func (o *Outbox) fallBack(ctx context.Context, m *Message, cause error, tries int) error {
	return o.store.InTx(ctx, func(tx *sql.Tx) error {
		reason := fmt.Sprintf("%v; gave up after %d tries and sent it by e-mail to %s instead", cause, tries, m.Fallback)
		done, err := o.store.Finish(ctx, tx, m.ID, Failed, "", reason, o.Now().UTC(), o.event(m, Failed, reason, m.Fallback))
		if err != nil || !done {
			return err
		}
		mail := *m
		mail.ID, mail.Key, mail.Channel, mail.To, mail.Fallback, mail.Payload = 0, m.Key+":email", Email, m.Fallback, "", nil
		if mail.Subject == "" {
			mail.Subject = firstLine(m.Text)
		}
		_, err = o.StoreMessages(ctx, tx, []Message{mail})
		return err
	})
}

func (o *Outbox) event(m *Message, st Status, reason, fallback string) *incident.Event {
	if m.IncidentID == 0 {
		return nil
	}
	data := map[string]any{"message_id": m.ID, "channel": string(m.Channel), "target": m.Target, "to": m.To}
	kind := EventDelivered
	if st == Failed {
		kind = EventFailed
		data["reason"] = reason
		if fallback != "" {
			data["fallback"] = fallback
		}
	}
	return &incident.Event{IncidentID: m.IncidentID, At: o.Now().UTC(), Actor: "firebreak", Kind: kind, Data: data}
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
