package form

import (
	"context"
	"log/slog"
	"time"
)

// RateStore keeps the form's counted reports where every replica sees them
// (the database), so that a client gets RateLimit reports per RateWindow in
// all, not per replica.
type RateStore interface {
	Take(ctx context.Context, scope, key string, at, since time.Time, limit int) (bool, time.Time, error)
	Remove(ctx context.Context, scope, key string, at time.Time) error
}

// rateLimiter is what the handler asks before it stores a report: the
// in-memory limiter, or sharedLimiter.
type rateLimiter interface {
	reserve(client string, now time.Time) (ok bool, retryAfter time.Duration)
	release(client string, at time.Time)
}

// formScope names the form's reports in a RateStore.
const formScope = "report_form"

// sharedLimiter counts in a RateStore.
type sharedLimiter struct {
	store  RateStore
	limit  int
	window time.Duration
	log    *slog.Logger
}

// reserve takes one report for client at now. When the store cannot be
// reached it refuses for a minute: storing the report needs the same
// database, and an unlimited form is what the limit is there to prevent.
func (l *sharedLimiter) reserve(client string, now time.Time) (bool, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ok, oldest, err := l.store.Take(ctx, formScope, client, now, now.Add(-l.window), l.limit)
	if err != nil {
		l.log.Warn("report form: count reports", "err", err)
		return false, time.Minute
	}
	if !ok {
		return false, max(oldest.Add(l.window).Sub(now), time.Second)
	}
	return true, 0
}

func (l *sharedLimiter) release(client string, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.store.Remove(ctx, formScope, client, at); err != nil {
		l.log.Warn("report form: give back a report", "err", err)
	}
}
