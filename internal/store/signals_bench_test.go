package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
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

// BenchmarkAcceptJournaledRouted is the intake journal's applier in a storm
// of one-alert requests: transactions of 300 new signals (fingerprints
// spread like Alertmanager's hashes), each routed on arrival into one open
// incident with its join event.
func BenchmarkAcceptJournaledRouted(b *testing.B) {
	db := testutil.OpenStore(b, testutil.SQLiteURL(b))
	ctx := context.Background()
	cfg, err := intake.ParseConfig("bench.yaml", []byte(arrivalRoutes), nil)
	if err != nil {
		b.Fatal(err)
	}
	router := &intake.Router{Config: cfg, Now: func() time.Time { return t0 }}
	inc := newIncident("storm", incident.SEV2, incident.Internal)
	if err := db.Incidents().CreateIncident(ctx, inc, nil); err != nil {
		b.Fatal(err)
	}
	group := fmt.Sprintf("route@%d|alertname=HighLatency", cfg.Routes[0].Line)
	if err := db.Signals().SetGroupIncident(ctx, group, inc.ID); err != nil {
		b.Fatal(err)
	}
	const size = 300
	n := 0
	b.ResetTimer()
	for i := range b.N {
		batch := make([]*intake.Signal, size)
		for j := range batch {
			n++
			labels := map[string]string{"alertname": "HighLatency", "instance": fmt.Sprintf("host-%d:9100", n), "service": "checkout-api"}
			batch[j] = &intake.Signal{Source: "alertmanager", Fingerprint: intake.Fingerprint(labels, nil), Status: intake.Firing,
				Title: "High latency", Labels: labels, StartsAt: t0, FirstSeen: t0, LastSeen: t0, Count: 1}
		}
		if err := db.Signals().AcceptJournaled(ctx, batch, "bench", int64(i+1), router); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "signals/s")
}
