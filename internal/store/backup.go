package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Backup writes a consistent copy of the SQLite database to dest while the
// database may be in use: VACUUM INTO reads one snapshot (WAL readers never
// wait for the writer, nor it for them) and writes a compact file with no
// WAL of its own. The copy is written beside dest and renamed into place
// once it is complete and passes an integrity check, so dest is either the
// whole backup or untouched. An existing dest is refused: a backup never
// overwrites another one.
func (db *DB) Backup(ctx context.Context, dest string) error {
	if db.Dialect != SQLite {
		return errors.New("backup copies SQLite databases; for PostgreSQL use pg_dump (docs/operations.md)")
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s exists; a backup does not overwrite a file", dest)
	}
	tmp := dest + ".partial"
	_ = os.Remove(tmp)
	if _, err := db.SQL.ExecContext(ctx, "VACUUM INTO $1", tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("copy the database: %w", err)
	}
	if err := CheckSQLiteFile(ctx, tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("the copy: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dest))
}

// CheckSQLiteFile opens the SQLite file at path read-only and checks that it
// is a whole, uncorrupted Firebreak database: PRAGMA integrity_check passes
// and it has a schema version.
func CheckSQLiteFile(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	var res []string
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("%s is not a readable SQLite database: %w", path, err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		res = append(res, s)
	}
	rows.Close()
	if len(res) != 1 || res[0] != "ok" {
		return fmt.Errorf("%s fails the integrity check: %s", path, strings.Join(res, "; "))
	}
	var version int
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&version); err != nil || version == 0 {
		return fmt.Errorf("%s is not a Firebreak database (no schema version)", path)
	}
	return nil
}

// RestoreOptions tunes Restore.
type RestoreOptions struct {
	// Force replaces an existing database. The one replaced is kept beside
	// it, renamed with a ".before-restore-<time>" suffix.
	Force bool
	// Now stamps the kept file's name (default time.Now).
	Now func() time.Time
}

// ErrLive is returned when a restore would replace a database that a
// running server seems to be using.
var ErrLive = errors.New("a running server seems to use this database (it has the file open, or its job queue has a leader); stop it first")

// Restore brings the SQLite backup at from back as the database file to.
// The backup is checked first; an existing database is refused unless
// opts.Force, and even then kept aside, never deleted; a database that a
// server is running on is refused unless opts.Force. The new file is
// copied beside to and renamed into place, so a failed restore leaves
// whatever was there.
func Restore(ctx context.Context, from, to string, opts RestoreOptions) (kept string, err error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := CheckSQLiteFile(ctx, from); err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Stat(to); err == nil {
		if !opts.Force {
			live := ""
			if isLive(ctx, to, opts.Now()) {
				live = "; " + ErrLive.Error()
			}
			return "", fmt.Errorf("%s exists; give --force to replace it (it is kept beside, renamed)%s", to, live)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	} else if err := os.MkdirAll(filepath.Dir(to), 0o750); err != nil {
		return "", err
	}
	tmp := to + ".restoring"
	if err := copyFile(from, tmp); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("copy the backup: %w", err)
	}
	if _, err := os.Stat(to); err == nil {
		kept = fmt.Sprintf("%s.before-restore-%s", to, opts.Now().UTC().Format("20060102T150405Z"))
		// The WAL and its index belong to the old file: they go with it,
		// or SQLite would replay the old WAL onto the restored file.
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(to+suffix, kept+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				_ = os.Remove(tmp)
				return "", fmt.Errorf("keep the replaced database: %w", err)
			}
		}
	}
	if err := os.Rename(tmp, to); err != nil {
		return kept, err
	}
	return kept, syncDir(filepath.Dir(to))
}

// isLive tells whether a process has the database at path open (see
// shmInUse), or its job queue has a leader whose term has not run out:
// River renews it every few seconds while a server's queue works.
func isLive(ctx context.Context, path string, now time.Time) bool {
	if shmInUse(path) {
		return true
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return false
	}
	defer db.Close()
	var expires string
	if err := db.QueryRowContext(ctx, "SELECT expires_at FROM river_leader LIMIT 1").Scan(&expires); err != nil {
		return false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05.999999999-07:00"} {
		if t, err := time.Parse(layout, expires); err == nil {
			return t.After(now)
		}
	}
	return false
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	_ = d.Sync() // not every file system syncs directories; the rename stands
	return nil
}
