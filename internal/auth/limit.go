package auth

import (
	"sync"
	"time"
)

// maxLimiterKeys bounds the memory of a LoginLimiter; past it the keys whose
// failures are all older than the window are dropped, and then the limiter
// refuses new keys' attempts until some age out (failing closed).
const maxLimiterKeys = 20000

// LoginLimiter counts failed sign-ins per key (a client address, a user
// name) and refuses a key that failed Limit times within Window. It lives in
// one replica's memory: each replica limits on its own, which still bounds
// password guessing to Limit × replicas per Window.
type LoginLimiter struct {
	Limit  int
	Window time.Duration

	mu       sync.Mutex
	failures map[string][]time.Time
}

// NewLoginLimiter returns a limiter of limit failures per window.
func NewLoginLimiter(limit int, window time.Duration) *LoginLimiter {
	return &LoginLimiter{Limit: limit, Window: window, failures: map[string][]time.Time{}}
}

// Blocked reports whether any of the keys is at its limit at now, and how
// long until it may try again.
func (l *LoginLimiter) Blocked(now time.Time, keys ...string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		times := l.live(k, now)
		if len(times) >= l.Limit {
			wait = max(wait, times[0].Add(l.Window).Sub(now))
		}
	}
	if wait == 0 && len(l.failures) >= maxLimiterKeys {
		for _, k := range keys {
			if _, known := l.failures[k]; !known {
				return true, l.Window
			}
		}
	}
	return wait > 0, wait
}

// Fail counts a failed sign-in against every key.
func (l *LoginLimiter) Fail(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) >= maxLimiterKeys {
		for k := range l.failures {
			if len(l.live(k, now)) == 0 {
				delete(l.failures, k)
			}
		}
	}
	for _, k := range keys {
		if _, known := l.failures[k]; !known && len(l.failures) >= maxLimiterKeys {
			continue
		}
		l.failures[k] = append(l.live(k, now), now)
	}
}

// Succeed forgets the failures of a key (the user name that just signed in).
func (l *LoginLimiter) Succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

// live returns the key's failures within the window at now, dropping older ones.
func (l *LoginLimiter) live(key string, now time.Time) []time.Time {
	times := l.failures[key]
	i := 0
	for i < len(times) && !now.Before(times[i].Add(l.Window)) {
		i++
	}
	if i == len(times) {
		delete(l.failures, key)
		return nil
	}
	l.failures[key] = times[i:]
	return times[i:]
}
