package testutil

import (
	"context"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// EventsOfKind returns an incident's timeline events of one kind, oldest
// first (from its first 1,000 events).
func EventsOfKind(t testing.TB, db *store.DB, incidentID int64, kind incident.EventKind) []incident.Event {
	t.Helper()
	evs, err := db.Incidents().ListEvents(context.Background(), incidentID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []incident.Event
	for _, ev := range evs {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}
