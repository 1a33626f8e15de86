package main

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestMeasureReplicas measures one replica against three on this machine,
// each on a PostgreSQL cluster of its own: alerts per second through the
// Alertmanager webhook (8 senders, 10 new alerts a webhook, spread over the
// replicas), and declare → delivered, from the API's 201 to the last of the
// declaration's messages (2 mails, 12 webhooks) at the peers. It is a
// measurement, not a check: it runs only with FIREBREAK_BENCH_REPLICAS=1,
// and its figures go in docs/benchmarks.md.
func TestMeasureReplicas(t *testing.T) {
	if os.Getenv("FIREBREAK_BENCH_REPLICAS") == "" {
		t.Skip("a measurement: set FIREBREAK_BENCH_REPLICAS=1 to run it")
	}
	for _, n := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d replicas", n), func(t *testing.T) {
			c := startReplicas(t, n)
			rate := measureIntake(t, c, 10*time.Second)
			lat := measureDeclare(t, c, 12)
			t.Logf("%d replicas: %.0f alerts/s; declare → delivered p50 %s, max %s",
				n, rate, lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
		})
	}
}

// measureIntake storms the replicas for d and returns alerts acknowledged
// per second.
func measureIntake(t *testing.T, c *cluster, d time.Duration) float64 {
	t.Helper()
	var mu sync.Mutex
	accepted := 0
	var wg sync.WaitGroup
	start := time.Now()
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 10 * time.Second}
			for i := 0; time.Since(start) < d; i++ {
				fps := make([]string, 10)
				for j := range fps {
					fps[j] = fmt.Sprintf("measure-%d-%d-%d", w, i, j)
				}
				if code := sendAlerts(client, c.replicas[(w+i)%len(c.replicas)].base, fps); code != 200 {
					t.Errorf("intake answered %d", code)
					return
				}
				mu.Lock()
				accepted += len(fps)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return float64(accepted) / time.Since(start).Seconds()
}

// measureDeclare declares n incidents one after another, through each
// replica in turn, and returns each one's declare → delivered time, sorted.
func measureDeclare(t *testing.T, c *cluster, n int) []time.Duration {
	t.Helper()
	time.Sleep(2 * time.Second) // let routing of the storm settle
	var out []time.Duration
	for i := range n {
		hooks := len(c.hook.Handled())
		start := time.Now()
		ref := c.declare(t, i%len(c.replicas), fmt.Sprintf("Measure %d payments fail", i), "SEV2")
		deadline := time.Now().Add(60 * time.Second)
		for len(c.hook.Handled()) < hooks+replicaPartners || len(mailsBySubject(c.sink, ref+" ")) < 2 {
			if time.Now().After(deadline) {
				t.Fatalf("%s not delivered within a minute", ref)
			}
			time.Sleep(2 * time.Millisecond)
		}
		out = append(out, time.Since(start))
	}
	slices.Sort(out)
	return out
}
