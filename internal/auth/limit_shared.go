package auth

import (
	"context"
	"log/slog"
	"time"
)

// LimitStore keeps counted events where every replica sees them (the
// database). Scope separates one limit's events from another's.
type LimitStore interface {
	Count(ctx context.Context, scope, key string, since time.Time) (int, time.Time, error)
	Add(ctx context.Context, scope string, keys []string, at time.Time) error
	Remove(ctx context.Context, scope, key string, at time.Time) error
}

// loginScope names failed sign-ins in a LimitStore.
const loginScope = "login"

// limitTimeout bounds one look at the store: a sign-in waits no longer.
const limitTimeout = 5 * time.Second

// SharedLoginLimiter is LoginLimiter with the failures kept in a store that
// every replica shares, so that failures spread over replicas count
// together: Limit per Window in all, not per replica.
type SharedLoginLimiter struct {
	Limit  int
	Window time.Duration
	Store  LimitStore
	Log    *slog.Logger
}

// Blocked reports whether any of the keys is at its limit at now, and how
// long until it may try again. When the store cannot be read it says not
// blocked: the sign-in itself needs the same database and fails anyway.
func (l *SharedLoginLimiter) Blocked(now time.Time, keys ...string) (bool, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), limitTimeout)
	defer cancel()
	var wait time.Duration
	for _, k := range keys {
		n, oldest, err := l.Store.Count(ctx, loginScope, k, now.Add(-l.Window))
		if err != nil {
			l.log().Warn("read sign-in failures", "err", err)
			return false, 0
		}
		if n >= l.Limit {
			wait = max(wait, oldest.Add(l.Window).Sub(now))
		}
	}
	return wait > 0, wait
}

// Fail counts a failed sign-in against every key.
func (l *SharedLoginLimiter) Fail(now time.Time, keys ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), limitTimeout)
	defer cancel()
	if err := l.Store.Add(ctx, loginScope, keys, now); err != nil {
		l.log().Warn("record a failed sign-in", "err", err)
	}
}

// Succeed forgets the failures of a key (the user name that just signed in).
func (l *SharedLoginLimiter) Succeed(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), limitTimeout)
	defer cancel()
	if err := l.Store.Remove(ctx, loginScope, key, time.Time{}); err != nil {
		l.log().Warn("forget sign-in failures", "err", err)
	}
}

func (l *SharedLoginLimiter) log() *slog.Logger {
	if l.Log == nil {
		return slog.Default()
	}
	return l.Log
}
