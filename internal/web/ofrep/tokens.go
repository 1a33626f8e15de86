package ofrep

import (
	"context"
	"sync"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// TokenCache remembers tokens the database accepted, so that evaluating
// switches needs no database round trip per request and keeps working
// while the database is down. A revoked token is refused at most TTL
// later; while the database cannot be asked, tokens it accepted within
// Stale keep working.
type TokenCache struct {
	Auth  Authenticator
	Now   func() time.Time
	TTL   time.Duration // default 30 s
	Stale time.Duration // default 15 min

	mu      sync.RWMutex
	entries map[string]cached // by token hash, never by secret
}

type cached struct {
	user    auth.User
	checked time.Time
}

// maxCached bounds the cache; past it the cache starts over.
const maxCached = 10000

// Authenticate returns who the token acts for, from the cache when it was
// checked within TTL.
func (c *TokenCache) Authenticate(ctx context.Context, secret string) (auth.User, error) {
	hash := auth.HashToken(secret)
	now := c.now()
	c.mu.RLock()
	e, ok := c.entries[hash]
	c.mu.RUnlock()
	if ok && now.Sub(e.checked) < c.ttl() {
		return e.user, nil
	}
	u, err := c.Auth.Authenticate(ctx, secret)
	if err != nil {
		if ok && fail.CodeOf(err) == fail.Internal && now.Sub(e.checked) < c.stale() {
			return e.user, nil // the database is unreachable: trust the recent answer
		}
		if ok {
			c.mu.Lock()
			delete(c.entries, hash)
			c.mu.Unlock()
		}
		return auth.User{}, err
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= maxCached {
		c.entries = map[string]cached{}
	}
	c.entries[hash] = cached{user: u, checked: now}
	c.mu.Unlock()
	return u, nil
}

func (c *TokenCache) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *TokenCache) ttl() time.Duration {
	if c.TTL <= 0 {
		return 30 * time.Second
	}
	return c.TTL
}

func (c *TokenCache) stale() time.Duration {
	if c.Stale <= 0 {
		return 15 * time.Minute
	}
	return c.Stale
}
