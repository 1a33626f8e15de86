package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ReportTexts returns the report text of each named incident that has a
// report: its sections in a fixed order, as the search index reads them.
// Callers pass bounded lists (recurrence candidates).
func (s *Reviews) ReportTexts(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for chunk := range slices.Chunk(ids, 500) {
		var a args
		vs := make([]any, len(chunk))
		for i, id := range chunk {
			vs[i] = id
		}
		rows, err := s.db.SQL.QueryContext(ctx, "SELECT incident_id, sections FROM reports WHERE incident_id IN "+a.in(vs), a...)
		if err != nil {
			return nil, fmt.Errorf("report texts: %w", err)
		}
		for rows.Next() {
			var id int64
			var raw string
			if err := rows.Scan(&id, &raw); err != nil {
				rows.Close()
				return nil, err
			}
			var sections map[string]string
			if err := (scanJSON{&sections}).Scan(raw); err != nil {
				rows.Close()
				return nil, err
			}
			parts := make([]string, 0, len(sections))
			for _, k := range slices.Sorted(maps.Keys(sections)) {
				parts = append(parts, sections[k])
			}
			out[id] = strings.Join(parts, "\n")
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// reindexChanged rewrites the search document of an incident that was
// just declared or changed (or whose report was), and tells OnIndexed.
func (db *DB) reindexChanged(ctx context.Context, tx *sql.Tx, incidentID int64) error {
	if err := db.reindex(ctx, tx, incidentID); err != nil {
		return err
	}
	if db.OnIndexed == nil {
		return nil
	}
	return db.OnIndexed(ctx, tx, incidentID)
}
