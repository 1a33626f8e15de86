package store_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// eachDB runs the test against SQLite and PostgreSQL: one suite for both.
func eachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	testutil.EachDatabase(t, func(t *testing.T, url string) { fn(t, testutil.OpenStore(t, url)) })
}

var t0 = time.Date(2026, 11, 24, 9, 30, 0, 123456000, time.UTC)

func newIncident(title string, grade incident.Grade, vis incident.Visibility, services ...string) *incident.Incident {
	return &incident.Incident{
		Title: title, Grade: grade, Status: incident.Investigating, Source: "manual", Visibility: vis,
		Services: services, Labels: map[string]string{"region": "kr"}, CauseTags: []string{"deploy"},
		Roles: map[incident.Role]string{incident.Resolver: "alice"}, Members: []string{"alice"},
		CreatedBy: "alice", StartedAt: t0, DetectedAt: t0.Add(time.Minute), CreatedAt: t0, UpdatedAt: t0,
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		applied, err := db.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v, want nothing", applied)
		}
		steps, _ := db.Migrations()
		if len(steps) == 0 {
			t.Fatal("no migrations embedded")
		}
	})
}

func TestIncidentRoundTrip(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := db.Incidents()
		inc := newIncident("결제 지연 Payment delay", incident.SEV2, incident.Internal, "checkout-api", "ledger")
		ev := []incident.Event{{At: t0, Actor: "alice", Kind: incident.EventDeclared, Data: map[string]any{"title": inc.Title}}}
		if err := s.CreateIncident(ctx, inc, ev); err != nil {
			t.Fatal(err)
		}
		if inc.ID == 0 || ev[0].ID == 0 {
			t.Fatalf("ids not set: incident %d, event %d", inc.ID, ev[0].ID)
		}
		got, err := s.GetIncident(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != inc.Title || got.Grade != incident.SEV2 || !got.StartedAt.Equal(t0) || !got.DetectedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("read back %+v", got)
		}
		if len(got.Services) != 2 || got.Services[0] != "checkout-api" || got.Services[1] != "ledger" {
			t.Fatalf("services = %v", got.Services)
		}
		if got.Roles[incident.Resolver] != "alice" || got.Labels["region"] != "kr" || got.CauseTags[0] != "deploy" {
			t.Fatalf("roles/labels/tags = %v %v %v", got.Roles, got.Labels, got.CauseTags)
		}
		if got.AcknowledgedAt != nil {
			t.Fatal("acknowledged_at should be NULL")
		}

		// A failing change rolls back everything.
		_, err = s.UpdateIncident(ctx, inc.ID, func(i *incident.Incident) ([]incident.Event, error) {
			i.Title = "changed"
			return nil, fail.Field("x", "no")
		})
		if fail.CodeOf(err) != fail.Invalid {
			t.Fatalf("err = %v", err)
		}
		got, _ = s.GetIncident(ctx, inc.ID)
		if got.Title != inc.Title {
			t.Fatal("failed change was kept")
		}

		ack := t0.Add(2 * time.Minute)
		_, err = s.UpdateIncident(ctx, inc.ID, func(i *incident.Incident) ([]incident.Event, error) {
			i.Status = incident.Identified
			i.AcknowledgedAt = &ack
			i.Roles[incident.Communicator] = "bob"
			i.Members = append(i.Members, "bob")
			i.Services = []string{"ledger"}
			return []incident.Event{{At: ack, Actor: "bob", Kind: incident.EventNote, Data: map[string]any{"text": "보고 있어요"}}}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _ = s.GetIncident(ctx, inc.ID)
		if got.Status != incident.Identified || got.AcknowledgedAt == nil || !got.AcknowledgedAt.Equal(ack) ||
			got.Roles[incident.Communicator] != "bob" || len(got.Services) != 1 || len(got.Members) != 2 {
			t.Fatalf("after update: %+v", got)
		}
		events, err := s.ListEvents(ctx, inc.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || events[1].Data["text"] != "보고 있어요" || events[0].Kind != incident.EventDeclared {
			t.Fatalf("events = %+v", events)
		}
		after, _ := s.ListEvents(ctx, inc.ID, events[0].ID, 10)
		if len(after) != 1 {
			t.Fatalf("events after first = %d", len(after))
		}
		if _, err := s.GetIncident(ctx, inc.ID+100); fail.CodeOf(err) != fail.NotFound {
			t.Fatalf("missing incident: %v", err)
		}
	})
}

func TestTimelineIsAppendOnly(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inc := newIncident("x", incident.SEV3, incident.Public)
		if err := db.Incidents().CreateIncident(ctx, inc, []incident.Event{{At: t0, Actor: "a", Kind: incident.EventNote}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL.ExecContext(ctx, "UPDATE timeline_events SET actor = 'mallory'"); err == nil {
			t.Fatal("UPDATE of the timeline succeeded")
		}
		if _, err := db.SQL.ExecContext(ctx, "DELETE FROM timeline_events"); err == nil {
			t.Fatal("DELETE from the timeline succeeded")
		}
		evs, _ := db.Incidents().ListEvents(ctx, inc.ID, 0, 10)
		if len(evs) != 1 || evs[0].Actor != "a" {
			t.Fatalf("timeline changed: %+v", evs)
		}
	})
}

func TestLatestEvents(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inc := newIncident("x", incident.SEV3, incident.Public)
		var evs []incident.Event
		for i := range 7 {
			evs = append(evs, incident.Event{At: t0.Add(time.Duration(i) * time.Second), Actor: "a", Kind: incident.EventNote, Data: map[string]any{"n": i}})
		}
		if err := db.Incidents().CreateIncident(ctx, inc, evs); err != nil {
			t.Fatal(err)
		}
		latest, err := db.Incidents().LatestEvents(ctx, inc.ID, 0, 3)
		if err != nil || len(latest) != 3 || latest[0].Data["n"] != 4.0 || latest[2].Data["n"] != 6.0 {
			t.Fatalf("latest 3: %v %+v", err, latest)
		}
		earlier, _ := db.Incidents().LatestEvents(ctx, inc.ID, latest[0].ID, 3)
		if len(earlier) != 3 || earlier[0].Data["n"] != 1.0 || earlier[2].Data["n"] != 3.0 {
			t.Fatalf("earlier 3: %+v", earlier)
		}
	})
}

func TestListFilters(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := db.Incidents()
		mk := func(title string, g incident.Grade, st incident.Status, vis incident.Visibility, started time.Time, svc ...string) int64 {
			inc := newIncident(title, g, vis, svc...)
			inc.Status, inc.StartedAt = st, started
			inc.Members = []string{"alice"}
			if err := s.CreateIncident(ctx, inc, nil); err != nil {
				t.Fatal(err)
			}
			return inc.ID
		}
		a := mk("a", incident.SEV1, incident.Investigating, incident.Public, t0, "checkout-api")
		b := mk("b", incident.SEV3, incident.Resolved, incident.Internal, t0.Add(time.Hour), "ledger")
		c := mk("결제 지연 Payment DELAY", incident.SEV1, incident.Monitoring, incident.Restricted, t0.Add(2*time.Hour), "ledger")
		ids := func(f incident.Filter) []int64 {
			t.Helper()
			if f.Limit == 0 {
				f.Limit = 10
			}
			items, err := s.ListIncidents(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, i := range items {
				out = append(out, i.ID)
			}
			return out
		}
		cases := []struct {
			name string
			f    incident.Filter
			want []int64
		}{
			{"all as admin, newest first", incident.Filter{SeeAll: true}, []int64{c, b, a}},
			{"restricted hidden from non-member", incident.Filter{VisibleTo: "bob"}, []int64{b, a}},
			{"restricted shown to member", incident.Filter{VisibleTo: "alice"}, []int64{c, b, a}},
			{"status", incident.Filter{SeeAll: true, Statuses: []incident.Status{incident.Investigating, incident.Monitoring}}, []int64{c, a}},
			{"grade", incident.Filter{SeeAll: true, Grades: []incident.Grade{incident.SEV3}}, []int64{b}},
			{"service", incident.Filter{SeeAll: true, Service: "ledger"}, []int64{c, b}},
			{"since", incident.Filter{SeeAll: true, Since: t0.Add(30 * time.Minute)}, []int64{c, b}},
			{"cursor", incident.Filter{SeeAll: true, BeforeID: c}, []int64{b, a}},
			{"limit", incident.Filter{SeeAll: true, Limit: 1}, []int64{c}},
			{"text, any case", incident.Filter{SeeAll: true, Text: "payment delay"}, []int64{c}},
			{"text, Korean", incident.Filter{SeeAll: true, Text: "결제"}, []int64{c}},
			{"text, wildcard is literal", incident.Filter{SeeAll: true, Text: "%"}, nil},
			{"mine", incident.Filter{SeeAll: true, Member: "alice"}, []int64{c, b, a}},
			{"mine, none", incident.Filter{SeeAll: true, Member: "zed"}, nil},
		}
		for _, tc := range cases {
			got := ids(tc.f)
			if len(got) != len(tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
				continue
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
					break
				}
			}
		}
	})
}

func TestUsersAndTokens(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := t0
		svc := auth.NewService(db.Users(), func() time.Time { return now })
		if _, err := svc.AddUser(ctx, "alice", "alice@example.com", auth.Admin); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddUser(ctx, "alice", "", auth.Viewer); fail.CodeOf(err) != fail.Conflict {
			t.Fatalf("duplicate user: %v", err)
		}
		if _, err := svc.AddUser(ctx, "Bad Name", "", auth.Viewer); fail.CodeOf(err) != fail.Invalid {
			t.Fatalf("bad name: %v", err)
		}
		secret, tok, err := svc.CreateToken(ctx, "alice", "laptop", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := db.SQL.QueryRowContext(ctx, "SELECT hash FROM api_tokens WHERE id = $1", tok.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored == secret || stored != auth.HashToken(secret) {
			t.Fatal("token must be stored hashed")
		}
		u, err := svc.Authenticate(ctx, secret)
		if err != nil || u.Name != "alice" || u.Role != auth.Admin {
			t.Fatalf("authenticate: %v %+v", err, u)
		}
		if _, err := svc.Authenticate(ctx, secret+"x"); fail.CodeOf(err) != fail.Unauthorized {
			t.Fatalf("wrong token: %v", err)
		}
		now = now.Add(2 * time.Hour)
		if _, err := svc.Authenticate(ctx, secret); fail.CodeOf(err) != fail.Unauthorized {
			t.Fatalf("expired token: %v", err)
		}
	})
}

func TestPasswordsAndSessions(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := t0
		clock := func() time.Time { return now }
		users := auth.NewService(db.Users(), clock)
		pw := auth.NewPasswords(db.Users(), clock)
		if _, err := users.AddUser(ctx, "mina", "", auth.Responder); err != nil {
			t.Fatal(err)
		}
		if err := pw.SetPassword(ctx, "mina", "short"); fail.CodeOf(err) != fail.Invalid {
			t.Fatalf("short password: %v", err)
		}
		if err := pw.SetPassword(ctx, "mina", "correct horse 배터리"); err != nil {
			t.Fatal(err)
		}
		for _, c := range [][2]string{{"mina", "wrong password"}, {"nobody", "correct horse 배터리"}} {
			if _, _, _, err := pw.SignIn(ctx, c[0], c[1]); fail.CodeOf(err) != fail.Unauthorized {
				t.Fatalf("sign in %v: %v", c, err)
			}
		}
		secret, sess, u, err := pw.SignIn(ctx, "mina", "correct horse 배터리")
		if err != nil || u.Name != "mina" || sess.CSRF == "" {
			t.Fatalf("sign in: %v %+v", err, u)
		}
		var stored int
		db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM sessions WHERE hash = $1", secret).Scan(&stored)
		if stored != 0 {
			t.Fatal("session secret stored in the clear")
		}
		got, gu, err := pw.Session(ctx, secret)
		if err != nil || gu.Name != "mina" || got.CSRF != sess.CSRF {
			t.Fatalf("session: %v %+v", err, gu)
		}
		// Use extends an idle session; a session left idle past its TTL ends.
		now = now.Add(auth.SessionTTL - time.Minute)
		if _, _, err := pw.Session(ctx, secret); err != nil {
			t.Fatalf("session before expiry: %v", err)
		}
		now = now.Add(auth.SessionTTL - time.Minute)
		if _, _, err := pw.Session(ctx, secret); err != nil {
			t.Fatalf("extended session: %v", err)
		}
		now = now.Add(auth.SessionTTL + time.Minute)
		if _, _, err := pw.Session(ctx, secret); fail.CodeOf(err) != fail.Unauthorized {
			t.Fatalf("expired session: %v", err)
		}
		secret, _, _, _ = pw.SignIn(ctx, "mina", "correct horse 배터리")
		if err := pw.SignOut(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if _, _, err := pw.Session(ctx, secret); fail.CodeOf(err) != fail.Unauthorized {
			t.Fatalf("signed-out session: %v", err)
		}
	})
}

// TestAcceptSignalsBatch: repeats inside one batch count as repeats, and a
// joined signal's every status change in the batch reaches the timeline.
func TestAcceptSignalsBatch(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := db.Signals()
		sig := func(fp string, st intake.Status) *intake.Signal {
			return &intake.Signal{Source: "alertmanager", Fingerprint: fp, Status: st, Title: "t " + fp, Labels: map[string]string{"a": fp},
				StartsAt: t0, FirstSeen: t0, LastSeen: t0, Count: 1}
		}
		first := []*intake.Signal{sig("A", intake.Firing), sig("A", intake.Firing), sig("B", intake.Firing), sig("A", intake.Resolved)}
		if err := s.AcceptSignals(ctx, first); err != nil {
			t.Fatal(err)
		}
		if first[0].ID == 0 || first[0].ID != first[1].ID || first[0].ID != first[3].ID || first[2].ID == first[0].ID {
			t.Fatalf("ids: %d %d %d %d", first[0].ID, first[1].ID, first[2].ID, first[3].ID)
		}
		a, _ := s.GetSignal(ctx, first[0].ID)
		if a.Count != 2 || a.Status != intake.Resolved {
			t.Fatalf("A after the batch: count %d, status %s", a.Count, a.Status)
		}
		inc := newIncident("x", incident.SEV2, incident.Internal)
		if err := db.Incidents().CreateIncident(ctx, inc, nil); err != nil {
			t.Fatal(err)
		}
		a.Routed, a.IncidentID = true, inc.ID
		if err := s.SaveRoutings(ctx, []intake.Routed{{Signal: a}}); err != nil {
			t.Fatal(err)
		}
		if err := s.AcceptSignals(ctx, []*intake.Signal{sig("A", intake.Firing), sig("A", intake.Resolved), sig("C", intake.Firing)}); err != nil {
			t.Fatal(err)
		}
		a, _ = s.GetSignal(ctx, a.ID)
		evs, _ := db.Incidents().ListEvents(ctx, inc.ID, 0, 10)
		if a.Count != 3 || a.Status != intake.Resolved || len(evs) != 2 || evs[0].Data["status"] != "firing" || evs[1].Data["status"] != "resolved" {
			t.Fatalf("A: count %d status %s; events %+v", a.Count, a.Status, evs)
		}
	})
}

// TestSaveRoutingsJoinsAStorm: routing 450 signals (more than two chunks of
// one statement) into two incidents puts each signal's join event on its
// own incident's timeline, in order, with what it names.
func TestSaveRoutingsJoinsAStorm(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		incs := [2]*incident.Incident{newIncident("결제 실패 storm", incident.SEV2, incident.Internal), newIncident("login storm", incident.SEV3, incident.Internal)}
		for _, inc := range incs {
			if err := db.Incidents().CreateIncident(ctx, inc, nil); err != nil {
				t.Fatal(err)
			}
		}
		var sigs []*intake.Signal
		for i := range 450 {
			fp := fmt.Sprintf("fp-%03d", i)
			sigs = append(sigs, &intake.Signal{Source: "alertmanager", Fingerprint: fp, Status: intake.Firing, Title: "경보 " + fp,
				Labels: map[string]string{"n": fp}, StartsAt: t0, FirstSeen: t0, LastSeen: t0, Count: 1})
		}
		if err := db.Signals().AcceptSignals(ctx, sigs); err != nil {
			t.Fatal(err)
		}
		routed := make([]intake.Routed, len(sigs))
		for i, sig := range sigs {
			sig.Routed, sig.IncidentID = true, incs[i%2].ID
			ev := intake.JoinEvent(sig, sig.IncidentID, t0.Add(time.Duration(i)*time.Millisecond))
			routed[i] = intake.Routed{Signal: sig, Event: &ev}
		}
		if err := db.Signals().SaveRoutings(ctx, routed); err != nil {
			t.Fatal(err)
		}
		for k, inc := range incs {
			evs, err := db.Incidents().ListEvents(ctx, inc.ID, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			var joined []incident.Event
			for _, ev := range evs {
				if ev.Kind == intake.EventSignalJoined {
					joined = append(joined, ev)
				}
			}
			if len(joined) != 225 {
				t.Fatalf("%s: %d signal_joined events, want 225", inc.Ref(), len(joined))
			}
			for j, ev := range joined {
				sig := sigs[2*j+k]
				if ev.ID == 0 || ev.Actor != "firebreak" || !ev.At.Equal(t0.Add(time.Duration(2*j+k)*time.Millisecond)) ||
					ev.Data["signal_id"] != float64(sig.ID) || ev.Data["title"] != sig.Title {
					t.Fatalf("%s event %d = %+v, want the join of signal %d", inc.Ref(), j, ev, sig.ID)
				}
			}
		}
		got, err := db.Signals().GetSignal(ctx, sigs[449].ID)
		if err != nil || !got.Routed || got.IncidentID != incs[1].ID {
			t.Fatalf("signal 449 after routing: %+v, %v", got, err)
		}
	})
}
