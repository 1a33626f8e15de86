package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestJournalOffsetsPerJournal: two replicas' intake journals applied to
// one database keep their own offsets, each written with its signals.
func TestJournalOffsetsPerJournal(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		signals := testutil.OpenStore(t, url).Signals()
		sig := func(fp string) []*intake.Signal {
			now := time.Now().UTC()
			return []*intake.Signal{{Source: "alertmanager", Fingerprint: fp, Status: intake.Firing, Title: fp,
				Labels: map[string]string{"alertname": fp}, StartsAt: now, FirstSeen: now, LastSeen: now}}
		}
		if n, err := signals.JournalApplied(ctx, "replica-a"); err != nil || n != 0 {
			t.Fatalf("unused journal: %d %v", n, err)
		}
		if err := signals.AcceptJournaled(ctx, sig("a1"), "replica-a", 120, nil); err != nil {
			t.Fatal(err)
		}
		if err := signals.AcceptJournaled(ctx, sig("b1"), "replica-b", 40, nil); err != nil {
			t.Fatal(err)
		}
		if err := signals.AcceptJournaled(ctx, sig("a2"), "replica-a", 250, nil); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[string]int64{"replica-a": 250, "replica-b": 40} {
			if n, err := signals.JournalApplied(ctx, id); err != nil || n != want {
				t.Errorf("%s applied %d (%v), want %d", id, n, err, want)
			}
		}
		var stored int
		if err := testutil.OpenStore(t, url).SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM signals").Scan(&stored); err != nil || stored != 3 {
			t.Fatalf("signals stored: %d %v", stored, err)
		}
	})
}
