package cli

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/demo"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// filledSQLite makes an SQLite database as the demo fills it, plus a storm
// of 1,500 alert signals, and returns its file and the demo admin token.
func filledSQLite(t *testing.T) (string, string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "firebreak.db")
	cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.Open(ctx, server.Options{DatabaseURL: "sqlite:" + path, Catalog: cat, Logger: testutil.TestLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.DB.Close()
	now := time.Now()
	token, _, err := demo.Seed(ctx, srv.Users, srv.Passwords, srv.Incidents, srv.Catalog, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedChanges(ctx, srv.Changes, srv.Catalog, now); err != nil {
		t.Fatal(err)
	}
	for b := 0; b < 15; b++ {
		var sigs []*intake.Signal
		for i := 0; i < 100; i++ {
			sigs = append(sigs, &intake.Signal{Source: "alertmanager", Fingerprint: fmt.Sprintf("storm-%d-%d", b, i),
				Status: intake.Firing, Title: "디스크 가득 참 disk full", Labels: map[string]string{"service": "payments", "n": fmt.Sprint(i)},
				StartsAt: now, Count: 1, FirstSeen: now, LastSeen: now})
		}
		if err := srv.Intake.Accept(ctx, sigs, nil); err != nil {
			t.Fatal(err)
		}
	}
	return path, token
}

// TestMigrateDataCopiesEverything: a database filled by the demo and a
// storm is copied into PostgreSQL: every table is copied or named as
// skipped, counts and checksums match, the demo token still signs in, new
// rows get fresh ids, a second run resumes without copying again, and a
// target with data of its own is refused unless --force.
func TestMigrateDataCopiesEverything(t *testing.T) {
	ctx := context.Background()
	path, token := filledSQLite(t)
	pgURL := testutil.PostgresURL(t)
	var out bytes.Buffer
	if err := migrateData(ctx, &out, path, pgURL, false); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "Counts and checksums match") || !strings.Contains(out.String(), "incidents ") ||
		!strings.Contains(out.String(), "rows copied") || !strings.Contains(out.String(), "skipped river_job") {
		t.Fatalf("output:\n%s", out.String())
	}

	src := testutil.OpenStore(t, "sqlite:"+path)
	dst := testutil.OpenStore(t, pgURL)
	res, err := store.CopyData(ctx, src, dst, store.CopyOptions{}) // resumes: everything done
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]store.TableCopy{}
	for _, r := range res {
		tables[r.Table] = r
	}
	rows, err := src.SQL.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		_ = rows.Scan(&name)
		r, ok := tables[name]
		switch {
		case !ok:
			t.Errorf("table %s is neither copied nor listed as skipped", name)
		case r.Skipped == "" && !r.Resumed:
			t.Errorf("table %s was copied again by a resumed run", name)
		case r.Skipped == "":
			n, err := src.Rows(ctx, name)
			if err != nil || n != r.Rows {
				t.Errorf("table %s: %d rows copied, source has %d (%v)", name, r.Rows, n, err)
			}
		}
	}
	rows.Close()
	for _, must := range []string{"incidents", "timeline_events", "users", "api_tokens", "signals", "audit_log", "changes"} {
		if r := tables[must]; r.Skipped != "" || r.Rows == 0 {
			t.Errorf("%s: %+v, want rows copied", must, r)
		}
	}

	// The checksum sees a changed value, not only a changed count.
	if _, err := dst.SQL.Exec("UPDATE incidents SET title = title || '!' WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CopyData(ctx, src, dst, store.CopyOptions{}); err == nil || !strings.Contains(err.Error(), "incidents differs") {
		t.Fatalf("copy check after a target row changed: %v", err)
	}
	if _, err := dst.SQL.Exec("UPDATE incidents SET title = left(title, length(title) - 1) WHERE id = 1"); err != nil {
		t.Fatal(err)
	}

	// The copy works as a server's database.
	pg, err := server.Open(ctx, server.Options{DatabaseURL: pgURL, Logger: testutil.TestLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.DB.Close()
	if u, err := pg.Users.Authenticate(ctx, token); err != nil || u.Name != demo.AdminName {
		t.Fatalf("demo token after the copy: %+v, %v", u, err)
	}
	var maxID int64
	if err := src.SQL.QueryRow("SELECT MAX(id) FROM incidents").Scan(&maxID); err != nil {
		t.Fatal(err)
	}
	inc := &incident.Incident{Title: "복사 후 새 장애 after the copy", Grade: incident.SEV4, Status: incident.Investigating, Source: "manual",
		Visibility: incident.Public, CreatedBy: demo.AdminName, StartedAt: time.Now(), DetectedAt: time.Now(), CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := pg.DB.Incidents().CreateIncident(ctx, inc, nil); err != nil || inc.ID <= maxID {
		t.Fatalf("new incident got id %d (%v), want past the copied %d", inc.ID, err, maxID)
	}
	var hits int64
	if err := dst.SQL.QueryRow("SELECT COUNT(*) FROM search_docs").Scan(&hits); err != nil || hits < maxID {
		t.Fatalf("search index holds %d documents (%v), want every copied incident (%d)", hits, err, maxID)
	}

	// A target with data of its own is refused, and replaced with --force.
	if _, err := dst.SQL.Exec("DELETE FROM data_migration"); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := migrateData(ctx, &out, path, pgURL, false); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("copy into a full target: %v", err)
	}
	out.Reset()
	if err := migrateData(ctx, &out, path, pgURL, true); err != nil {
		t.Fatalf("forced copy: %v\n%s", err, out.String())
	}
}

// TestMigrateDataRefusesAnUnknownTable: a source table that the target
// lacks and that is not listed as skipped stops the copy, naming it.
func TestMigrateDataRefusesAnUnknownTable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "firebreak.db")
	src := testutil.OpenStore(t, "sqlite:"+path)
	if _, err := src.SQL.Exec("CREATE TABLE future_feature (id INTEGER PRIMARY KEY, note TEXT)"); err != nil {
		t.Fatal(err)
	}
	src.Close()
	var out bytes.Buffer
	err := migrateData(ctx, &out, path, testutil.PostgresURL(t), false)
	if err == nil || !strings.Contains(err.Error(), "future_feature") {
		t.Fatalf("copy with an unknown table: %v", err)
	}
}

// TestBackupAndRestoreCommands: backup writes a checked copy and refuses to
// overwrite one; restore refuses an existing database without --force and
// keeps it with; PostgreSQL users are pointed to pg_dump.
func TestBackupAndRestoreCommands(t *testing.T) {
	path, _ := filledSQLite(t)
	dbURL := "sqlite:" + path
	backup := filepath.Join(t.TempDir(), "b.db")
	if out, err := admin(t, dbURL, "backup", "--to", backup); err != nil || !strings.Contains(out, "Backed up") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if _, err := admin(t, dbURL, "backup", "--to", backup); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("backup over a backup: %v", err)
	}
	if _, err := admin(t, dbURL, "restore", "--from", backup); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore over the database without --force: %v", err)
	}
	out, err := admin(t, dbURL, "restore", "--from", backup, "--force")
	if err != nil || !strings.Contains(out, "before-restore-") {
		t.Fatalf("forced restore: %v\n%s", err, out)
	}
	if _, err := admin(t, "postgres://nobody@127.0.0.1:1/x", "backup", "--to", backup+"2"); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup of PostgreSQL: %v", err)
	}
}
