package hooks_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

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
