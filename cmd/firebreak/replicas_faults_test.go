package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// replicaFaults is the second half of TestThreeReplicas: the same three
// replicas, now with a replica killed and the database stopped.
func replicaFaults(t *testing.T, c *cluster) {
	t.Run("kill -9 during an alert storm loses no acknowledged alert", func(t *testing.T) {
		var mu sync.Mutex
		var accepted []string
		var sent, refused int
		stop := make(chan struct{})
		var wg sync.WaitGroup
		// Two senders per replica, ten alerts a webhook: a modest storm for
		// a shared two-core machine.
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Timeout: 5 * time.Second}
				base := c.replicas[w%3].base
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					fps := make([]string, 10)
					for j := range fps {
						fps[j] = fmt.Sprintf("replica-storm-%d-%d-%d", w, i, j)
					}
					code := sendAlerts(client, base, fps)
					mu.Lock()
					sent++
					if code >= 200 && code < 300 {
						accepted = append(accepted, fps...)
					} else {
						refused++
					}
					mu.Unlock()
					if code == 0 {
						return // its replica is gone
					}
				}
			}()
		}
		count := func() int { mu.Lock(); defer mu.Unlock(); return len(accepted) }
		waitUntil(t, "the storm to get going", 30*time.Second, func() bool { return count() >= 600 })
		c.kill(t, 2)
		atKill := count()
		time.Sleep(2 * time.Second) // the survivors keep taking the storm
		close(stop)
		wg.Wait()
		missing, doubled := storedOnce(t, c.db, accepted)
		t.Logf("%d webhooks sent, %d alerts acknowledged (%d before the kill), %d webhooks not acknowledged",
			sent, len(accepted), atKill, refused)
		if missing > 0 || doubled > 0 {
			t.Fatalf("of %d acknowledged alerts %d are not stored and %d stored twice", len(accepted), missing, doubled)
		}
		c.replicas[2] = c.restart(t)
	})

	t.Run("kill -9 of a sending replica: the survivors deliver each message once", func(t *testing.T) {
		handledBefore := len(c.hook.Handled())
		c.hook.SetDelay(time.Second) // every delivery is in flight at the kill
		defer c.hook.SetDelay(0)
		ref := c.declare(t, 1, "Batch payments fail", "SEV2")
		// Kill the replica that holds the most of the batch's deliveries,
		// while they wait on the slow receiver.
		victim, running := -1, 0
		waitUntil(t, "deliveries in flight", 30*time.Second, func() bool {
			victim, running = c.sender(t)
			return running >= 2
		})
		c.kill(t, victim)
		killedAt := time.Now()
		waitUntil(t, "every webhook of the batch", 120*time.Second, func() bool {
			return len(c.hook.Handled()) >= handledBefore+replicaPartners
		})
		for key, n := range c.hook.Deliveries() {
			if n > 2 {
				t.Errorf("webhook %s arrived %d times", key, n)
			}
		}
		if n := len(c.hook.Handled()) - handledBefore; n != replicaPartners {
			t.Errorf("%d partners handled the batch, want %d", n, replicaPartners)
		}
		waitUntil(t, "every message of the batch marked sent", 120*time.Second, func() bool {
			var pending int
			_ = c.db.QueryRow("SELECT COUNT(*) FROM outbound_messages WHERE status <> 'sent' AND incident_id = $1",
				strings.TrimPrefix(ref, "INC-")).Scan(&pending)
			return pending == 0
		})
		// SMTP has no idempotency key: a mail whose sending replica died
		// before it recorded the sink's answer is sent again, with the same
		// Message-ID, which mail clients show once.
		ids := map[string]int{}
		for _, m := range c.sink.Messages() {
			if strings.Contains(m.Subject(), ref+" ") {
				ids[m.Header.Get("Message-ID")]++
			}
		}
		if len(ids) != 2 {
			t.Errorf("%d distinct mails of the batch, want 2 (team and support): %v", len(ids), ids)
		}
		for id, n := range ids {
			if n > 2 {
				t.Errorf("mail %s arrived %d times", id, n)
			}
		}
		t.Logf("replica %d killed with %d deliveries running; the batch finished %s after it; %d keys arrived twice (a retry the receiver recognised)",
			victim, running, time.Since(killedAt).Round(time.Second), twice(c.hook.Deliveries()))
		t.Logf("mails of the batch by Message-ID: %v", ids)
		c.replicas[victim] = c.restart(t)
	})

	t.Run("PostgreSQL stopped for 10 s: not ready, 503, then everything resumes", func(t *testing.T) {
		ref := c.declare(t, 0, "Outage watch", "SEV3")
		viewer := signIn(t, c.replicas[0].base, "ops", "correct horse battery")
		live := openLive(t, viewer, c.replicas[0].base, ref, "")
		if status, _ := api(t, c.replicas[2].base, c.token, "POST", "/api/v1/incidents/"+ref+"/notes", map[string]any{"text": "before the outage"}); status != 201 {
			t.Fatalf("note before the outage: %d", status)
		}
		live.waitFor(t, "before the outage", 10*time.Second)

		c.pg.Stop(t)
		down := time.Now()
		client := &http.Client{Timeout: 5 * time.Second}
		var accepted []string
		codes := map[int]int{}
		notReady := map[int]bool{}
		for i := 0; time.Since(down) < 10*time.Second; i++ {
			for r := range c.replicas {
				if c.ready(r) == http.StatusServiceUnavailable {
					notReady[r] = true
				}
				fps := []string{fmt.Sprintf("outage-%d-%d", r, i)}
				code := sendAlerts(client, c.replicas[r].base, fps)
				codes[code]++
				if code >= 200 && code < 300 {
					accepted = append(accepted, fps...)
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
		c.pg.Start(t)
		up := time.Now()
		t.Logf("intake answers while the database was down: %v", codes)
		for r := range c.replicas {
			if !notReady[r] {
				t.Errorf("replica %d never said not-ready while the database was down", r)
			}
		}
		for code, n := range codes {
			if code != http.StatusServiceUnavailable {
				t.Errorf("intake answered %d (%d times) with the database down, want only 503", code, n)
			}
		}
		for r := range c.replicas {
			waitUntil(t, fmt.Sprintf("replica %d ready again", r), 60*time.Second, func() bool { return c.ready(r) == 200 })
		}
		t.Logf("all replicas ready %s after the database came back", time.Since(up).Round(time.Millisecond))
		// Intake takes alerts again on every replica, with no restart.
		var after []string
		for r := range c.replicas {
			fps := []string{fmt.Sprintf("after-outage-%d", r)}
			waitUntil(t, fmt.Sprintf("intake on replica %d", r), 30*time.Second, func() bool {
				return sendAlerts(client, c.replicas[r].base, fps) == 200
			})
			after = append(after, fps...)
		}
		if missing, doubled := storedOnce(t, c.db, append(after, accepted...)); missing > 0 || doubled > 0 {
			t.Errorf("after the outage %d acknowledged alerts are missing, %d doubled", missing, doubled)
		}
		// Deliveries continue: a declaration's messages go out.
		handled := len(c.hook.Handled())
		outageRef := c.declare(t, 2, "After the outage", "SEV2")
		waitUntil(t, "deliveries after the outage", 60*time.Second, func() bool {
			return len(c.hook.Handled()) >= handled+replicaPartners && len(mailsBySubject(c.sink, outageRef+" ")) >= 2
		})
		// The live view: the stream ended with the database; the browser
		// reconnects with the last event's id and gets what came since.
		live.mu.Lock()
		last := live.lastID
		live.mu.Unlock()
		reconnected := live.ended.Load()
		if reconnected {
			t.Logf("the live stream ended with the database; reconnecting after event %s", last)
			live = openLive(t, viewer, c.replicas[0].base, ref, last)
		}
		status, _ := api(t, c.replicas[1].base, c.token, "POST", "/api/v1/incidents/"+ref+"/notes", map[string]any{"text": "after the outage"})
		if status != 201 {
			t.Fatalf("note after the outage: %d", status)
		}
		live.waitFor(t, "after the outage", 10*time.Second)
		if reconnected {
			live.mu.Lock()
			for data := range live.seen {
				if strings.Contains(data, "before the outage") {
					t.Error("the reconnected stream sent again what the viewer had seen")
				}
			}
			live.mu.Unlock()
		}
	})
}
