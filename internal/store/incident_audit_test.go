package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// An incident change and its audit entries commit together: a change that
// fails leaves no entry, and one that is stored has its entry.
func TestChangeIncidentWritesAuditInItsTransaction(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := db.Incidents()
		inc := newIncident("Restricted ledger access", incident.SEV2, incident.Internal, "ledger")
		if err := s.CreateIncident(ctx, inc, nil); err != nil {
			t.Fatal(err)
		}
		entry := func() *auth.AuditEntry {
			return auth.NewAuditEntry(t0, "alice", "incident.visibility", inc.Ref(),
				map[string]any{"visibility": "internal"}, map[string]any{"visibility": "restricted"})
		}
		audited := func() int {
			var n int
			if err := db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE target = '"+inc.Ref()+"'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		refused := errors.New("refused after the entry was named")
		_, err := s.ChangeIncident(ctx, inc.ID, func(i *incident.Incident) (incident.Changes, error) {
			i.Visibility = incident.Restricted
			return incident.Changes{Audit: []*auth.AuditEntry{entry()}}, refused
		})
		if !errors.Is(err, refused) {
			t.Fatalf("change: %v", err)
		}
		if n := audited(); n != 0 {
			t.Fatalf("a failed change left %d audit entries", n)
		}

		first := entry()
		if _, err := s.ChangeIncident(ctx, inc.ID, func(i *incident.Incident) (incident.Changes, error) {
			i.Visibility = incident.Restricted
			return incident.Changes{Audit: []*auth.AuditEntry{first}}, nil
		}); err != nil {
			t.Fatal(err)
		}
		if n := audited(); n != 1 || first.ID == 0 {
			t.Fatalf("a stored change has %d audit entries (id %d)", n, first.ID)
		}
		got, err := s.GetIncident(ctx, inc.ID)
		if err != nil || got.Visibility != incident.Restricted {
			t.Fatalf("visibility %v, %v", got, err)
		}
	})
}
