package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Copying an SQLite database into PostgreSQL (firebreak migrate-data). The
// tables are found in the source's schema, not listed here, so a table a
// later feature adds is copied without anyone remembering to; the few that
// are not copied are named in CopySkipped with the reason. Each table is
// copied in one target transaction that also records it as done in
// data_migration, so an interrupted copy resumes at the first table not
// done and never leaves half a table.

// CopySkipped names the source tables that are not copied, and why.
var CopySkipped = map[string]string{
	"schema_migrations": "the target has its own; both must be at the same version",
	"data_migration":    "migrate-data's own progress",
	"search_docs":       "the search index is built differently per database; it is rebuilt from the copied incidents and reports",
	"search_fts":        "SQLite's full-text index; rebuilt in the target's form",
}

// copySkippedPrefixes are families of tables that are not copied: the job
// queue's own tables (queued jobs are the server's; migrate-data re-enqueues
// what undelivered messages need) and the full-text index's shadow tables.
var copySkippedPrefixes = map[string]string{
	"river_":      "the job queue's own state; undelivered messages are re-enqueued after the copy",
	"search_fts_": "shadow table of SQLite's full-text index",
}

// SkipReason says why a source table is not copied, or "" when it is.
func SkipReason(table string) string {
	if r, ok := CopySkipped[table]; ok {
		return r
	}
	for p, r := range copySkippedPrefixes {
		if strings.HasPrefix(table, p) {
			return r
		}
	}
	return ""
}

// CopyProgress reports a table's progress.
type CopyProgress struct {
	Table      string
	Done, Rows int64
	Finished   bool
	Resumed    bool // done by an earlier run
}

// CopyOptions tunes CopyData.
type CopyOptions struct {
	// Force copies into a target that holds data of its own: its tables
	// are emptied first.
	Force bool
	// Progress, when set, is called as rows are copied.
	Progress func(CopyProgress)
	// Now stamps the progress records (default time.Now).
	Now func() time.Time
}

// TableCopy is what happened to one table.
type TableCopy struct {
	Table    string
	Rows     int64
	Checksum string // of the source rows, which the target's matched
	Skipped  string // the reason, when not copied
	Resumed  bool
}

// ErrTargetNotEmpty is returned when the target holds data and Force is off.
var ErrTargetNotEmpty = errors.New("the target database is not empty")

// CopyData copies every table of the SQLite database src into the
// PostgreSQL database dst; both must be migrated to the same schema version.
// At the end every copied table's row count and checksum are compared
// between source and target.
func CopyData(ctx context.Context, src, dst *DB, opts CopyOptions) ([]TableCopy, error) {
	if src.Dialect != SQLite || dst.Dialect != Postgres {
		return nil, errors.New("migrate-data copies an SQLite database into PostgreSQL")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := sameVersion(ctx, src, dst); err != nil {
		return nil, err
	}
	tables, skipped, err := sourceTables(ctx, src)
	if err != nil {
		return nil, err
	}
	done, err := copiedTables(ctx, dst)
	if err != nil {
		return nil, err
	}
	if len(done) == 0 {
		var full []string
		for _, t := range tables {
			var n int64
			if err := dst.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quoteIdent(t)).Scan(&n); err != nil {
				return nil, fmt.Errorf("table %s is not in the target: %w", t, err)
			}
			if n > 0 {
				full = append(full, fmt.Sprintf("%s (%d rows)", t, n))
			}
		}
		if len(full) > 0 && !opts.Force {
			return nil, fmt.Errorf("%w: %s; give --force to replace its data", ErrTargetNotEmpty, strings.Join(full, ", "))
		}
		if len(full) > 0 {
			if err := emptyTables(ctx, dst, tables); err != nil {
				return nil, err
			}
		}
	}
	var out []TableCopy
	for _, t := range skipped {
		out = append(out, TableCopy{Table: t, Skipped: SkipReason(t)})
	}
	for _, t := range tables {
		if _, ok := done[t]; ok {
			if opts.Progress != nil {
				opts.Progress(CopyProgress{Table: t, Done: done[t], Rows: done[t], Finished: true, Resumed: true})
			}
			continue
		}
		if err := copyTable(ctx, src, dst, t, opts); err != nil {
			return out, fmt.Errorf("copy %s: %w", t, err)
		}
	}
	if err := fixSequences(ctx, dst, tables); err != nil {
		return out, err
	}
	for _, t := range tables {
		cols, err := targetColumns(ctx, dst, t)
		if err != nil {
			return out, err
		}
		sn, ssum, err := tableChecksum(ctx, src, t, cols)
		if err != nil {
			return out, fmt.Errorf("checksum %s in the source: %w", t, err)
		}
		dn, dsum, err := tableChecksum(ctx, dst, t, cols)
		if err != nil {
			return out, fmt.Errorf("checksum %s in the target: %w", t, err)
		}
		if sn != dn || ssum != dsum {
			return out, fmt.Errorf("table %s differs after the copy: source %d rows (%s), target %d rows (%s)", t, sn, ssum, dn, dsum)
		}
		_, resumed := done[t]
		out = append(out, TableCopy{Table: t, Rows: sn, Checksum: ssum, Resumed: resumed})
	}
	return out, nil
}

func sameVersion(ctx context.Context, src, dst *DB) error {
	var sv, dv int
	if err := src.SQL.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&sv); err != nil {
		return fmt.Errorf("source schema version: %w", err)
	}
	if err := dst.SQL.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&dv); err != nil {
		return fmt.Errorf("target schema version: %w", err)
	}
	if sv != dv {
		return fmt.Errorf("source is at schema version %d, target at %d; migrate both with this binary first", sv, dv)
	}
	return nil
}

// sourceTables returns the tables to copy, parents before the tables whose
// foreign keys point at them, and the tables skipped.
func sourceTables(ctx context.Context, src *DB) (copy, skipped []string, err error) {
	rows, err := src.SQL.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		return nil, nil, err
	}
	var all []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, nil, err
		}
		all = append(all, n)
	}
	rows.Close()
	parents := map[string][]string{}
	for _, t := range all {
		if SkipReason(t) != "" {
			skipped = append(skipped, t)
			continue
		}
		copy = append(copy, t)
		fk, err := src.SQL.QueryContext(ctx, `SELECT DISTINCT "table" FROM pragma_foreign_key_list($1)`, t)
		if err != nil {
			return nil, nil, err
		}
		for fk.Next() {
			var p string
			if err := fk.Scan(&p); err != nil {
				fk.Close()
				return nil, nil, err
			}
			if p != t {
				parents[t] = append(parents[t], p)
			}
		}
		fk.Close()
	}
	return topoOrder(copy, parents), skipped, nil
}

// topoOrder puts every table after its parents (names order ties).
func topoOrder(tables []string, parents map[string][]string) []string {
	var out []string
	seen := map[string]int{} // 1 visiting, 2 done
	var visit func(t string)
	visit = func(t string) {
		if seen[t] != 0 {
			return // done, or a cycle, which the copy order cannot help
		}
		seen[t] = 1
		ps := append([]string(nil), parents[t]...)
		sort.Strings(ps)
		for _, p := range ps {
			visit(p)
		}
		seen[t] = 2
		out = append(out, t)
	}
	for _, t := range tables {
		visit(t)
	}
	// Only tables being copied: a parent that is skipped is not listed.
	keep := map[string]bool{}
	for _, t := range tables {
		keep[t] = true
	}
	res := out[:0]
	for _, t := range out {
		if keep[t] {
			res = append(res, t)
		}
	}
	return res
}

func copiedTables(ctx context.Context, dst *DB) (map[string]int64, error) {
	rows, err := dst.SQL.QueryContext(ctx, "SELECT table_name, row_count FROM data_migration")
	if err != nil {
		return nil, fmt.Errorf("read migrate-data progress: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var t string
		var n int64
		if err := rows.Scan(&t, &n); err != nil {
			return nil, err
		}
		out[t] = n
	}
	return out, rows.Err()
}

// emptyTables empties the target for a forced copy, in one transaction.
// The append-only audit log refuses TRUNCATE through a trigger of its own;
// replacing the whole database is what --force asks for, so the tables'
// own triggers are off for just this statement (foreign keys stay on).
func emptyTables(ctx context.Context, dst *DB, tables []string) error {
	q := make([]string, len(tables))
	for i, t := range tables {
		q[i] = quoteIdent(t)
	}
	err := dst.inTx(ctx, func(tx *sql.Tx) error {
		for _, t := range q {
			if _, err := tx.ExecContext(ctx, "ALTER TABLE "+t+" DISABLE TRIGGER USER"); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "TRUNCATE "+strings.Join(q, ", ")+" CASCADE"); err != nil {
			return err
		}
		for _, t := range q {
			if _, err := tx.ExecContext(ctx, "ALTER TABLE "+t+" ENABLE TRIGGER USER"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("empty the target: %w", err)
	}
	return nil
}

// column is a target column and the PostgreSQL type its values take.
type column struct {
	name, typ string
}

// targetColumns lists the columns of the target table that a copy writes:
// all but generated ones.
func targetColumns(ctx context.Context, dst *DB, table string) ([]column, error) {
	rows, err := dst.SQL.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'
		ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.typ); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("table %s is not in the target (a table must be copied or listed in CopySkipped)", table)
	}
	return out, rows.Err()
}

// sourceColumns checks that every source column has a place in the target:
// a value must never be dropped silently.
func sourceColumns(ctx context.Context, src *DB, table string, cols []column) error {
	rows, err := src.SQL.QueryContext(ctx, "SELECT name FROM pragma_table_info($1)", table)
	if err != nil {
		return err
	}
	defer rows.Close()
	have := map[string]bool{}
	for _, c := range cols {
		have[c.name] = true
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		if !have[n] {
			return fmt.Errorf("column %s.%s has no place in the target", table, n)
		}
	}
	return rows.Err()
}

// copyBatch is how many rows go in one INSERT (PostgreSQL takes at most
// 65535 parameters in a statement).
const copyBatch = 500

func copyTable(ctx context.Context, src, dst *DB, table string, opts CopyOptions) error {
	cols, err := targetColumns(ctx, dst, table)
	if err != nil {
		return err
	}
	if err := sourceColumns(ctx, src, table, cols); err != nil {
		return err
	}
	// Only the columns the source has (a target column it lacks keeps its
	// default).
	present := map[string]bool{}
	prow, err := src.SQL.QueryContext(ctx, "SELECT name FROM pragma_table_info($1)", table)
	if err != nil {
		return err
	}
	for prow.Next() {
		var n string
		_ = prow.Scan(&n)
		present[n] = true
	}
	prow.Close()
	var use []column
	for _, c := range cols {
		if present[c.name] {
			use = append(use, c)
		}
	}
	var total int64
	if err := src.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quoteIdent(table)).Scan(&total); err != nil {
		return err
	}
	names := make([]string, len(use))
	for i, c := range use {
		names[i] = quoteIdent(c.name)
	}
	rows, err := src.SQL.QueryContext(ctx, "SELECT "+strings.Join(names, ", ")+" FROM "+quoteIdent(table))
	if err != nil {
		return err
	}
	defer rows.Close()
	tx, err := dst.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck
	batch := max(1, min(copyBatch, 60000/len(use)))
	var pending [][]any
	var done int64
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		var b strings.Builder
		b.WriteString("INSERT INTO " + quoteIdent(table) + " (" + strings.Join(names, ", ") + ") OVERRIDING SYSTEM VALUE VALUES ")
		args := make([]any, 0, len(pending)*len(use))
		for i, r := range pending {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				args = append(args, r[j])
				b.WriteString("$" + strconv.Itoa(len(args)) + "::" + pgCast(use[j].typ))
			}
			b.WriteString(")")
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		done += int64(len(pending))
		pending = pending[:0]
		if opts.Progress != nil {
			opts.Progress(CopyProgress{Table: table, Done: done, Rows: total})
		}
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(use))
		ptrs := make([]any, len(use))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, c := range use {
			vals[i] = toTarget(vals[i], c.typ)
		}
		pending = append(pending, vals)
		if len(pending) >= batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO data_migration (table_name, row_count, copied_at) VALUES ($1, $2, $3)",
		table, done, opts.Now().UTC()); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if opts.Progress != nil {
		opts.Progress(CopyProgress{Table: table, Done: done, Rows: total, Finished: true})
	}
	return nil
}

// pgCast is the cast a parameter of a column's type takes, so that text
// from SQLite becomes the right value.
func pgCast(dataType string) string {
	switch dataType {
	case "USER-DEFINED", "ARRAY":
		return "text"
	}
	return dataType
}

// toTarget turns an SQLite value into what PostgreSQL takes for the type.
func toTarget(v any, dataType string) any {
	switch x := v.(type) {
	case nil:
		return nil
	case []byte:
		if dataType == "bytea" {
			return x
		}
		return string(x)
	case int64:
		if dataType == "boolean" {
			return x != 0
		}
	case time.Time:
		return x.UTC()
	}
	return v
}

// tableChecksum reads a table's columns from either database and returns
// the row count and a checksum that does not depend on row order or on how
// each database spells a value: every value is first put in one canonical
// form by the target column's type.
func tableChecksum(ctx context.Context, db *DB, table string, cols []column) (int64, string, error) {
	present := map[string]bool{}
	if db.Dialect == SQLite {
		r, err := db.SQL.QueryContext(ctx, "SELECT name FROM pragma_table_info($1)", table)
		if err != nil {
			return 0, "", err
		}
		for r.Next() {
			var n string
			_ = r.Scan(&n)
			present[n] = true
		}
		r.Close()
	}
	var use []column
	var names []string
	for _, c := range cols {
		if db.Dialect == SQLite && !present[c.name] {
			continue
		}
		use = append(use, c)
		name := quoteIdent(c.name)
		if db.Dialect == Postgres && (c.typ == "USER-DEFINED" || c.typ == "ARRAY" || strings.HasPrefix(c.typ, "json")) {
			name += "::text"
		}
		names = append(names, name)
	}
	rows, err := db.SQL.QueryContext(ctx, "SELECT "+strings.Join(names, ", ")+" FROM "+quoteIdent(table))
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	sum := new(big.Int)
	mod := new(big.Int).Lsh(big.NewInt(1), 128)
	var n int64
	vals := make([]any, len(use))
	ptrs := make([]any, len(use))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, "", err
		}
		h := sha256.New()
		for i, c := range use {
			s := canonical(vals[i], c.typ)
			_ = binary.Write(h, binary.BigEndian, int64(len(s)))
			h.Write([]byte(s))
		}
		sum.Add(sum, new(big.Int).SetBytes(h.Sum(nil)[:16]))
		sum.Mod(sum, mod)
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, "", err
	}
	b := make([]byte, 16)
	sum.FillBytes(b)
	return n, hex.EncodeToString(b), nil
}

// canonical spells a value one way whichever database it came from.
func canonical(v any, dataType string) string {
	if v == nil {
		return "\x00null"
	}
	if b, ok := v.([]byte); ok && dataType != "bytea" {
		v = string(b)
	}
	switch {
	case dataType == "boolean":
		switch x := v.(type) {
		case bool:
			return strconv.FormatBool(x)
		case int64:
			return strconv.FormatBool(x != 0)
		}
	case strings.HasPrefix(dataType, "timestamp"):
		switch x := v.(type) {
		case time.Time:
			return x.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
		case string:
			if t, ok := parseTime(x); ok {
				return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
			}
		}
	case dataType == "date":
		switch x := v.(type) {
		case time.Time:
			return x.Format("2006-01-02")
		case string:
			if len(x) >= 10 {
				return x[:10]
			}
		}
	case strings.HasPrefix(dataType, "json"):
		if s, ok := v.(string); ok {
			var x any
			if json.Unmarshal([]byte(s), &x) == nil {
				b, _ := json.Marshal(x)
				return string(b)
			}
		}
	case dataType == "double precision" || dataType == "real" || dataType == "numeric":
		switch x := v.(type) {
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64)
		case int64:
			return strconv.FormatFloat(float64(x), 'g', -1, 64)
		case string:
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return strconv.FormatFloat(f, 'g', -1, 64)
			}
		}
	}
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return hex.EncodeToString(x)
	}
	return fmt.Sprint(v)
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999-07", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// fixSequences moves every identity or serial column's sequence past the
// highest id copied, so the next row the server writes gets a fresh id.
func fixSequences(ctx context.Context, dst *DB, tables []string) error {
	for _, t := range tables {
		rows, err := dst.SQL.QueryContext(ctx, `SELECT column_name, pg_get_serial_sequence(quote_ident($1), column_name)
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1
			AND pg_get_serial_sequence(quote_ident($1), column_name) IS NOT NULL`, t)
		if err != nil {
			return fmt.Errorf("sequences of %s: %w", t, err)
		}
		type seq struct{ col, name string }
		var seqs []seq
		for rows.Next() {
			var s seq
			if err := rows.Scan(&s.col, &s.name); err != nil {
				rows.Close()
				return err
			}
			seqs = append(seqs, s)
		}
		rows.Close()
		for _, s := range seqs {
			q := fmt.Sprintf("SELECT setval($1, COALESCE((SELECT MAX(%s) FROM %s), 0) + 1, false)", quoteIdent(s.col), quoteIdent(t))
			if _, err := dst.SQL.ExecContext(ctx, q, s.name); err != nil {
				return fmt.Errorf("move the sequence of %s.%s: %w", t, s.col, err)
			}
		}
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Rows gives a row count of table, for checks and reports.
func (db *DB) Rows(ctx context.Context, table string) (int64, error) {
	var n int64
	err := db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quoteIdent(table)).Scan(&n)
	return n, err
}
