package form

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiterWindow(t *testing.T) {
	l := newLimiter(2, time.Minute)
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for i, c := range []struct {
		client string
		at     time.Duration
		ok     bool
		wait   time.Duration
	}{
		{"a", 0, true, 0},
		{"a", 10 * time.Second, true, 0},
		{"a", 20 * time.Second, false, 40 * time.Second},
		{"b", 20 * time.Second, true, 0},
		{"a", 60 * time.Second, true, 0}, // the first left the window
		{"a", 65 * time.Second, false, 5 * time.Second},
	} {
		ok, wait := l.reserve(c.client, t0.Add(c.at))
		if ok != c.ok || wait != c.wait {
			t.Errorf("step %d: reserve(%s, +%s) = %v, %s; want %v, %s", i, c.client, c.at, ok, wait, c.ok, c.wait)
		}
	}
	l.release("a", t0.Add(60*time.Second))
	if ok, _ := l.reserve("a", t0.Add(66*time.Second)); !ok {
		t.Error("a released event was not given back")
	}
}

func TestLimiterBounded(t *testing.T) {
	l := newLimiter(1, time.Minute)
	l.max = 100
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for i := range 1000 {
		l.reserve(fmt.Sprint("client-", i), t0.Add(time.Duration(i)*time.Millisecond))
	}
	if n := l.size(); n > 100 {
		t.Errorf("remembers %d clients, want at most 100", n)
	}
	// The newest client is still limited; the oldest was forgotten.
	if ok, _ := l.reserve("client-999", t0.Add(time.Second)); ok {
		t.Error("the newest client was forgotten")
	}
	// After a window everything quiet is swept.
	l.reserve("late", t0.Add(2*time.Minute))
	if n := l.size(); n != 1 {
		t.Errorf("after a quiet window it remembers %d clients, want 1", n)
	}
}
