package store_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestHoldDatabaseOpen is not a test: run by TestRestoreNamesAProcessUsingTheDatabase
// in a process of its own, it keeps the database open until its stdin closes,
// as a server with a paused job queue (no queue leader) does.
func TestHoldDatabaseOpen(t *testing.T) {
	path := os.Getenv("FIREBREAK_HOLD_DB")
	if path == "" {
		t.Skip("helper process only")
	}
	db := testutil.OpenStore(t, "sqlite:"+path)
	if err := db.SQL.Ping(); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("open\n")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
}

// TestRestoreNamesAProcessUsingTheDatabase: a restore over a database that
// another process has open says so, leader or not; once it is closed, it
// does not.
func TestRestoreNamesAProcessUsingTheDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "firebreak.db")
	db := testutil.OpenStore(t, "sqlite:"+path)
	backup := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldDatabaseOpen$")
	cmd.Env = append(os.Environ(), "FIREBREAK_HOLD_DB="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "open\n" {
		t.Fatalf("helper: %q %v", line, err)
	}
	_, err = store.Restore(ctx, backup, path, store.RestoreOptions{})
	if err == nil || !strings.Contains(err.Error(), store.ErrLive.Error()) {
		t.Errorf("restore over a database another process has open: %v, want it named in use", err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	_, err = store.Restore(ctx, backup, path, store.RestoreOptions{})
	if err == nil || strings.Contains(err.Error(), store.ErrLive.Error()) {
		t.Errorf("restore over a database nobody has open: %v, want refused without --force, not named in use", err)
	}
}
