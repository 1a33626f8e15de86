package ui_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// The page benchmarks run against a database the size of a few years of a
// busy organisation: 10,000 incidents and 100,000 timeline events, with one
// long incident of 5,000 events. They report the server time per request
// (p50 and p95) as measured around the handler.
const (
	benchIncidents = 10_000
	benchEvents    = 100_000
	longIncident   = 5_000 // events on incident 1
)

var benchServices = []string{"checkout-api", "ledger", "auth", "messaging-gateway", "notification-worker", "support-portal", "status-page"}

// seed fills the database with plain SQL in one transaction: the store's
// one-incident-per-transaction path would take minutes for this much.
func seed(b *testing.B, db *store.DB) {
	b.Helper()
	ctx := context.Background()
	ts := func(t time.Time) any {
		if db.Dialect == store.SQLite {
			return t.UTC().Format("2006-01-02T15:04:05.000000Z")
		}
		return t.UTC()
	}
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	must := func(_ sql.Result, err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	statuses := []string{"closed", "closed", "closed", "resolved", "monitoring", "identified", "investigating"}
	vis := []string{"internal", "internal", "public", "restricted"}
	for i := 1; i <= benchIncidents; i++ {
		at := start.Add(time.Duration(i) * 2 * time.Hour)
		title := fmt.Sprintf("결제 지연 %d — checkout latency spike %d", i, i)
		if i%3 == 0 {
			title = fmt.Sprintf("Push delay %d on Android 알림 지연", i)
		}
		must(tx.ExecContext(ctx, `INSERT INTO incidents (id, title, summary, grade, status, source, visibility, labels, cause_tags,
			created_by, started_at, detected_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'manual', $6, '{}', '["deploy"]', 'bench', $7, $7, $7, $7)`,
			i, title, "p99 went from 200 ms to 4 s", 1+i%5, statuses[i%len(statuses)], vis[i%len(vis)], ts(at)))
		must(tx.ExecContext(ctx, `INSERT INTO incident_services (incident_id, position, service) VALUES ($1, 0, $2)`, i, benchServices[i%len(benchServices)]))
		must(tx.ExecContext(ctx, `INSERT INTO incident_members (incident_id, user_name) VALUES ($1, 'bench')`, i))
		must(tx.ExecContext(ctx, `INSERT INTO incident_roles (incident_id, role, user_name) VALUES ($1, 'resolver', 'bench')`, i))
	}
	per, extra := (benchEvents-longIncident)/(benchIncidents-1), (benchEvents-longIncident)%(benchIncidents-1)
	ev, err := tx.PrepareContext(ctx, `INSERT INTO timeline_events (incident_id, at, actor, kind, data) VALUES ($1, $2, 'bench', 'note', $3)`)
	if err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= benchIncidents; i++ {
		n := per
		switch {
		case i == 1:
			n = longIncident
		case i-1 <= extra:
			n++
		}
		for j := 0; j < n; j++ {
			must(ev.ExecContext(ctx, i, ts(start.Add(time.Duration(i)*2*time.Hour+time.Duration(j)*time.Minute)), `{"text":"로그 확인 중 checking logs"}`))
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	var incidents, events int
	_ = db.SQL.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM incidents), (SELECT COUNT(*) FROM timeline_events)").Scan(&incidents, &events)
	if incidents != benchIncidents || events != benchEvents {
		b.Fatalf("seeded %d incidents and %d events", incidents, events)
	}
	if db.Dialect == store.Postgres {
		// Seeded ids were given explicitly; move the identity past them.
		must(db.SQL.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('incidents', 'id'), $1)`, benchIncidents))
		must(db.SQL.ExecContext(ctx, `ANALYZE`))
	}
}

func BenchmarkPages(b *testing.B) { testutil.BenchEachDatabase(b, benchPages) }

func benchPages(b *testing.B, dbURL string) {
	srv, session := testutil.BenchSite(b, dbURL)
	seed(b, srv.DB)
	pages := []struct{ name, path string }{
		{"list", "/incidents"},
		{"list-filtered", "/incidents?status=open&grade=SEV2&service=ledger"},
		{"list-search", "/incidents?q=" + "알림"},
		{"list-search-no-match", "/incidents?q=no-such-words"},
		{"list-page-50", "/incidents?cursor=" + cursorFor(benchIncidents-50*50)},
		{"incident", "/incidents/INC-9000"},
		{"incident-5000-events", "/incidents/INC-1"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			testutil.BenchServe(b, srv.Handler, p.path, session)
		})
	}
}

// cursorFor makes the list cursor that starts below an incident id, the same
// way the server encodes it.
func cursorFor(id int) string {
	return base64URL(fmt.Sprintf("i:%d", id))
}

func base64URL(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
