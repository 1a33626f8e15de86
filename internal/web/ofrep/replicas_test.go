package ofrep_test

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestFlipReachesOtherReplica runs two servers on one PostgreSQL database:
// a flip through one's API is served by the other within a second (the
// bound issue #15 sets), carried by LISTEN/NOTIFY. Then the database goes
// away, and the other replica keeps answering from memory.
func TestFlipReachesOtherReplica(t *testing.T) {
	dbURL := testutil.PostgresURL(t)
	a := startSite(t, dbURL)
	b := siteOf(t, testutil.StartServer(t, options(t, dbURL)))
	ctx := `{"context":{"targetingKey":"u1","platform":"android","appVersion":"6.0.0"}}`
	evalB := func() answer {
		return do(t, "POST", b.base+"/ofrep/v1/evaluate/flags/new-payment-sheet", []byte(ctx), "Authorization", "Bearer "+b.flags)
	}
	if got := evalB().json(t); got["value"] != true {
		t.Fatalf("before the flip: %v", got)
	}
	// Let b's listener connect: a flip before it listens would be caught
	// by the 30 s reload only.
	waitListening(t, dbURL, 2)

	flip := do(t, "POST", a.base+"/api/v1/flags/new-payment-sheet/flip", []byte(`{"to":"off","reason":"결제 오류 payment errors"}`),
		"Authorization", "Bearer "+a.write)
	flipped := time.Now()
	if flip.status != 200 {
		t.Fatalf("flip on a: %d %s", flip.status, flip.body)
	}
	for {
		got := evalB().json(t)
		if got["value"] == false && got["reason"] == "STATIC" {
			break
		}
		if time.Since(flipped) > time.Second {
			t.Fatalf("replica b still serves %v more than a second after the flip on a", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("replica b served the flip %s after a answered it", time.Since(flipped).Round(time.Millisecond))

	// The database becomes unreachable: b keeps serving from memory.
	name := dbName(t, dbURL)
	admin := openAdmin(t, strings.Replace(dbURL, "/"+name, "/postgres", 1))
	sqlExec(t, admin, "ALTER DATABASE "+name+" ALLOW_CONNECTIONS false")
	allowed := false
	t.Cleanup(func() {
		if !allowed {
			sqlExec(t, admin, "ALTER DATABASE "+name+" ALLOW_CONNECTIONS true")
		}
	})
	sqlExec(t, admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name)
	if err := b.srv.DB.Ping(context.Background()); err == nil {
		t.Fatal("the database still answers")
	}
	for range 20 {
		a := evalB()
		if a.status != 200 || a.json(t)["value"] != false {
			t.Fatalf("with the database down: %d %s", a.status, a.body)
		}
		bulk := do(t, "POST", b.base+"/ofrep/v1/evaluate/flags", []byte(ctx), "Authorization", "Bearer "+b.flags)
		if bulk.status != 200 {
			t.Fatalf("bulk with the database down: %d %s", bulk.status, bulk.body)
		}
	}

	// The database comes back: b's listener reconnects by itself, so the
	// next flip reaches b long before its 30 s safety reload could.
	sqlExec(t, admin, "ALTER DATABASE "+name+" ALLOW_CONNECTIONS true")
	allowed = true
	waitListening(t, dbURL, 2)
	back := do(t, "POST", a.base+"/api/v1/flags/new-payment-sheet/flip", []byte(`{"to":"default","reason":"fixed"}`),
		"Authorization", "Bearer "+a.write)
	flipped = time.Now()
	if back.status != 200 {
		t.Fatalf("flip back on a: %d %s", back.status, back.body)
	}
	for evalB().json(t)["value"] != true {
		if time.Since(flipped) > time.Second {
			t.Fatal("replica b did not serve the flip back within a second of its listener reconnecting")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitListening waits until n sessions listen for flag changes.
func waitListening(t *testing.T, dbURL string, n int) {
	t.Helper()
	db := openAdmin(t, dbURL)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var listening int
		// A listening session waits in ClientRead with "LISTEN …" as its
		// last query.
		err := db.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN firebreak_flags%'").Scan(&listening)
		if err != nil {
			t.Fatal(err)
		}
		if listening >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d replicas listen for flag changes", listening, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func openAdmin(t *testing.T, dbURL string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func dbName(t *testing.T, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

func sqlExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
