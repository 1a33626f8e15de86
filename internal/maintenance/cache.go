package maintenance

import (
	"context"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/firebreak-oss/firebreak/internal/relisten"
)

// entry is one window occurrence or silence in the cache, with compiled matchers.
type entry struct {
	by       string
	start    time.Time
	end      time.Time
	services []string
	matchers []Matcher
	window   *Window
}

// snapshot is what the cache answers from: the entries that are active now
// or start within the horizon, and the store's change mark when it was read.
type snapshot struct {
	entries []entry
	mark    int64
	until   time.Time // rebuild by then, for recurring windows' next occurrences
}

// Loader reads what the cache holds.
type Loader interface {
	// ActiveWindows returns the windows not ended and not past their end.
	ActiveWindows(ctx context.Context, at time.Time) ([]Window, error)
	// ActiveSilences returns the silences not ended and not expired.
	ActiveSilences(ctx context.Context, at time.Time) ([]Silence, error)
	// ChangeMark moves whenever a window or silence is created or ended.
	ChangeMark(ctx context.Context) (int64, error)
}

// Cache answers "is this signal suppressed?" from memory. The intake's fast
// path asks it for every new signal, so the check takes no lock and no I/O:
// the snapshot is swapped whole when something changes. Changes are seen
// at once in this process (the Service calls Load after each), from other
// replicas as soon as Listen hears of them (PostgreSQL), and otherwise (the
// CLI writing an SQLite file, a lost notice) by polling the store's change
// mark, rarely: an idle server should cost nothing.
type Cache struct {
	Store Loader
	Now   func() time.Time
	Poll  time.Duration // default 2 s
	// Listen, when set, waits for changes announced by other processes and
	// calls notify for each (ready once listening), until ctx ends or it
	// fails; Run listens again after a failure.
	Listen func(ctx context.Context, ready, notify func()) error
	Log    *slog.Logger
	cur    atomic.Pointer[snapshot]
}

// horizon is how far ahead a snapshot holds recurring occurrences; it is
// rebuilt before then.
const horizon = 6 * time.Hour

// Load reads the store into the cache once.
func (c *Cache) Load(ctx context.Context) error {
	now := c.Now().UTC()
	mark, err := c.Store.ChangeMark(ctx)
	if err != nil {
		return err
	}
	ws, err := c.Store.ActiveWindows(ctx, now)
	if err != nil {
		return err
	}
	ss, err := c.Store.ActiveSilences(ctx, now)
	if err != nil {
		return err
	}
	snap := &snapshot{mark: mark, until: now.Add(horizon / 2)}
	for i := range ws {
		w := &ws[i]
		if err := CheckMatchers("matchers", w.Matchers); err != nil {
			continue // a bad stored pattern suppresses nothing
		}
		for _, iv := range w.Occurrences(now.Add(-time.Minute), now.Add(horizon)) {
			snap.entries = append(snap.entries, entry{by: w.Ref(), start: iv.Start, end: iv.End,
				services: w.Services, matchers: w.Matchers, window: w})
		}
	}
	for i := range ss {
		s := &ss[i]
		if err := CheckMatchers("matchers", s.Matchers); err != nil {
			continue
		}
		snap.entries = append(snap.entries, entry{by: s.Ref(), start: s.StartsAt, end: s.End(), matchers: s.Matchers})
	}
	c.cur.Store(snap)
	return nil
}

// Suppressed reports whether a signal of service with labels, arriving at
// at, falls in an active window or silence, and which. Silences are
// checked with windows alike; the first match wins.
func (c *Cache) Suppressed(service string, labels map[string]string, at time.Time) (by string, until time.Time, ok bool) {
	snap := c.cur.Load()
	if snap == nil {
		return "", time.Time{}, false
	}
	for i := range snap.entries {
		e := &snap.entries[i]
		if at.Before(e.start) || !at.Before(e.end) {
			continue
		}
		if e.window != nil {
			if !e.window.Covers(service, labels) {
				continue
			}
		} else if !matchAll(e.matchers, labels) {
			continue
		}
		return e.by, e.end, true
	}
	return "", time.Time{}, false
}

// Run keeps the cache fresh until ctx ends: when the store's
// change mark moves (announced, or polled), and before the snapshot's
// recurring occurrences run out. A failed load keeps the last snapshot.
func (c *Cache) Run(ctx context.Context) {
	poll := c.Poll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	kick := make(chan struct{}, 1)
	if c.Listen != nil {
		go c.listen(ctx, func() {
			select {
			case kick <- struct{}{}:
			default:
			}
		})
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-t.C:
			snap := c.cur.Load()
			mark, err := c.Store.ChangeMark(ctx)
			if err == nil && snap != nil && mark == snap.mark && c.Now().Before(snap.until) {
				continue
			}
		}
		lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := c.Load(lctx); err != nil && ctx.Err() == nil && c.Log != nil {
			c.Log.Warn("reload maintenance windows and silences; using the last set", "err", err)
		}
		cancel()
	}
}

// listen calls kick for every change announced, and once each time it
// starts listening (what was announced while it was not is looked for
// then), until ctx ends.
func (c *Cache) listen(ctx context.Context, kick func()) {
	relisten.Keep(ctx, 30*time.Second, func(err error, wait time.Duration) {
		if c.Log != nil {
			c.Log.Warn("maintenance change listener dropped; reconnecting", "err", err, "in", wait)
		}
	}, func(ctx context.Context, ready func()) error {
		return c.Listen(ctx, func() { ready(); kick() }, kick)
	})
}

// Active is a window occurrence in progress.
type Active struct {
	Ref   string
	Title string
	End   time.Time
}

// WindowsAt returns the windows in progress at at that name any of the
// services, from memory.
func (c *Cache) WindowsAt(services []string, at time.Time) []Active {
	snap := c.cur.Load()
	if snap == nil {
		return nil
	}
	var out []Active
	for i := range snap.entries {
		e := &snap.entries[i]
		if e.window == nil || at.Before(e.start) || !at.Before(e.end) {
			continue
		}
		if slices.ContainsFunc(services, func(s string) bool { return slices.Contains(e.window.Services, s) }) {
			out = append(out, Active{Ref: e.by, Title: e.window.Title, End: e.end})
		}
	}
	return out
}
