package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/store"
)

const arrivalRoutes = `
intake:
  routes:
    - match: {service: checkout-api}
      service: checkout-api
      grade: SEV2
      action: declare
    - match: {team: web}
      grade: SEV3
      action: triage
`

// TestAcceptJournaledRoutesOnArrival: signals applied from the journal are
// stored routed when their place needs no declaration (their group's open
// incident, with a join event, or the triage inbox); one that must declare
// an incident, and every repeat, is left for the routing job.
func TestAcceptJournaledRoutesOnArrival(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cfg, err := intake.ParseConfig("firebreak.yaml", []byte(arrivalRoutes), nil)
		if err != nil {
			t.Fatal(err)
		}
		router := &intake.Router{Config: cfg, Now: func() time.Time { return t0 }}
		group := func(alertname string) string {
			return fmt.Sprintf("route@%d|alertname=%s", cfg.Routes[0].Line, alertname)
		}
		open, resolved := newIncident("결제 지연", incident.SEV2, incident.Internal), newIncident("old errors", incident.SEV2, incident.Internal)
		resolved.Status = incident.Resolved
		for key, inc := range map[string]*incident.Incident{group("Latency"): open, group("Errors"): resolved} {
			if err := db.Incidents().CreateIncident(ctx, inc, nil); err != nil {
				t.Fatal(err)
			}
			if err := db.Signals().SetGroupIncident(ctx, key, inc.ID); err != nil {
				t.Fatal(err)
			}
		}
		sig := func(fp string, labels map[string]string) *intake.Signal {
			return &intake.Signal{Source: "alertmanager", Fingerprint: fp, Status: intake.Firing, Title: "경보 " + fp,
				Labels: labels, StartsAt: t0, FirstSeen: t0, LastSeen: t0, Count: 1}
		}
		// A signal stored before, unrouted, and now repeated.
		if err := db.Signals().AcceptSignals(ctx, []*intake.Signal{sig("known", map[string]string{"alertname": "Latency", "service": "checkout-api"})}); err != nil {
			t.Fatal(err)
		}
		batch := []*intake.Signal{
			sig("latency-1", map[string]string{"alertname": "Latency", "service": "checkout-api"}),
			sig("errors-1", map[string]string{"alertname": "Errors", "service": "checkout-api"}),
			sig("web-1", map[string]string{"alertname": "Slow", "team": "web"}),
			sig("stray-1", map[string]string{"alertname": "Disk"}),
			sig("known", map[string]string{"alertname": "Latency", "service": "checkout-api"}),
			sig("latency-2", map[string]string{"alertname": "Latency", "service": "checkout-api"}),
		}
		if err := db.Signals().AcceptJournaled(ctx, batch, "replica-a", 100, router); err != nil {
			t.Fatal(err)
		}
		get := func(i int) *intake.Signal {
			s, err := db.Signals().GetSignal(ctx, batch[i].ID)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		for _, i := range []int{0, 5} {
			if s := get(i); !s.Routed || s.IncidentID != open.ID || s.Service != "checkout-api" || s.Grade != incident.SEV2 ||
				s.GroupKey != group("Latency") || s.Triage != intake.TriageNone {
				t.Errorf("%s joins the open incident: %+v", s.Fingerprint, s)
			}
		}
		if s := get(1); s.Routed || s.IncidentID != 0 || s.GroupKey != "" || s.Service != "" {
			t.Errorf("errors-1 must declare (its group's incident is resolved), so it waits for the routing job: %+v", s)
		}
		if s := get(2); !s.Routed || s.Triage != intake.TriagePending || s.TriageReason != "" || s.Grade != incident.SEV3 || s.IncidentID != 0 {
			t.Errorf("web-1 goes to triage by its route: %+v", s)
		}
		if s := get(3); !s.Routed || s.Triage != intake.TriagePending || s.TriageReason != "no route matched" {
			t.Errorf("stray-1 matches no route: %+v", s)
		}
		if s := get(4); s.Routed || s.Count != 2 {
			t.Errorf("a repeat is not routed on arrival: %+v", s)
		}
		unrouted, err := db.Signals().UnroutedSignals(ctx, 10)
		if err != nil || len(unrouted) != 2 || unrouted[0].Fingerprint != "known" || unrouted[1].Fingerprint != "errors-1" {
			t.Fatalf("left for the routing job: %v %v", unrouted, err)
		}
		evs, err := db.Incidents().ListEvents(ctx, open.ID, 0, 10)
		if err != nil || len(evs) != 2 {
			t.Fatalf("events of the open incident: %+v %v", evs, err)
		}
		for k, ev := range evs {
			if ev.Kind != intake.EventSignalJoined || ev.Data["signal_id"] != float64(batch[5*k].ID) || !ev.At.Equal(t0) {
				t.Errorf("event %d = %+v, want the join of %s", k, ev, batch[5*k].Fingerprint)
			}
		}
		if evs, _ := db.Incidents().ListEvents(ctx, resolved.ID, 0, 10); len(evs) != 0 {
			t.Errorf("the resolved incident got events: %+v", evs)
		}
		if n, err := db.Signals().JournalApplied(ctx, "replica-a"); err != nil || n != 100 {
			t.Errorf("journal applied %d, %v", n, err)
		}
	})
}
