package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestBacklogAndInboxUsePartialIndexes: routing's backlog and the triage
// inbox are read through the partial indexes that hold just their signals
// (SQLite's plans are fixed by the schema, so they can be checked here).
func TestBacklogAndInboxUsePartialIndexes(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for where, index := range map[string]string{unroutedWhere: "signals_unrouted", triageWhere: "signals_triage"} {
		args := []any{"pending", 100, 10}[:strings.Count(where, "$")]
		rows, err := db.SQL.QueryContext(ctx, "EXPLAIN QUERY PLAN SELECT "+signalColumns+" FROM signals "+db.rebind(where), args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if got := strings.Join(plan, "; "); !strings.Contains(got, "INDEX "+index) {
			t.Errorf("%s: plan %q, want it through %s", where, got, index)
		}
	}
}
