package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestBackupDuringWritesAndRestore: a backup taken while incidents (each
// with two timeline events, in one transaction) are being written holds a
// consistent snapshot: ids without gaps, every incident with both its
// events. Restoring it gives the same rows; restoring over a database is
// refused without --force, and with it the replaced one is kept.
func TestBackupDuringWritesAndRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "live", "firebreak.db")
	db := testutil.OpenStore(t, "sqlite:"+src)

	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			inc := newIncident("백업 중 쓰기 write during backup", incident.SEV3, incident.Public, "api")
			ev := []incident.Event{
				{At: t0, Actor: "alice", Kind: incident.EventDeclared, Data: map[string]any{"n": i}},
				{At: t0, Actor: "alice", Kind: incident.EventNote, Data: map[string]any{"text": "둘째"}},
			}
			if err := db.Incidents().CreateIncident(ctx, inc, ev); err != nil {
				t.Error(err)
				return
			}
			written.Add(1)
		}
	}()
	for written.Load() < 20 {
		time.Sleep(10 * time.Millisecond)
	}
	backup := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	for written.Load() < 40 { // writes go on after the backup
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	if err := db.Backup(ctx, backup); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a second backup to the same file: %v, want refused", err)
	}

	// The snapshot is consistent.
	bdb := testutil.OpenStore(t, "sqlite:"+backup)
	var n, maxID, orphans int64
	if err := bdb.SQL.QueryRow("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM incidents").Scan(&n, &maxID); err != nil {
		t.Fatal(err)
	}
	if n < 20 || n != maxID || n >= written.Load() {
		t.Fatalf("backup holds %d incidents up to id %d of %d written; want a gapless prefix", n, maxID, written.Load())
	}
	if err := bdb.SQL.QueryRow(`SELECT COUNT(*) FROM incidents i
		WHERE (SELECT COUNT(*) FROM timeline_events e WHERE e.incident_id = i.id) != 2`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Fatalf("%d incidents in the backup lack their events", orphans)
	}
	bdb.Close()

	// Restore into a fresh place: the same rows.
	restored := filepath.Join(dir, "restored", "firebreak.db")
	if _, err := store.Restore(ctx, backup, restored, store.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	rdb := testutil.OpenStore(t, "sqlite:"+restored)
	var rn, rev int64
	if err := rdb.SQL.QueryRow("SELECT (SELECT COUNT(*) FROM incidents), (SELECT COUNT(*) FROM timeline_events)").Scan(&rn, &rev); err != nil {
		t.Fatal(err)
	}
	if rn != n || rev != 2*n {
		t.Fatalf("restored %d incidents and %d events, want %d and %d", rn, rev, n, 2*n)
	}
	rdb.Close()

	// Over the live database: refused without force, and nothing changes.
	if _, err := store.Restore(ctx, backup, src, store.RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore over an existing database without force: %v", err)
	}
	var still int64
	if err := db.SQL.QueryRow("SELECT COUNT(*) FROM incidents").Scan(&still); err != nil || still != written.Load() {
		t.Fatalf("live database has %d incidents (%v), want %d untouched", still, err, written.Load())
	}
	db.Close()
	kept, err := store.Restore(ctx, backup, src, store.RestoreOptions{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(kept); err != nil {
		t.Fatalf("the replaced database was not kept: %v", err)
	}
	again := testutil.OpenStore(t, "sqlite:"+src)
	if err := again.SQL.QueryRow("SELECT COUNT(*) FROM incidents").Scan(&still); err != nil || still != n {
		t.Fatalf("after a forced restore %d incidents (%v), want the backup's %d", still, err, n)
	}
}

// TestRestoreRefusesABrokenBackup: a file that is not a Firebreak database
// is refused, and the target is not created.
func TestRestoreRefusesABrokenBackup(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.db")
	if err := os.WriteFile(bad, []byte("not a database at all, 데이터베이스 아님"), 0o600); err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(dir, "data", "firebreak.db")
	if _, err := store.Restore(context.Background(), bad, to, store.RestoreOptions{}); err == nil {
		t.Fatal("a broken backup was restored")
	}
	if _, err := os.Stat(to); !os.IsNotExist(err) {
		t.Fatalf("target exists after a refused restore: %v", err)
	}
}
