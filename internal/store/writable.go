package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// SQLiteMaxPages, when above zero, caps the SQLite file at that many pages
// (PRAGMA max_page_count on every connection): a full disk emulated without
// a small file system, for the disk-full test (serve's hidden
// --sqlite-max-pages). Zero: no cap.
var SQLiteMaxPages int

// sqliteMinFree is the free space below which the store reports that it
// cannot write: a write needs room for its WAL frames, and a server that
// fills the last bytes fails mid-storm.
const sqliteMinFree = 16 << 20

// sqliteMinPages is the same margin in pages, under a page cap.
const sqliteMinPages = 16

// NotWritableError says that the store answers but cannot take writes.
type NotWritableError struct{ Reason string }

func (e *NotWritableError) Error() string { return "the store cannot write: " + e.Reason }

// CheckWritable reports whether the store can take writes now. On SQLite a
// full disk still answers reads (and pings), so it looks at the free space
// of the file system and of a page cap, and rewrites one row. On PostgreSQL
// the server reports its own trouble; a ping is the check.
func (db *DB) CheckWritable(ctx context.Context) error {
	if db.Dialect != SQLite {
		return nil
	}
	path := strings.TrimPrefix(strings.TrimPrefix(db.URL, "sqlite://"), "sqlite:")
	var fs syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &fs); err == nil {
		if free := fs.Bavail * uint64(fs.Bsize); free < sqliteMinFree {
			return &NotWritableError{Reason: fmt.Sprintf("%d KiB free on the data directory's file system", free>>10)}
		}
	}
	var pages, limit, freelist int64
	row := db.SQL.QueryRowContext(ctx, "SELECT (SELECT page_count FROM pragma_page_count()), (SELECT max_page_count FROM pragma_max_page_count()), (SELECT freelist_count FROM pragma_freelist_count())")
	if err := row.Scan(&pages, &limit, &freelist); err != nil {
		return fmt.Errorf("read the database's size: %w", err)
	}
	if limit-pages+freelist < sqliteMinPages {
		return &NotWritableError{Reason: fmt.Sprintf("the database is at its size limit (%d of %d pages)", pages, limit)}
	}
	_, err := db.SQL.ExecContext(ctx, `INSERT INTO store_probe (id, at) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET at = excluded.at`, db.t(time.Now()))
	if err != nil {
		return &NotWritableError{Reason: err.Error()}
	}
	return nil
}

// NotWritable is what /readyz answers with: the store cannot write, and why.
func (e *NotWritableError) NotWritable() string { return e.Error() }
