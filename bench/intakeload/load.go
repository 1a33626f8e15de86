package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Loopback only. intakeload sends as fast as it can for as long as it is
// told, which against anything but a Firebreak and an Alertmanager it
// started itself would be an attack, not a benchmark. So every target URL
// must name localhost or an address in 127.0.0.0/8, and the HTTP client's
// dialer refuses to connect anywhere else whatever a name resolves to.

// checkLoopback refuses a URL whose host is not localhost or in 127.0.0.0/8.
func checkLoopback(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("%s %s: intakeload only targets this machine (localhost or 127.0.0.0/8), not %q", what, u.Redacted(), u.Hostname())
	}
	return nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host).To4()
	return ip != nil && ip[0] == 127
}

// loopbackDialer connects only to 127.0.0.0/8.
var loopbackDialer = &net.Dialer{
	Timeout: 5 * time.Second,
	Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(host).To4(); ip == nil || ip[0] != 127 {
			return fmt.Errorf("intakeload refuses to connect to %s: loopback only", address)
		}
		return nil
	},
}

// newClient returns an HTTP client that keeps one connection per worker and
// connects only to loopback addresses.
func newClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil, // never through a proxy: the target is here
			DialContext:         loopbackDialer.DialContext,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			MaxConnsPerHost:     conns,
			DisableCompression:  true,
		},
	}
}

// target is where one run sends: a URL, the body of request n, and how to
// tell how many alerts a reply accepted.
type target struct {
	name    string
	url     string
	headers map[string]string
	body    func(b []byte, n int) []byte
	// accepted reads a 2xx reply and returns the number of alerts it took.
	accepted func(body []byte) (int, error)
}

// runResult is what one run against one target measured.
type runResult struct {
	Requests       int     `json:"requests"`
	Alerts         int     `json:"alerts"`
	Seconds        float64 `json:"seconds"`
	AlertsPerSec   float64 `json:"alerts_per_sec"`
	RequestsPerSec float64 `json:"requests_per_sec"`
	P50Ms          float64 `json:"p50_ms"`
	P99Ms          float64 `json:"p99_ms"`
	MaxMs          float64 `json:"max_ms"`
}

// load sends requests 0, 1, 2, … to the target from conc workers until the
// duration has passed or maxRequests were sent, whichever is first. A request
// in flight when time is up is waited for, not cut off, so every request
// counted was answered. The first failure stops the run and is returned.
func load(ctx context.Context, client *http.Client, t target, batch, conc int, duration time.Duration, maxRequests int) (runResult, error) {
	var (
		next    atomic.Int64 // the next request number to claim
		stop    atomic.Bool
		failed  error
		failMu  sync.Mutex
		alerts  atomic.Int64
		wg      sync.WaitGroup
		latency = make([][]time.Duration, conc)
	)
	fail := func(err error) {
		failMu.Lock()
		if failed == nil {
			failed = err
		}
		failMu.Unlock()
		stop.Store(true)
	}
	start := time.Now()
	timer := time.AfterFunc(duration, func() { stop.Store(true) })
	defer timer.Stop()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-ctx.Done():
			fail(ctx.Err())
		case <-finished:
		}
	}()
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for !stop.Load() {
				n := int(next.Add(1) - 1)
				if n >= maxRequests {
					stop.Store(true)
					return
				}
				buf = t.body(buf[:0], n)
				began := time.Now()
				got, err := send(client, t, buf)
				latency[w] = append(latency[w], time.Since(began))
				if err != nil {
					fail(fmt.Errorf("%s: request %d: %w", t.name, n, err))
					return
				}
				if got != batch {
					fail(fmt.Errorf("%s: request %d: %d alerts accepted of %d sent", t.name, n, got, batch))
					return
				}
				alerts.Add(int64(got))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	failMu.Lock()
	err := failed
	failMu.Unlock()
	if err != nil {
		return runResult{}, err
	}
	all := slices.Concat(latency...)
	slices.Sort(all)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	r := runResult{Requests: len(all), Alerts: int(alerts.Load()), Seconds: elapsed.Seconds()}
	if len(all) > 0 {
		r.P50Ms, r.P99Ms, r.MaxMs = ms(percentile(all, 50)), ms(percentile(all, 99)), ms(all[len(all)-1])
	}
	r.AlertsPerSec = float64(r.Alerts) / r.Seconds
	r.RequestsPerSec = float64(r.Requests) / r.Seconds
	return r, nil
}

// percentile returns the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

// send posts one body and returns how many alerts the reply accepted.
func send(client *http.Client, t target, body []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range t.headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return 0, err
	}
	if resp.StatusCode/100 != 2 {
		return 0, fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(reply))
	}
	return t.accepted(reply)
}

// firebreakAccepted reads Firebreak's {"accepted": n}.
func firebreakAccepted(reply []byte) (int, error) {
	var r struct {
		Accepted *int `json:"accepted"`
	}
	if err := json.Unmarshal(reply, &r); err != nil || r.Accepted == nil {
		return 0, fmt.Errorf("reply is not {\"accepted\": n}: %q", reply)
	}
	return *r.Accepted, nil
}

// alertmanagerAccepted returns a function that counts every alert of a 2xx
// reply as accepted: Alertmanager's v2 API answers 200 with an empty body
// once it holds all the alerts of the request.
func alertmanagerAccepted(batch int) func([]byte) (int, error) {
	return func([]byte) (int, error) { return batch, nil }
}
