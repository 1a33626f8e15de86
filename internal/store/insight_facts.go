package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// The insight facts (migration 0043) are a narrow copy of what the insights
// measure, one row per incident. They are written here, in the transaction
// that declares or changes the incident (CreateIncident, ChangeIncident) or
// links it to an earlier one (SaveMatches), rather than by a job: a job
// would leave the page behind the incident for a while, and the row is a
// handful of integers, so writing it costs the write path next to nothing.

// factSep joins an incident's services and cause tags in one column. It is a
// C0 control character, which the input rules keep out of both.
const factSep = "\x1f"

// seconds is the whole seconds from one time to another, or nil when there
// is no end time or it comes before the start (times entered out of order
// are left out of the measures, not counted as zero).
func seconds(from time.Time, to *time.Time) any {
	if to == nil || to.Before(from) {
		return nil
	}
	return int64(to.Sub(from) / time.Second)
}

func unixOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Unix()
}

// writeFacts writes the insight facts of inc as it now stands. Whether it
// recurs is read from its recurrence links in the same statement.
func (db *DB) writeFacts(ctx context.Context, q queryer, inc *incident.Incident) error {
	return db.putFacts(ctx, q, inc, `ON CONFLICT (incident_id) DO UPDATE SET
			started_unix = excluded.started_unix,
			resolved_unix = excluded.resolved_unix,
			grade = excluded.grade,
			restricted = excluded.restricted,
			recurs = excluded.recurs,
			detection = excluded.detection,
			services = excluded.services,
			cause_tags = excluded.cause_tags,
			detect_s = excluded.detect_s,
			ack_s = excluded.ack_s,
			mitigate_s = excluded.mitigate_s,
			resolve_s = excluded.resolve_s`)
}

// putFacts inserts inc's facts; onConflict says what a row already there
// gets.
func (db *DB) putFacts(ctx context.Context, q queryer, inc *incident.Incident, onConflict string) error {
	restricted := 0
	if inc.Visibility == incident.Restricted {
		restricted = 1
	}
	_, err := q.ExecContext(ctx, `INSERT INTO insight_facts (
			incident_id,
			started_unix,
			resolved_unix,
			grade,
			restricted,
			recurs,
			detection,
			services,
			cause_tags,
			detect_s,
			ack_s,
			mitigate_s,
			resolve_s
		) VALUES (
			$1, $2, $3, $4, $5,
			CASE WHEN EXISTS (SELECT 1 FROM incident_recurrences r WHERE r.incident_id = $1) THEN 1 ELSE 0 END,
			$6, $7, $8, $9, $10, $11, $12)
		`+onConflict,
		inc.ID,
		inc.StartedAt.Unix(),
		unixOrNil(inc.ResolvedAt),
		int(inc.Grade),
		restricted,
		string(inc.Detection),
		strings.Join(inc.Services, factSep),
		strings.Join(inc.CauseTags, factSep),
		seconds(inc.StartedAt, &inc.DetectedAt),
		seconds(inc.DetectedAt, inc.AcknowledgedAt),
		seconds(inc.StartedAt, inc.MitigatedAt),
		seconds(inc.StartedAt, inc.ResolvedAt),
	)
	if err != nil {
		return fmt.Errorf("write insight facts of %s: %w", incident.FormatRef(inc.ID), err)
	}
	return nil
}

// markRecurs sets the recurrence flag of an incident just linked to an
// earlier one.
func (db *DB) markRecurs(ctx context.Context, tx *sql.Tx, incidentID int64) error {
	if _, err := tx.ExecContext(ctx, "UPDATE insight_facts SET recurs = 1 WHERE incident_id = $1", incidentID); err != nil {
		return fmt.Errorf("mark recurrence in insight facts: %w", err)
	}
	return nil
}

// analyzeFacts refreshes PostgreSQL's statistics of insight_facts after a
// backfill of n rows. Until autovacuum gets to it (up to a minute or more),
// the planner would take a table just filled with thousands of rows for an
// empty one and join it by nested loops: a year's review question measured
// 1.5 s instead of milliseconds. SQLite plans from its indexes alone.
func (db *DB) analyzeFacts(ctx context.Context, n int) error {
	if n == 0 || db.Dialect != Postgres {
		return nil
	}
	if _, err := db.SQL.ExecContext(ctx, "ANALYZE insight_facts"); err != nil {
		return fmt.Errorf("analyze insight facts: %w", err)
	}
	return nil
}

// itemFactsSQL sums up the action items of incident $1 on its facts row,
// as the triggers of migration 0052 do on every change to an item; the
// backfill runs it for the facts rows it writes after the items.
func (db *DB) itemFactsSQL() string {
	epoch := func(col string) string { return "floor(extract(epoch FROM " + col + "))::bigint" }
	if db.Dialect == SQLite {
		epoch = func(col string) string { return "unixepoch(" + col + ")" }
	}
	return `UPDATE insight_facts SET (item_n, item_opened_min, item_opened_max, item_done_n, item_done_min, item_done_max, item_done_due_n, item_done_on_time_n) = (
		SELECT COUNT(*), MIN(` + epoch("created_at") + `), MAX(` + epoch("created_at") + `),
			COUNT(CASE WHEN status = 'done' THEN done_at END),
			MIN(CASE WHEN status = 'done' THEN ` + epoch("done_at") + ` END),
			MAX(CASE WHEN status = 'done' THEN ` + epoch("done_at") + ` END),
			COUNT(CASE WHEN status = 'done' AND done_at IS NOT NULL THEN due_at END),
			COUNT(CASE WHEN status = 'done' AND done_at <= due_at THEN 1 END)
		FROM action_items WHERE incident_id = $1)
	WHERE incident_id = $1`
}

// factsBatch bounds one backfill transaction.
const factsBatch = 500

// BackfillInsightFacts writes the insight facts of every incident that has
// none: those recorded before migration 0043, or written by a tool that
// bypasses the incident store (a bulk load). Migrate runs it, so a migrated
// database is complete; on a complete one it costs one indexed query. It
// returns how many incidents it filled.
//
// The incidents are read outside the writing transaction, so a row that a
// concurrent change wrote meanwhile is left as it is (it is newer).
func (db *DB) BackfillInsightFacts(ctx context.Context) (int, error) {
	n := 0
	for {
		incs, err := db.Incidents().queryIncidents(ctx, "SELECT "+incidentColumns+` FROM incidents i
			WHERE NOT EXISTS (SELECT 1 FROM insight_facts f WHERE f.incident_id = i.id)
			ORDER BY i.id LIMIT $1`, args{factsBatch})
		if err != nil {
			return n, fmt.Errorf("find incidents without insight facts: %w", err)
		}
		if len(incs) == 0 {
			return n, db.analyzeFacts(ctx, n)
		}
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			for _, inc := range incs {
				if err := db.putFacts(ctx, tx, inc, "ON CONFLICT (incident_id) DO NOTHING"); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, db.itemFactsSQL(), inc.ID); err != nil {
					return fmt.Errorf("sum up action items of %s: %w", incident.FormatRef(inc.ID), err)
				}
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("backfill insight facts: %w", err)
		}
		n += len(incs)
	}
}
