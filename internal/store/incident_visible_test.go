package store_test

import (
	"context"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// A restricted incident looked up by someone who is not its member is not
// found by the query itself, with the answer a missing id gets.
func TestGetVisibleIncident(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := db.Incidents()
		secret := newIncident("Leaked credentials", incident.SEV1, incident.Restricted, "ledger") // alice is its member
		open := newIncident("Slow checkout", incident.SEV3, incident.Internal, "checkout-api")
		for _, inc := range []*incident.Incident{secret, open} {
			if err := s.CreateIncident(ctx, inc, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			id     int64
			viewer string
			seeAll bool
			found  bool
		}{
			{secret.ID, "alice", false, true},
			{secret.ID, "bob", false, false},
			{secret.ID, "bob", true, true},
			{open.ID, "bob", false, true},
			{open.ID + 100, "alice", true, false},
		} {
			got, err := s.GetVisibleIncident(ctx, c.id, c.viewer, c.seeAll)
			if c.found {
				if err != nil || got.ID != c.id || len(got.Members) == 0 && c.id == secret.ID {
					t.Errorf("%d for %s: %v, %v", c.id, c.viewer, got, err)
				}
				continue
			}
			if fail.CodeOf(err) != fail.NotFound || got != nil {
				t.Errorf("%d for %s (all %v): %v, %v; want not found", c.id, c.viewer, c.seeAll, got, err)
			}
		}
	})
}

// BenchmarkGetVisibleIncident compares looking up a restricted incident the
// viewer may not see with looking up an id never used: they should cost the
// same (docs/access.md).
func BenchmarkGetVisibleIncident(b *testing.B) {
	for _, dbName := range []string{"sqlite", "postgres"} {
		url := testutil.SQLiteURL(b)
		if dbName == "postgres" {
			url = testutil.PostgresURL(b)
		}
		db := testutil.OpenStore(b, url)
		ctx := context.Background()
		secret := newIncident("Leaked credentials", incident.SEV1, incident.Restricted, "ledger")
		if err := db.Incidents().CreateIncident(ctx, secret, nil); err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct {
			name string
			id   int64
		}{{"restricted", secret.ID}, {"missing", secret.ID + 1000}} {
			b.Run(dbName+"/"+c.name, func(b *testing.B) {
				for b.Loop() {
					if _, err := db.Incidents().GetVisibleIncident(ctx, c.id, "bob", false); fail.CodeOf(err) != fail.NotFound {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
