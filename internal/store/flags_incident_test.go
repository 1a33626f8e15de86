package store_test

import (
	"context"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// TestFlipWithTimelineEvent: a flip through UpdateSwitchWithEvent stores
// the switch, its revision, its audit entry and the timeline event
// together; when the event cannot be written (an incident that does not
// exist), none of them is.
func TestFlipWithTimelineEvent(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := flagService(db, flag.NewServed())
		if _, err := svc.Create(ctx, paymentsResponder, paymentSheetDef()); err != nil {
			t.Fatal(err)
		}
		inc := newIncident("sheet crashes", incident.SEV2, incident.Internal, "checkout-api")
		if err := db.Incidents().CreateIncident(ctx, inc, nil); err != nil {
			t.Fatal(err)
		}
		flipper := func(incidentID int64) *flag.Service {
			s := *svc
			s.Store = eventFlags{db.Flags(), func(sw flag.Switch, rev flag.Revision) *incident.Event {
				return &incident.Event{IncidentID: incidentID, Kind: flag.EventFlipped, Actor: rev.Actor, At: rev.At,
					Data: map[string]any{"key": sw.Key, "to": rev.To}}
			}}
			return &s
		}
		audits := func() int {
			var n int
			if err := db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'flag.flip'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		_, _, err := flipper(inc.ID+1000).Flip(ctx, paymentsResponder, "new-payment-sheet", flag.FlipRequest{To: "off", Reason: "x", Incident: "INC-1"})
		if err == nil {
			t.Fatal("a flip whose event names no incident was stored")
		}
		sw, _ := db.Flags().GetSwitch(ctx, "new-payment-sheet")
		revs, _ := db.Flags().Revisions(ctx, "new-payment-sheet", 10)
		if sw.Flipped() || sw.Version != 1 || len(revs) != 1 || audits() != 0 {
			t.Fatalf("a failed event left the flip behind: %+v, %d revisions, %d audits", sw, len(revs), audits())
		}

		sw, rev, err := flipper(inc.ID).Flip(ctx, paymentsResponder, "new-payment-sheet", flag.FlipRequest{To: "off", Reason: "sheet crashes", Incident: "INC-1"})
		if err != nil || sw.State != "off" || rev.Incident != "INC-1" || audits() != 1 {
			t.Fatalf("flip: %+v %+v %v (%d audits)", sw, rev, err, audits())
		}
		evs, err := db.Incidents().ListEvents(ctx, inc.ID, 0, 10)
		if err != nil || len(evs) != 1 || evs[0].Kind != flag.EventFlipped || evs[0].Data["key"] != "new-payment-sheet" || evs[0].Actor != paymentsResponder.Name {
			t.Fatalf("timeline: %+v %v", evs, err)
		}
	})
}

// eventFlags is the flag store whose changes append event's result.
type eventFlags struct {
	*store.Flags
	event func(flag.Switch, flag.Revision) *incident.Event
}

func (e eventFlags) UpdateSwitch(ctx context.Context, key string, change flag.Change) (flag.Switch, flag.Revision, error) {
	return e.UpdateSwitchWithEvent(ctx, key, change, e.event)
}
