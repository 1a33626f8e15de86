package testutil

import (
	"testing"
	"time"
)

// WaitFor polls cond until it holds, failing the test (naming what it
// waited for) after 30 seconds: work done by queued jobs or by a peer
// arrives a moment later, and a loaded machine must not fail the test.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after 30s waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
