package form

import (
	"sync"
	"time"
)

// maxClients bounds how many client addresses the limiter remembers. Past
// it, the client longest quiet is forgotten: someone who holds that many
// addresses gets round the limit anyway.
const maxClients = 10000

// limiter allows at most limit events per client in any window (a sliding
// window log). It keeps everything in memory, so each replica limits on
// its own; for a form meant for humans that is close enough.
type limiter struct {
	limit  int
	window time.Duration
	max    int // clients remembered

	mu        sync.Mutex
	clients   map[string][]time.Time // times of the events within the window, oldest first
	lastSweep time.Time
}

func newLimiter(limit int, window time.Duration) *limiter {
	return &limiter{limit: limit, window: window, max: maxClients, clients: map[string][]time.Time{}}
}

// reserve takes one event for client at now. When the client is at its
// limit it returns false and how long until the oldest event leaves the
// window.
func (l *limiter) reserve(client string, now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	times := l.live(l.clients[client], now)
	if len(times) >= l.limit {
		l.clients[client] = times
		return false, times[0].Add(l.window).Sub(now)
	}
	if _, known := l.clients[client]; !known && len(l.clients) >= l.max {
		l.evictQuietest()
	}
	l.clients[client] = append(times, now)
	return true, 0
}

// release gives back the event reserve took at at, for a request that ended
// storing nothing (a mistake in the form, a store failure).
func (l *limiter) release(client string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	times := l.clients[client]
	for i := len(times) - 1; i >= 0; i-- {
		if times[i].Equal(at) {
			times = append(times[:i], times[i+1:]...)
			break
		}
	}
	if len(times) == 0 {
		delete(l.clients, client)
		return
	}
	l.clients[client] = times
}

// live drops the times that left the window.
func (l *limiter) live(times []time.Time, now time.Time) []time.Time {
	cut := now.Add(-l.window)
	i := 0
	for i < len(times) && !times[i].After(cut) {
		i++
	}
	return times[i:]
}

// sweep forgets clients whose events all left the window, at most once a
// window, so memory follows the clients of the last window only.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.window {
		return
	}
	l.lastSweep = now
	for c, times := range l.clients {
		if len(l.live(times, now)) == 0 {
			delete(l.clients, c)
		}
	}
}

func (l *limiter) evictQuietest() {
	var quiet string
	var last time.Time
	for c, times := range l.clients {
		if t := times[len(times)-1]; quiet == "" || t.Before(last) {
			quiet, last = c, t
		}
	}
	delete(l.clients, quiet)
}

// size is how many clients the limiter remembers.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}
