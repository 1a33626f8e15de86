package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// TestMaintenanceWindowsAndSilences: windows and silences round-trip,
// list live or all, end once, and each change moves the change mark.
func TestMaintenanceWindowsAndSilences(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ms := db.Maintenance()
		mark0, err := ms.ChangeMark(ctx)
		if err != nil {
			t.Fatal(err)
		}
		oneOff := &maintenance.Window{Title: "DB 업그레이드", Reason: "PostgreSQL 17", Services: []string{"payments-db"},
			Matchers: []maintenance.Matcher{{Name: "env", Op: maintenance.Equal, Value: "prod"}},
			StartsAt: t0.Add(time.Hour), EndsAt: t0.Add(3 * time.Hour), Public: true, Source: "api", CreatedBy: "kim", CreatedAt: t0}
		weekly := &maintenance.Window{Title: "Patch Tuesday", Services: []string{"web"}, Source: "config", CreatedBy: "config", CreatedAt: t0,
			Recurrence: &maintenance.Recurrence{Weekdays: []string{"tue"}, At: "02:00", Duration: "2h", Zone: "Asia/Seoul"}}
		past := &maintenance.Window{Title: "old", Services: []string{"web"}, StartsAt: t0.Add(-3 * time.Hour), EndsAt: t0.Add(-2 * time.Hour),
			Source: "api", CreatedBy: "kim", CreatedAt: t0}
		for _, w := range []*maintenance.Window{oneOff, weekly, past} {
			if err := ms.CreateWindow(ctx, w); err != nil {
				t.Fatal(err)
			}
		}
		got, err := ms.GetWindow(ctx, oneOff.ID)
		if err != nil || got.Title != "DB 업그레이드" || !got.StartsAt.Equal(oneOff.StartsAt) || !got.Public ||
			len(got.Matchers) != 1 || got.Matchers[0].Value != "prod" || got.Recurrence != nil || got.EndedAt != nil {
			t.Fatalf("one-off window read back: %+v %v", got, err)
		}
		active, err := ms.ActiveWindows(ctx, t0)
		if err != nil || len(active) != 2 || active[1].Recurrence == nil || active[1].Recurrence.Zone != "Asia/Seoul" || !active[1].StartsAt.IsZero() {
			t.Fatalf("active windows: %+v %v", active, err)
		}
		all, _ := ms.ListWindows(ctx, true, 0, 10, t0)
		live, _ := ms.ListWindows(ctx, false, 0, 10, t0)
		if len(all) != 3 || all[0].ID != past.ID || len(live) != 2 {
			t.Errorf("list all = %d (newest first), live = %d", len(all), len(live))
		}
		ended, err := ms.EndWindow(ctx, oneOff.ID, "lee", t0.Add(time.Minute))
		if err != nil || ended.EndedBy != "lee" || ended.EndedAt == nil {
			t.Fatalf("end: %+v %v", ended, err)
		}
		if _, err := ms.EndWindow(ctx, oneOff.ID, "lee", t0.Add(2*time.Minute)); fail.CodeOf(err) != fail.Conflict {
			t.Errorf("ending twice: %v, want a conflict", err)
		}
		if _, err := ms.EndWindow(ctx, 9999, "lee", t0); fail.CodeOf(err) != fail.NotFound {
			t.Errorf("ending a missing window: %v", err)
		}

		sil := &maintenance.Silence{Matchers: []maintenance.Matcher{{Name: "alertname", Op: maintenance.Regexp, Value: "Disk.*"}},
			StartsAt: t0, EndsAt: t0.Add(2 * time.Hour), Comment: "디스크 교체 중", SignalID: 0, CreatedBy: "kim", CreatedAt: t0}
		short := &maintenance.Silence{Matchers: []maintenance.Matcher{{Name: "job", Op: maintenance.Equal, Value: "x"}},
			StartsAt: t0, EndsAt: t0.Add(time.Minute), Comment: "flapping", CreatedBy: "lee", CreatedAt: t0}
		for _, s := range []*maintenance.Silence{sil, short} {
			if err := ms.CreateSilence(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		at := t0.Add(10 * time.Minute) // short has expired by itself
		act, _ := ms.ListSilences(ctx, false, 0, 10, at)
		exp, _ := ms.ListSilences(ctx, true, 0, 10, at)
		if len(act) != 1 || act[0].ID != sil.ID || act[0].Comment != "디스크 교체 중" || len(exp) != 1 || exp[0].ID != short.ID {
			t.Errorf("active %+v, expired %+v", act, exp)
		}
		if _, err := ms.EndSilence(ctx, short.ID, "kim", at); fail.CodeOf(err) != fail.Conflict {
			t.Errorf("ending an expired silence: %v", err)
		}
		if s, err := ms.EndSilence(ctx, sil.ID, "kim", at); err != nil || s.EndedBy != "kim" || s.ActiveAt(at) {
			t.Errorf("end silence: %+v %v", s, err)
		}
		if act, _ := ms.ActiveSilences(ctx, at); len(act) != 0 {
			t.Errorf("active after ending: %+v", act)
		}
		mark, _ := ms.ChangeMark(ctx)
		if mark < mark0+6 {
			t.Errorf("change mark %d after six changes from %d", mark, mark0)
		}
	})
}

// fixedSuppressor suppresses signals whose alertname is "Quiet".
type fixedSuppressor struct{ until time.Time }

func (f fixedSuppressor) Suppressed(_ string, labels map[string]string, _ time.Time) (string, time.Time, bool) {
	if labels["alertname"] == "Quiet" {
		return "MW-1", f.until, true
	}
	return "", time.Time{}, false
}

// TestSuppressedSignalsAreStoredMarkedAndReleased: on the journal path a
// suppressed signal is stored routed and marked, in no incident and not
// in triage; a repeat inside the window stays quiet; ending the window
// releases it, so its next firing goes back to routing.
func TestSuppressedSignalsAreStoredMarkedAndReleased(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cfg, err := intake.ParseConfig("firebreak.yaml", []byte(arrivalRoutes), nil)
		if err != nil {
			t.Fatal(err)
		}
		until := t0.Add(time.Hour)
		router := &intake.Router{Config: cfg, Now: func() time.Time { return t0 }, Suppressor: fixedSuppressor{until}}
		sig := func(at time.Time) []*intake.Signal {
			return []*intake.Signal{{Source: "alertmanager", Fingerprint: "quiet-1", Status: intake.Firing, Title: "조용히",
				Labels: map[string]string{"alertname": "Quiet", "service": "checkout-api"}, StartsAt: at, FirstSeen: at, LastSeen: at, Count: 1}}
		}
		first := sig(t0)
		if err := db.Signals().AcceptJournaled(ctx, first, "j", 10, router); err != nil {
			t.Fatal(err)
		}
		s, err := db.Signals().GetSignal(ctx, first[0].ID)
		if err != nil || !s.Routed || s.SuppressedBy != "MW-1" || s.SuppressedUntil == nil || !s.SuppressedUntil.Equal(until) ||
			s.IncidentID != 0 || s.Triage != intake.TriageNone || s.Service != "checkout-api" {
			t.Fatalf("suppressed on arrival: %+v %v", s, err)
		}
		if err := db.Signals().AcceptSignals(ctx, sig(t0.Add(10*time.Minute))); err != nil {
			t.Fatal(err)
		}
		if un, _ := db.Signals().UnroutedSignals(ctx, 10); len(un) != 0 {
			t.Errorf("a repeat inside the window went back to routing: %+v", un)
		}
		list, err := db.Signals().SuppressedSignals(ctx, 0, 10)
		if err != nil || len(list) != 1 || list[0].Count != 2 {
			t.Errorf("suppressed list: %+v %v", list, err)
		}
		// The window ends early: the suppressed signals are released.
		ms := db.Maintenance()
		w := &maintenance.Window{Title: "t", Services: []string{"checkout-api"}, StartsAt: t0, EndsAt: until, Source: "api", CreatedBy: "kim", CreatedAt: t0}
		if err := ms.CreateWindow(ctx, w); err != nil || w.ID != 1 {
			t.Fatalf("window MW-1: %+v %v", w, err)
		}
		if _, err := ms.EndWindow(ctx, w.ID, "kim", t0.Add(20*time.Minute)); err != nil {
			t.Fatal(err)
		}
		again := sig(t0.Add(21 * time.Minute))
		if err := db.Signals().AcceptSignals(ctx, again); err != nil {
			t.Fatal(err)
		}
		un, _ := db.Signals().UnroutedSignals(ctx, 10)
		if len(un) != 1 || un[0].ID != first[0].ID || un[0].SuppressedBy != "" || un[0].SuppressedUntil != nil || un[0].Count != 3 {
			t.Fatalf("after the window the firing goes back to routing: %+v", un)
		}
	})
}
