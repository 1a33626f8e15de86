package jobs

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/riverqueue/river/riverdriver"
)

// An idle queue should cost next to nothing, yet a job inserted now should
// start now. River gets both from a listener: producers wait for "jobs were
// inserted" notifications and poll only as a fallback, rarely. PostgreSQL
// has LISTEN/NOTIFY for that (see driver). SQLite has no such thing, and
// River's SQLite listener polls a notification table every 50 ms, which is
// the cost this file avoids: an SQLite database has one Firebreak process,
// so the notifications are passed in memory, inside that process.
//
// A notification sent inside a transaction is passed on at once, before the
// commit. That is safe on SQLite only: a producer that fetches at once runs
// an UPDATE that waits for the inserting transaction's write lock (busy
// timeout) and then sees its rows, or finds nothing if it rolled back, and
// the next poll is the fallback.

// wakeDriver is an SQLite driver whose notifications stay in memory.
type wakeDriver struct {
	riverdriver.Driver[*sql.Tx]
	hub *hub
}

func newWakeDriver(d riverdriver.Driver[*sql.Tx]) *wakeDriver {
	return &wakeDriver{Driver: d, hub: &hub{listeners: map[*memListener]struct{}{}}}
}

func (d *wakeDriver) SupportsListener() bool     { return true }
func (d *wakeDriver) SupportsListenNotify() bool { return true }

func (d *wakeDriver) GetListener(params *riverdriver.GetListenenerParams) riverdriver.Listener {
	return &memListener{hub: d.hub, schema: params.Schema}
}

func (d *wakeDriver) GetExecutor() riverdriver.Executor {
	return &wakeExecutor{Executor: d.Driver.GetExecutor(), hub: d.hub}
}

func (d *wakeDriver) UnwrapExecutor(tx *sql.Tx) riverdriver.ExecutorTx {
	return &wakeExecutorTx{ExecutorTx: d.Driver.UnwrapExecutor(tx), hub: d.hub}
}

func (d *wakeDriver) UnwrapTx(execTx riverdriver.ExecutorTx) *sql.Tx {
	if w, ok := execTx.(*wakeExecutorTx); ok {
		execTx = w.ExecutorTx
	}
	return d.Driver.UnwrapTx(execTx)
}

// wakeExecutor sends notifications to the hub instead of the database, and
// makes the transactions it begins do the same.
type wakeExecutor struct {
	riverdriver.Executor
	hub *hub
}

func (e *wakeExecutor) Begin(ctx context.Context) (riverdriver.ExecutorTx, error) {
	tx, err := e.Executor.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &wakeExecutorTx{ExecutorTx: tx, hub: e.hub}, nil
}

func (e *wakeExecutor) NotifyMany(_ context.Context, params *riverdriver.NotifyManyParams) error {
	e.hub.notify(params.Topic, params.Payload)
	return nil
}

type wakeExecutorTx struct {
	riverdriver.ExecutorTx
	hub *hub
}

func (e *wakeExecutorTx) Begin(ctx context.Context) (riverdriver.ExecutorTx, error) {
	tx, err := e.ExecutorTx.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &wakeExecutorTx{ExecutorTx: tx, hub: e.hub}, nil
}

func (e *wakeExecutorTx) NotifyMany(_ context.Context, params *riverdriver.NotifyManyParams) error {
	e.hub.notify(params.Topic, params.Payload)
	return nil
}

// hub passes notifications to the listeners of this process.
type hub struct {
	mu        sync.Mutex
	listeners map[*memListener]struct{}
	// onInsert, when set, hears every insert notification, also while no
	// listener is connected (a paused Runner).
	onInsert func()
}

func (h *hub) notify(topic string, payloads []string) {
	if topic == insertTopic && h.onInsert != nil {
		h.onInsert()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for l := range h.listeners {
		l.deliver(topic, payloads)
	}
}

// memListener is one River notifier's subscription to the hub.
type memListener struct {
	hub    *hub
	schema string

	mu     sync.Mutex
	topics map[string]bool
	queue  []*riverdriver.Notification
	ready  chan struct{} // has a value while queue is not empty
}

// listenerBacklog bounds what a listener holds; past it a notification is
// dropped, which costs at most one poll interval: polls are the fallback.
const listenerBacklog = 1024

func (l *memListener) deliver(topic string, payloads []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.topics[topic] {
		return
	}
	for _, p := range payloads {
		if len(l.queue) >= listenerBacklog {
			break
		}
		l.queue = append(l.queue, &riverdriver.Notification{Topic: topic, Payload: p})
	}
	select {
	case l.ready <- struct{}{}:
	default:
	}
}

func (l *memListener) Connect(context.Context) error {
	l.mu.Lock()
	if l.ready != nil {
		l.mu.Unlock()
		return errors.New("listener already connected")
	}
	l.ready = make(chan struct{}, 1)
	l.topics = map[string]bool{}
	l.mu.Unlock()
	l.hub.mu.Lock()
	l.hub.listeners[l] = struct{}{}
	l.hub.mu.Unlock()
	return nil
}

func (l *memListener) Close(context.Context) error {
	l.hub.mu.Lock()
	delete(l.hub.listeners, l)
	l.hub.mu.Unlock()
	l.mu.Lock()
	l.ready, l.queue, l.topics = nil, nil, nil
	l.mu.Unlock()
	return nil
}

func (l *memListener) Listen(_ context.Context, topic string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.topics == nil {
		return errors.New("listener is not connected")
	}
	l.topics[topic] = true
	return nil
}

func (l *memListener) Unlisten(_ context.Context, topic string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.topics, topic)
	return nil
}

func (l *memListener) Ping(context.Context) error { return nil }
func (l *memListener) Schema() string             { return l.schema }
func (l *memListener) SetAfterConnectExec(string) {}

// WaitForNotification returns the next notification, waiting for one until
// ctx ends.
func (l *memListener) WaitForNotification(ctx context.Context) (*riverdriver.Notification, error) {
	for {
		l.mu.Lock()
		ready := l.ready
		if ready == nil {
			l.mu.Unlock()
			return nil, errors.New("listener is not connected")
		}
		if len(l.queue) > 0 {
			n := l.queue[0]
			l.queue = l.queue[1:]
			if len(l.queue) > 0 {
				select {
				case ready <- struct{}{}:
				default:
				}
			}
			l.mu.Unlock()
			return n, nil
		}
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ready:
		}
	}
}
