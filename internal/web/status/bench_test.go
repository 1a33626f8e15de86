package status_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// The status page benchmark runs against years of history: 10,000
// incidents (70 open, 30 resolved in the last two weeks, the rest closed long
// ago; a quarter each public and restricted, half internal) and 100,000
// timeline events, 60,000 of them status updates.
const (
	benchIncidents = 10_000
	benchOpen      = 70
	benchResolved  = 30
	eventsEach     = 10
)

var benchServices = []string{"checkout-api", "ledger", "auth", "messaging-gateway", "notification-worker", "support-portal", "status-page"}

func seed(b *testing.B, db *store.DB, now time.Time) {
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
	vis := []string{"public", "internal", "internal", "restricted"}
	open := []string{"investigating", "identified", "monitoring"}
	ev, err := tx.PrepareContext(ctx, `INSERT INTO timeline_events (incident_id, at, actor, kind, data) VALUES ($1, $2, 'bench', $3, $4)`)
	if err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= benchIncidents; i++ {
		at := now.Add(-time.Duration(benchIncidents-i+1) * 3 * time.Hour)
		status, resolved := "closed", any(ts(at.Add(time.Hour)))
		switch {
		case i > benchIncidents-benchOpen:
			status, resolved, at = open[i%3], nil, now.Add(-time.Duration(benchIncidents-i+1)*time.Minute)
		case i > benchIncidents-benchOpen-benchResolved:
			status, resolved = "resolved", ts(now.Add(-time.Duration(benchIncidents-i)*time.Hour))
		}
		must(tx.ExecContext(ctx, `INSERT INTO incidents (id, title, summary, grade, status, source, visibility, labels, cause_tags,
			created_by, started_at, detected_at, resolved_at, created_at, updated_at) VALUES ($1, $2, '', $3, $4, 'manual', $5, '{}', '[]', 'bench', $6, $6, $7, $6, $6)`,
			i, fmt.Sprintf("결제 지연 %d — checkout latency %d", i, i), 1+i%5, status, vis[i%len(vis)], ts(at), resolved))
		must(tx.ExecContext(ctx, `INSERT INTO incident_services (incident_id, position, service) VALUES ($1, 0, $2)`, i, benchServices[i%len(benchServices)]))
		for j := range eventsEach {
			kind, data := "note", `{"text":"로그 확인 중 checking logs"}`
			if j >= 4 {
				kind, data = "status_update", fmt.Sprintf(`{"text":"업데이트 %d: payments recovering","public":%v}`, j, j%2 == 0)
			}
			must(ev.ExecContext(ctx, i, ts(at.Add(time.Duration(j)*time.Minute)), kind, data))
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if db.Dialect == store.Postgres {
		must(db.SQL.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('incidents', 'id'), $1)`, benchIncidents))
		must(db.SQL.ExecContext(ctx, `ANALYZE`))
	}
}

// BenchmarkStatusPage reports the server time of the status pages and the
// feed, through the full HTTP handler.
func BenchmarkStatusPage(b *testing.B) {
	testutil.BenchEachDatabase(b, func(b *testing.B, dbURL string) {
		srv, session := testutil.BenchSite(b, dbURL)
		seed(b, srv.DB, time.Now())
		for _, p := range []string{"/status", "/status/internal", "/status/feed.atom"} {
			b.Run(p[1:], func(b *testing.B) { testutil.BenchServe(b, srv.Handler, p, session) })
		}
	})
}
