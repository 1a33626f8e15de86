package hooks_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// BenchmarkAlertmanagerHook posts one-alert notifications with distinct
// fingerprints through the whole handler (auth, parse, durable write) from
// parallel senders, on SQLite.
func BenchmarkAlertmanagerHook(b *testing.B) {
	f := startFirebreak(b, testutil.SQLiteURL(b))
	var n atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := amPayload("firing", amAlert("firing", fmt.Sprintf("bench-%d", i),
				map[string]string{"alertname": "Bench", "instance": fmt.Sprintf("h%d", i)}))
			req := httptest.NewRequest("POST", "/hooks/alertmanager", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer am-token")
			w := httptest.NewRecorder()
			f.srv.Handler.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "alerts/s")
}

// BenchmarkAlertmanagerHookHTTP is the same over real loopback HTTP, with 8
// senders each keeping one connection, as the load tool sends.
func BenchmarkAlertmanagerHookHTTP(b *testing.B) {
	f := startFirebreakWith(b, server.Options{DatabaseURL: testutil.SQLiteURL(b), IntakeJournal: os.Getenv("FIREBREAK_BENCH_JOURNAL")})
	var n atomic.Int64
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0))) // 8 senders with GOMAXPROCS up to 8
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := amPayload("firing", amAlert("firing", fmt.Sprintf("bench-%d", i),
				map[string]string{"alertname": "Bench", "instance": fmt.Sprintf("h%d", i)}))
			req, _ := http.NewRequest("POST", f.base+"/hooks/alertmanager", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer am-token")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "alerts/s")
}
