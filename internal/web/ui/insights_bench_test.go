package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// The insights benchmarks measure a year of a busy organisation's history:
// 10,000 incidents with 100,000 timeline events and 30,000 action items,
// every incident inside the period asked for, a quarter of them restricted.
const benchItems = 30_000

// seedInsightsBench fills the database with a year of incidents before now.
func seedInsightsBench(b *testing.B, db *store.DB, now time.Time) {
	b.Helper()
	s := testutil.NewSeeder(b, db)
	vis := []string{"internal", "internal", "public", "restricted"}
	causes := []string{`["deploy"]`, `["config","capacity"]`, `[]`, `["db-lock"]`}
	step := 365 * 24 * time.Hour / benchIncidents
	inc := s.Prepare(`INSERT INTO incidents (id, title, summary, grade, status, source, visibility, labels, cause_tags,
		created_by, started_at, detected_at, acknowledged_at, mitigated_at, resolved_at, created_at, updated_at)
		VALUES ($1, $2, '', $3, 'closed', 'manual', $4, '{}', $5, 'bench', $6, $7, $8, $9, $10, $6, $6)`)
	svc := s.Prepare(`INSERT INTO incident_services (incident_id, position, service) VALUES ($1, 0, $2)`)
	mem := s.Prepare(`INSERT INTO incident_members (incident_id, user_name) VALUES ($1, $2)`)
	ev := s.Prepare(`INSERT INTO timeline_events (incident_id, at, actor, kind, data) VALUES ($1, $2, 'bench', 'note', '{"text":"checking logs"}')`)
	item := s.Prepare(`INSERT INTO action_items (incident_id, title, category, term, owner, due_at, status, created_by, created_at, updated_at, done_at)
		VALUES ($1, 'add an alert', $2, $3, 'bench', $4, $5, 'bench', $6, $6, $7)`)
	rec := s.Prepare(`INSERT INTO incident_recurrences (incident_id, earlier_id, reason, score, found_at) VALUES ($1, $2, 'text', 0.5, $3)`)
	retro := s.Prepare(`INSERT INTO retrospectives (incident_id, stage, held_at, updated_by, created_at, updated_at) VALUES ($1, 'team', $2, 'bench', $3, $3)`)
	start := now.Add(-364 * 24 * time.Hour)
	for i := 1; i <= benchIncidents; i++ {
		at := start.Add(time.Duration(i) * step)
		m := func(n int) any { return s.At(at.Add(time.Duration(n) * time.Minute)) }
		s.Run(inc, i, fmt.Sprintf("결제 지연 %d", i), 1+i%5, vis[i%len(vis)], causes[i%len(causes)],
			s.At(at), m(1+i%13), m(5+i%17), m(20+i%97), m(60+i%301))
		s.Run(svc, i, benchServices[i%len(benchServices)])
		// The benchmark's viewer is a member of every other incident.
		if i%2 == 0 {
			s.Run(mem, i, "bench")
		}
		for j := range benchEvents / benchIncidents {
			s.Run(ev, i, m(j))
		}
		for j := range benchItems / benchIncidents {
			cat := []string{"prevent", "detect", "handle"}[(i+j)%3]
			term := []string{"short", "short", "long"}[(i+j)%3]
			status, done := "open", any(nil)
			if (i+j)%4 != 0 {
				status, done = "done", m(60*24*(3+j))
			}
			s.Run(item, i, cat, term, m(60*24*14), status, m(60*24), done)
		}
		if i > 10 && i%10 == 0 {
			s.Run(rec, i, i-7, m(2))
		}
		if i%5 < 3 {
			s.Run(retro, i, m(60*24*(i%20)), m(60))
		}
	}
	s.Commit(benchIncidents)
	// The rows went in by SQL, past the incident store, so their insight
	// facts are filled the way a migrated database's are.
	if _, err := db.BackfillInsightFacts(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// benchAPI serves GET path with a bearer token b.N times and reports p50
// and p95 handler time, like testutil.BenchServe does for pages.
func benchAPI(b *testing.B, h http.Handler, path, token string) {
	b.Helper()
	testutil.BenchRequests(b, h, func() *http.Request {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		return r
	})
}

func BenchmarkInsights(b *testing.B) { testutil.BenchEachDatabase(b, benchInsights) }

func benchInsights(b *testing.B, dbURL string) {
	srv, session := testutil.BenchSite(b, dbURL)
	seedInsightsBench(b, srv.DB, time.Now())
	token, _, err := srv.Users.OperatorToken(context.Background(), auth.TokenRequest{User: "bench", Scopes: []auth.Scope{auth.ScopeRead}})
	if err != nil {
		b.Fatal(err)
	}
	// Cold: every request reads and measures; warm: the minute's cache
	// answers repeated questions, as a dashboard reloaded would be.
	for _, cache := range []time.Duration{0, time.Minute} {
		srv.Insights.CacheFor = cache
		mode := "cold"
		if cache > 0 {
			mode = "warm"
		}
		b.Run(mode+"/page-year", func(b *testing.B) { testutil.BenchServe(b, srv.Handler, "/insights?period=last-365d", session) })
		b.Run(mode+"/page-year-by-service", func(b *testing.B) {
			testutil.BenchServe(b, srv.Handler, "/insights?period=last-365d&by=service&bucket=quarter", session)
		})
		b.Run(mode+"/page-team", func(b *testing.B) {
			testutil.BenchServe(b, srv.Handler, "/insights?period=last-365d&team=payments", session)
		})
		b.Run(mode+"/api-year", func(b *testing.B) { benchAPI(b, srv.Handler, "/api/v1/insights?period=last-365d", token) })
		b.Run(mode+"/api-durations-quarter", func(b *testing.B) {
			benchAPI(b, srv.Handler, "/api/v1/insights/durations?period=last-90d&by=cause", token)
		})
	}
}
