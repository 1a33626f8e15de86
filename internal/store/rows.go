package store

import (
	"context"
	"database/sql"
)

// rowScanner is a row to read: *sql.Row or *sql.Rows. The scanX functions
// take it so that one reads a row whether it came alone or in a list.
type rowScanner = interface{ Scan(...any) error }

// queryList runs q and reads each row with scan. The list is empty, not nil,
// when no row matches. Its errors are the driver's: callers wrap them with
// what they list.
func queryList[T any](ctx context.Context, db *sql.DB, scan func(rowScanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// deref reads rows with a scan that returns a pointer, for lists of values.
func deref[T any](scan func(rowScanner) (*T, error)) func(rowScanner) (T, error) {
	return func(r rowScanner) (T, error) {
		p, err := scan(r)
		if err != nil {
			var zero T
			return zero, err
		}
		return *p, nil
	}
}

// scanID reads a row whose one column is an id.
func scanID(r rowScanner) (int64, error) {
	var id int64
	err := r.Scan(&id)
	return id, err
}
