package ofrep_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// benchClients is how many clients send requests at once.
const benchClients = 32

// load sends requests from benchClients clients over real HTTP for d and
// returns each request's latency. Every answer must have status want.
func load(b *testing.B, d time.Duration, want int, newReq func() *http.Request) []time.Duration {
	b.Helper()
	tr := &http.Transport{MaxIdleConns: 2 * benchClients, MaxIdleConnsPerHost: 2 * benchClients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var mu sync.Mutex
	var all []time.Duration
	var failed error
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				start := time.Now()
				resp, err := client.Do(newReq())
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != want {
						err = fmt.Errorf("status %d, want %d", resp.StatusCode, want)
					}
				}
				if err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if failed != nil {
		b.Fatal(failed)
	}
	return all
}

// phase is one kind of request the benchmark measures.
type phase struct {
	name    string
	want    int
	newReq  func() *http.Request
	latency []time.Duration
	spent   time.Duration
}

// rate and p99 summarise a phase.
func (p *phase) rate() float64 { return float64(len(p.latency)) / p.spent.Seconds() }

func (p *phase) p99() float64 {
	slices.Sort(p.latency)
	return float64(p.latency[len(p.latency)*99/100].Microseconds()) / 1000
}

// BenchmarkOFREP measures, in one run and on one machine, a bare net/http
// handler answering a constant (the ceiling of this machine, client and
// server sharing its cores), single evaluations, bulk evaluation of 200
// switches, and the bulk 304 path. Run it once:
//
//	go test ./internal/web/ofrep/ -run '^$' -bench BenchmarkOFREP -benchtime 1x
//
// FIREBREAK_BENCH_SECONDS sets each phase's length (default 5).
func BenchmarkOFREP(b *testing.B) {
	d := 5 * time.Second
	if s, err := strconv.Atoi(os.Getenv("FIREBREAK_BENCH_SECONDS")); err == nil && s > 0 {
		d = time.Duration(s) * time.Second
	}
	s := startSite(b, testutil.SQLiteURL(b))
	ctx := context.Background()
	admin := auth.User{Name: "ada", Role: auth.Admin}
	for i := s.srv.FlagsServed.Load().Len(); i < 200; i++ {
		_, err := s.srv.Flags.Create(ctx, admin, flag.Definition{Key: fmt.Sprintf("bench-switch-%03d", i), Service: "checkout-api",
			Rules: []flag.Rule{{Variant: "off", Conditions: []flag.Condition{
				{Attribute: "platform", Op: flag.OpEq, Value: "ios"},
				{Attribute: "appVersion", Op: flag.OpSemverLt, Value: "5." + strconv.Itoa(i%10) + ".0"}}}}})
		if err != nil {
			b.Fatal(err)
		}
	}
	if n := s.srv.FlagsServed.Load().Len(); n != 200 {
		b.Fatalf("%d switches served, want 200", n)
	}
	constant := []byte(`{"key":"new-payment-sheet","value":false,"reason":"TARGETING_MATCH","variant":"off"}`)
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(constant)
	}))
	defer bare.Close()
	body := []byte(`{"context":{"targetingKey":"user-4711","platform":"ios","appVersion":"5.1.3","country":"KR"}}`)
	post := func(url string, headers ...string) func() *http.Request {
		return func() *http.Request {
			r, _ := http.NewRequest("POST", url, bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+s.flags)
			for i := 0; i+1 < len(headers); i += 2 {
				r.Header.Set(headers[i], headers[i+1])
			}
			return r
		}
	}
	first, err := http.DefaultClient.Do(post(s.base + "/ofrep/v1/evaluate/flags")())
	if err != nil {
		b.Fatal(err)
	}
	first.Body.Close()
	etag := first.Header.Get("ETag")

	phases := []*phase{
		{name: "bare", want: 200, newReq: post(bare.URL + "/ofrep/v1/evaluate/flags/new-payment-sheet")},
		{name: "single", want: 200, newReq: post(s.base + "/ofrep/v1/evaluate/flags/new-payment-sheet")},
		{name: "bulk200", want: 200, newReq: post(s.base + "/ofrep/v1/evaluate/flags")},
		{name: "bulk304", want: 304, newReq: post(s.base+"/ofrep/v1/evaluate/flags", "If-None-Match", etag)},
	}
	// The phases take turns in half-second slices, so a machine whose load
	// changes during the run (it is shared) weighs on each alike.
	const slice = 500 * time.Millisecond
	b.ResetTimer()
	for range int(d / slice) {
		for _, p := range phases {
			p.latency = append(p.latency, load(b, slice, p.want, p.newReq)...)
			p.spent += slice
		}
	}
	b.StopTimer()
	for _, p := range phases {
		b.ReportMetric(p.rate(), p.name+"-req/s")
		b.ReportMetric(p.p99(), p.name+"-p99-ms")
	}
	b.ReportMetric(phases[1].rate()/phases[0].rate(), "single/bare")
}
