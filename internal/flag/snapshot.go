package flag

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Snapshot is every switch as one process serves it. It is never changed
// once built: a change builds a new one and swaps it in, so evaluation
// reads without locks and never touches the database.
type Snapshot struct {
	byKey map[string]*Switch
	keys  []string // sorted
	// Tag changes whenever any switch does (keys and versions hashed): the
	// base of the bulk evaluation's ETag.
	Tag string
	// Mark is the store's change mark the snapshot was loaded at.
	Mark int64
}

// Get returns the switch with the key, or nil.
func (s *Snapshot) Get(key string) *Switch { return s.byKey[key] }

// Keys returns the keys in order; the caller must not change the slice.
func (s *Snapshot) Keys() []string { return s.keys }

// Len is the number of switches.
func (s *Snapshot) Len() int { return len(s.keys) }

func buildSnapshot(byKey map[string]*Switch, mark int64) *Snapshot {
	snap := &Snapshot{byKey: byKey, Mark: mark, keys: make([]string, 0, len(byKey))}
	for k := range byKey {
		snap.keys = append(snap.keys, k)
	}
	slices.Sort(snap.keys)
	h := sha256.New()
	for _, k := range snap.keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write(strconv.AppendInt(nil, byKey[k].Version, 10))
		h.Write([]byte{0})
	}
	snap.Tag = hex.EncodeToString(h.Sum(nil)[:12])
	return snap
}

// Served holds the snapshot a process answers from.
type Served struct {
	cur atomic.Pointer[Snapshot]
	mu  sync.Mutex // serialises writers; readers never wait
}

// NewServed returns an empty snapshot holder.
func NewServed() *Served {
	s := &Served{}
	s.cur.Store(buildSnapshot(map[string]*Switch{}, 0))
	return s
}

// Load returns the current snapshot.
func (s *Served) Load() *Snapshot { return s.cur.Load() }

// Put serves sw at once, unless a newer version is served already. The
// process that changed a switch calls it, so its own answers never lag.
func (s *Served) Put(sw Switch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.cur.Load()
	if have := old.byKey[sw.Key]; have != nil && have.Version >= sw.Version {
		return
	}
	next := make(map[string]*Switch, len(old.byKey)+1)
	for k, v := range old.byKey {
		next[k] = v
	}
	c := sw.Clone()
	next[sw.Key] = &c
	s.cur.Store(buildSnapshot(next, old.Mark))
}

// Replace serves the switches loaded at mark. A switch served at a newer
// version than loaded (Put by a change that committed after the load read
// it) is kept: switches are never deleted, so versions only grow.
func (s *Served) Replace(all []Switch, mark int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.cur.Load()
	next := make(map[string]*Switch, len(all))
	for i := range all {
		c := all[i].Clone()
		next[c.Key] = &c
	}
	for k, v := range old.byKey {
		if n := next[k]; n == nil || n.Version < v.Version {
			next[k] = v
		}
	}
	s.cur.Store(buildSnapshot(next, max(mark, old.Mark)))
}

// Watcher keeps a Served up to date with the store: a full load at start
// and every Reload, a load whenever Listen reports a change (PostgreSQL
// LISTEN/NOTIFY, reconnected when it drops), and a load whenever the
// store's change mark moves past the snapshot's (polled every Poll; the
// way other writers of an SQLite file are seen).
type Watcher struct {
	Served *Served
	Store  Store
	// Listen, when set, blocks delivering change notices to notify until
	// ctx ends or the connection fails. It calls ready once listening, so
	// a load then catches what was missed while it was not.
	Listen func(ctx context.Context, ready, notify func()) error
	Poll   time.Duration // 0: no mark polling
	Reload time.Duration // 0: 30 s
	Log    *slog.Logger
	// Loaded, when set, is told after every load (for tests and metrics).
	Loaded func(*Snapshot)
}

// Load reads every switch from the store into the snapshot once.
func (w *Watcher) Load(ctx context.Context) error {
	mark, err := w.Store.ChangeMark(ctx)
	if err != nil {
		return err
	}
	all, err := w.Store.ListSwitches(ctx, nil, MaxSwitches)
	if err != nil {
		return err
	}
	w.Served.Replace(all, mark)
	if w.Loaded != nil {
		w.Loaded(w.Served.Load())
	}
	return nil
}

// Run keeps the snapshot fresh until ctx ends. A failed load is logged
// and the old snapshot keeps being served: a database that is down does
// not stop evaluation.
func (w *Watcher) Run(ctx context.Context) {
	kick := make(chan struct{}, 1)
	poke := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	if w.Listen != nil {
		go w.listen(ctx, poke)
	}
	reload := w.Reload
	if reload <= 0 {
		reload = 30 * time.Second
	}
	full := time.NewTicker(reload)
	defer full.Stop()
	var poll <-chan time.Time
	if w.Poll > 0 {
		t := time.NewTicker(w.Poll)
		defer t.Stop()
		poll = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-full.C:
		case <-poll:
			mark, err := w.Store.ChangeMark(ctx)
			if err != nil || mark <= w.Served.Load().Mark {
				continue
			}
		}
		lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := w.Load(lctx); err != nil && ctx.Err() == nil {
			w.log().Warn("reload flags; serving the last snapshot", "err", err)
		}
		cancel()
	}
}

// listen runs Listen again after each failure, a second apart at first
// and up to 30 s apart.
func (w *Watcher) listen(ctx context.Context, poke func()) {
	backoff := time.Second
	for ctx.Err() == nil {
		err := w.Listen(ctx, func() { backoff = time.Second; poke() }, poke)
		if ctx.Err() != nil {
			return
		}
		w.log().Warn("flag change listener dropped; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (w *Watcher) log() *slog.Logger {
	if w.Log == nil {
		return slog.Default()
	}
	return w.Log
}
