package store_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// fakeIncidents knows INC-1 (open), INC-2 (closed) and INC-3 (open,
// restricted to admins).
type fakeIncidents struct{}

func (fakeIncidents) IncidentState(_ context.Context, by auth.User, ref string) (string, bool, error) {
	switch ref {
	case "INC-3": // restricted: admins only
		if by.IsAdmin() {
			return "INC-3", false, nil
		}
	case "INC-1", "inc-1", "1":
		return "INC-1", false, nil
	case "INC-2":
		return "INC-2", true, nil
	}
	return "", false, fail.New(fail.NotFound, "no incident %s", ref)
}

func flagService(db *store.DB, served *flag.Served) *flag.Service {
	return &flag.Service{Store: db.Flags(), Now: func() time.Time { return t0 },
		TeamOf: func(svc string) string {
			if svc == "checkout-api" {
				return "payments"
			}
			return "web"
		},
		Incidents: fakeIncidents{}, Changed: served.Put}
}

var (
	paymentsResponder = auth.User{Name: "pia", Role: auth.Viewer, Teams: []auth.Membership{{Team: "payments", Role: auth.TeamResponder}}}
	webResponder      = auth.User{Name: "wes", Role: auth.Viewer, Teams: []auth.Membership{{Team: "web", Role: auth.TeamResponder}}}
	admin             = auth.User{Name: "ada", Role: auth.Admin}
)

func paymentSheetDef() flag.Definition {
	return flag.Definition{Key: "new-payment-sheet", Service: "checkout-api", Description: "새 결제 시트 New payment sheet",
		Type: flag.Boolean, DefaultVariant: "on",
		Rules: []flag.Rule{{Variant: "off", Conditions: []flag.Condition{
			{Attribute: "platform", Op: flag.OpEq, Value: "ios"},
			{Attribute: "appVersion", Op: flag.OpSemverLt, Value: "5.2.0"}}}}}
}

func TestFlagLifecycle(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// INC-1 to INC-3, which fakeIncidents describes; flips put events
		// on their timelines.
		for range 3 {
			inc := newIncident("checkout", incident.SEV2, incident.Internal, "checkout-api")
			if err := db.Incidents().CreateIncident(ctx, inc, nil); err != nil {
				t.Fatal(err)
			}
		}
		served := flag.NewServed()
		svc := flagService(db, served)
		if _, err := svc.Create(ctx, webResponder, paymentSheetDef()); fail.CodeOf(err) != fail.Forbidden {
			t.Fatalf("another team's responder created a switch: %v", err)
		}
		sw, err := svc.Create(ctx, paymentsResponder, paymentSheetDef())
		if err != nil {
			t.Fatal(err)
		}
		if sw.Version != 1 || sw.Variants["off"] != false || served.Load().Get(sw.Key) == nil {
			t.Fatalf("created %+v; served %v", sw, served.Load().Keys())
		}
		if _, err := svc.Create(ctx, admin, paymentSheetDef()); fail.CodeOf(err) != fail.Conflict {
			t.Fatalf("second create: %v", err)
		}
		mark0, _ := db.Flags().ChangeMark(ctx)

		// Bad flips change nothing.
		for _, req := range []flag.FlipRequest{
			{To: "off"},                // no reason
			{To: "maybe", Reason: "x"}, // no such variant
			{To: "off", Reason: "x", Incident: "INC-404"},  // no such incident
			{To: "default", Reason: "already the default"}, // no change
		} {
			if _, _, err := svc.Flip(ctx, paymentsResponder, sw.Key, req); err == nil {
				t.Fatalf("flip %+v accepted", req)
			}
		}
		if _, _, err := svc.Flip(ctx, webResponder, sw.Key, flag.FlipRequest{To: "off", Reason: "x"}); fail.CodeOf(err) != fail.Forbidden {
			t.Fatalf("other team flipped: %v", err)
		}
		readOnly := paymentsResponder
		readOnly.Scopes = []auth.Scope{auth.ScopeRead}
		if _, _, err := svc.Flip(ctx, readOnly, sw.Key, flag.FlipRequest{To: "off", Reason: "x"}); fail.CodeOf(err) != fail.Forbidden {
			t.Fatalf("read-only token flipped: %v", err)
		}
		if mark, _ := db.Flags().ChangeMark(ctx); mark != mark0 {
			t.Fatalf("refused flips moved the change mark %d -> %d", mark0, mark)
		}

		flipped, rev, err := svc.Flip(ctx, paymentsResponder, sw.Key, flag.FlipRequest{To: "off", Reason: "결제 실패 급증 payment errors", Incident: "inc-1"})
		if err != nil {
			t.Fatal(err)
		}
		if flipped.State != "off" || flipped.Incident != "INC-1" || flipped.Version != 2 {
			t.Fatalf("flipped %+v", flipped)
		}
		if rev.From != "default" || rev.To != "off" || rev.Actor != "pia" || rev.Incident != "INC-1" || rev.Version != 2 || rev.ID == 0 {
			t.Fatalf("revision %+v", rev)
		}
		if got := served.Load().Get(sw.Key); got.State != "off" {
			t.Fatalf("snapshot not updated by the flip: %+v", got)
		}
		if r := served.Load().Get(sw.Key).Evaluate(flag.Context{"platform": "android"}); r.Value != false || r.Reason != flag.ReasonStatic {
			t.Fatalf("flipped evaluation %+v", r)
		}

		got, revs, err := svc.Get(ctx, admin, sw.Key)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != "off" || len(got.Rules) != 1 || got.Rules[0].Conditions[1].Op != flag.OpSemverLt || !got.UpdatedAt.Equal(t0) {
			t.Fatalf("read back %+v", got)
		}
		if len(revs) != 2 || revs[0].Kind != flag.KindFlip || revs[0].Reason != "결제 실패 급증 payment errors" || revs[1].Kind != flag.KindCreate {
			t.Fatalf("revisions %+v", revs)
		}

		// Updating keeps the state; a state naming a removed variant is reset.
		def := paymentSheetDef()
		def.Description = "changed"
		if _, err := svc.Update(ctx, webResponder, sw.Key, def, ""); fail.CodeOf(err) != fail.Forbidden {
			t.Fatalf("other team updated: %v", err)
		}
		up, err := svc.Update(ctx, paymentsResponder, sw.Key, def, "wording")
		if err != nil || up.State != "off" || up.Description != "changed" || up.Version != 3 {
			t.Fatalf("update: %+v %v", up, err)
		}

		list, err := svc.List(ctx, admin, []string{"checkout-api"})
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %v %v", list, err)
		}
		if list, _ := svc.List(ctx, admin, []string{"web"}); len(list) != 0 {
			t.Fatalf("list of web: %v", list)
		}
		if left, err := svc.LeftFlipped(ctx); err != nil || len(left) != 0 {
			t.Fatalf("left flipped while the incident is open: %v %v", left, err)
		}
		if _, _, err := svc.Flip(ctx, admin, sw.Key, flag.FlipRequest{To: "on", Reason: "pin on", Incident: "INC-2"}); err != nil {
			t.Fatal(err)
		}
		if left, err := svc.LeftFlipped(ctx); err != nil || len(left) != 1 || left[0].Key != sw.Key {
			t.Fatalf("left flipped after the incident closed: %v %v", left, err)
		}
		// A restricted incident's reference is shown only to who may see it.
		if _, _, err := svc.Flip(ctx, paymentsResponder, sw.Key, flag.FlipRequest{To: "off", Reason: "x", Incident: "INC-3"}); fail.CodeOf(err) != fail.Invalid {
			t.Fatalf("flip naming an unseen incident: %v", err)
		}
		if _, _, err := svc.Flip(ctx, admin, sw.Key, flag.FlipRequest{To: "off", Reason: "restricted", Incident: "INC-3"}); err != nil {
			t.Fatal(err)
		}
		if list, _ := svc.List(ctx, paymentsResponder, nil); len(list) != 1 || list[0].Incident != "" || !list[0].Flipped() {
			t.Fatalf("a responder's list shows %+v", list)
		}
		if got, revs, _ := svc.Get(ctx, paymentsResponder, sw.Key); got.Incident != "" || revs[0].Incident != "" || revs[1].Incident != "INC-2" {
			t.Fatalf("a responder's view: %q %+v", got.Incident, revs[:2])
		}
		if got, revs, _ := svc.Get(ctx, admin, sw.Key); got.Incident != "INC-3" || revs[0].Incident != "INC-3" {
			t.Fatalf("an admin's view: %q %+v", got.Incident, revs[0])
		}
		audit, err := db.Users().ListAudit(ctx, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range audit {
			if e.Target == "flag:"+sw.Key {
				actions[e.Action]++
			}
		}
		if actions[flag.ActionCreate] != 1 || actions[flag.ActionFlip] != 3 || actions[flag.ActionUpdate] != 1 {
			t.Fatalf("audit actions %v", actions)
		}
	})
}

func TestFlagConfigSyncKeepsState(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		served := flag.NewServed()
		svc := flagService(db, served)
		defs, err := flag.ParseConfig("firebreak.yaml", []byte(`
flags:
  - key: new-payment-sheet
    service: checkout-api
    description: New payment sheet
    default: on
    rules:
      - variant: "off"
        when:
          - {attribute: platform, op: eq, value: ios}
          - {attribute: appVersion, op: semver_lt, value: 5.2.0}
`), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SyncConfig(ctx, defs); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Flip(ctx, admin, "new-payment-sheet", flag.FlipRequest{To: "off", Reason: "incident"}); err != nil {
			t.Fatal(err)
		}
		mark, _ := db.Flags().ChangeMark(ctx)
		if err := svc.SyncConfig(ctx, defs); err != nil { // unchanged: nothing written
			t.Fatal(err)
		}
		if again, _ := db.Flags().ChangeMark(ctx); again != mark {
			t.Fatalf("an unchanged config wrote a revision")
		}
		defs[0].Description = "Changed in the file"
		if err := svc.SyncConfig(ctx, defs); err != nil {
			t.Fatal(err)
		}
		got, revs, err := svc.Get(ctx, admin, "new-payment-sheet")
		if err != nil {
			t.Fatal(err)
		}
		if got.State != "off" || got.Description != "Changed in the file" || got.Source != flag.SourceConfig || len(revs) != 3 || revs[0].Kind != flag.KindConfig {
			t.Fatalf("after config change: %+v %+v", got, revs)
		}
		if _, err := svc.Update(ctx, admin, got.Key, paymentSheetDef(), ""); fail.CodeOf(err) != fail.Conflict {
			t.Fatalf("API update of a config switch: %v", err)
		}
	})
}

func TestFlagWatcherSeesOtherWriters(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// Two processes' views of one database: the writer's snapshot is
		// not the watcher's, so the watcher sees the change only through
		// the store (a notice on PostgreSQL, the change mark on SQLite).
		writer := flagService(db, flag.NewServed())
		served := flag.NewServed()
		var listening atomic.Bool
		w := &flag.Watcher{Served: served, Store: db.Flags(), Poll: 200 * time.Millisecond, Reload: time.Hour}
		if db.Dialect == store.Postgres {
			w.Poll = 0 // the notice alone must carry the change
			w.Listen = func(ctx context.Context, ready, notify func()) error {
				return db.Flags().ListenFlags(ctx, func() { listening.Store(true); ready() }, notify)
			}
		} else {
			listening.Store(true)
		}
		if _, err := writer.Create(ctx, admin, paymentSheetDef()); err != nil {
			t.Fatal(err)
		}
		if err := w.Load(ctx); err != nil {
			t.Fatal(err)
		}
		go w.Run(ctx)
		waitFor(t, 5*time.Second, listening.Load)
		if _, _, err := writer.Flip(ctx, admin, "new-payment-sheet", flag.FlipRequest{To: "off", Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 5*time.Second, func() bool { return served.Load().Get("new-payment-sheet").State == "off" })
	})
}

func waitFor(t *testing.T, within time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s", within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
