package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// BenchmarkAcceptSignals stores batches of 100 new signals, as one
// Alertmanager notification of a storm brings them.
func BenchmarkAcceptSignals(b *testing.B) {
	db := testutil.OpenStore(b, testutil.SQLiteURL(b))
	s := db.Signals()
	ctx := context.Background()
	n := 0
	b.ResetTimer()
	for range b.N {
		batch := make([]*intake.Signal, 100)
		for i := range batch {
			n++
			batch[i] = &intake.Signal{Source: "alertmanager", Fingerprint: fmt.Sprintf("fp-%d", n), Status: intake.Firing, Title: "High latency",
				Labels:   map[string]string{"alertname": "HighLatency", "instance": fmt.Sprintf("host-%d:9100", n), "service": "checkout-api"},
				StartsAt: t0, FirstSeen: t0, LastSeen: t0, Count: 1}
		}
		if err := s.AcceptSignals(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "signals/s")
}
