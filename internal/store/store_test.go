package store_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// eachDB runs the test once against a new SQLite file and once against a new
// PostgreSQL database: one suite for both.
func eachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, c := range []struct {
		name string
		url  func(testing.TB) string
	}{{"sqlite", testutil.SQLiteURL}, {"postgres", testutil.PostgresURL}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, c.url(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			fn(t, db)
		})
	}
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
		c := mk("c", incident.SEV1, incident.Monitoring, incident.Restricted, t0.Add(2*time.Hour), "ledger")
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
