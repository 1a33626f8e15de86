package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/insight"
	"golang.org/x/sync/errgroup"
)

// Insights reads what the insight measures need: the narrow per-incident
// facts (insight_facts, see insight_facts.go) and SQL aggregates of the
// action items. Each query is bounded by the filter's limit and narrowed to
// what the viewer may see in SQL.
type Insights struct{ db *DB }

// Insights returns the insight queries.
func (db *DB) Insights() *Insights { return &Insights{db: db} }

// factCond is the WHERE condition shared by the queries, on the facts f of
// an incident: grade, services and visibility, without the period (each
// query places that on its own column). A restricted incident counts only
// for its members, checked through incident_members' primary key.
func (s *Insights) factCond(f insight.Filter, a *args) []string {
	var where []string
	if len(f.Grades) > 0 {
		vs := make([]any, len(f.Grades))
		for i, g := range f.Grades {
			vs[i] = int(g)
		}
		where = append(where, "f.grade IN "+a.in(vs))
	}
	if len(f.Services) > 0 {
		vs := make([]any, len(f.Services))
		for i, svc := range f.Services {
			vs[i] = svc
		}
		where = append(where, "EXISTS (SELECT 1 FROM incident_services fs WHERE fs.incident_id = f.incident_id AND fs.service IN "+a.in(vs)+")")
	}
	if !f.SeeAll {
		where = append(where, "(f.restricted = 0 OR EXISTS (SELECT 1 FROM incident_members m WHERE m.incident_id = f.incident_id AND m.user_name = "+
			a.add(f.Viewer)+"))")
	}
	return where
}

// InsightIncidents returns the facts of the incidents started in the
// filter's period, earliest first (in the order of the index that finds
// them, so no sort).
func (s *Insights) InsightIncidents(ctx context.Context, f insight.Filter) ([]insight.IncidentRow, error) {
	var a args
	where := append([]string{
		"f.started_unix >= " + a.add(f.From.Unix()),
		"f.started_unix < " + a.add(f.To.Unix()),
	}, s.factCond(f, &a)...)
	q := `SELECT
			f.incident_id,
			f.grade,
			f.started_unix,
			f.detection,
			f.services,
			f.cause_tags,
			f.recurs,
			f.detect_s,
			f.ack_s,
			f.mitigate_s,
			f.resolve_s
		FROM insight_facts f
		WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY f.started_unix LIMIT ` + a.add(f.Limit)
	rows, err := s.db.SQL.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("insight incidents: %w", err)
	}
	defer rows.Close()
	var out []insight.IncidentRow
	var started, recurs int64
	var services, causes string
	var took [4]sql.NullInt64
	for rows.Next() {
		var r insight.IncidentRow
		err := rows.Scan(&r.ID, &r.Grade, &started, &r.Detection, &services, &causes, &recurs,
			&took[0], &took[1], &took[2], &took[3])
		if err != nil {
			return nil, fmt.Errorf("insight incidents: %w", err)
		}
		r.StartedAt = time.Unix(started, 0).UTC()
		r.Services, r.CauseTags = splitFacts(services), splitFacts(causes)
		r.Recurs = recurs != 0
		for i, t := range took {
			r.Took[i], r.Has[i] = time.Duration(t.Int64)*time.Second, t.Valid
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// splitFacts reads a list joined with factSep.
func splitFacts(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, factSep)
}

// InsightItemCounts counts, in SQL, the action items of the incidents the
// filter keeps that were opened in the period, done in it, done in it with a
// due date, and done by that date.
func (s *Insights) InsightItemCounts(ctx context.Context, f insight.Filter) (insight.ItemCounts, error) {
	var a args
	from, to := a.add(s.db.t(f.From)), a.add(s.db.t(f.To))
	where := append([]string{
		"ai.created_at < " + to,
		"(ai.done_at IS NULL OR ai.done_at >= " + from + ")",
	}, s.factCond(f, &a)...)
	doneIn := "ai.status = 'done' AND ai.done_at >= " + from + " AND ai.done_at < " + to
	q := `SELECT
		COALESCE(SUM(CASE WHEN ai.created_at >= ` + from + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + doneIn + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + doneIn + ` AND ai.due_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + doneIn + ` AND ai.due_at IS NOT NULL AND ai.done_at <= ai.due_at THEN 1 ELSE 0 END), 0)
		FROM action_items ai JOIN insight_facts f ON f.incident_id = ai.incident_id
		WHERE ` + strings.Join(where, " AND ")
	var c insight.ItemCounts
	err := s.db.SQL.QueryRowContext(ctx, q, a...).Scan(&c.Opened, &c.Done, &c.DoneDue, &c.DoneOnTime)
	if err != nil {
		return c, fmt.Errorf("insight item counts: %w", err)
	}
	return c, nil
}

// openItems is the FROM and WHERE of the open action items (open or in
// progress) created before the period's end, of the incidents the filter
// keeps.
func (s *Insights) openItems(f insight.Filter, a *args) string {
	where := append([]string{
		"ai.status IN ('open', 'in_progress')",
		"ai.created_at < " + a.add(s.db.t(f.To)),
	}, s.factCond(f, a)...)
	return "action_items ai JOIN insight_facts f ON f.incident_id = ai.incident_id WHERE " + strings.Join(where, " AND ")
}

// InsightOpenItems works out the open action items in SQL: per term and
// category their number, the creation time of the item of median age (the
// nearest rank, as the durations are) and of the oldest; the long-term items
// open too long and the overdue ones, counted and the worst listed. Covering
// indexes (0043) answer each statement without reading the items' rows but
// for the listed ones. (One windowed query would do it in a statement, but
// costs SQLite several times as much as a GROUP BY and one short indexed
// walk per term and category.)
func (s *Insights) InsightOpenItems(ctx context.Context, f insight.Filter, oq insight.OpenQuery) (insight.OpenItems, error) {
	var out insight.OpenItems
	// Each statement gets its own arguments: PostgreSQL refuses one it is
	// passed but does not use.
	long := func(a *args) string { return "ai.term = 'long' AND ai.created_at < " + a.add(s.db.t(oq.LongBefore)) }
	overdue := func(a *args) string { return "ai.due_at IS NOT NULL AND ai.due_at < " + a.add(s.db.t(oq.Now)) }
	var a args
	q := `SELECT
			ai.term,
			ai.category,
			COUNT(*),
			MIN(ai.created_at),
			COALESCE(SUM(CASE WHEN ` + long(&a) + ` THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN ` + overdue(&a) + ` THEN 1 ELSE 0 END), 0)
		FROM ` + s.openItems(f, &a) + `
		GROUP BY ai.term, ai.category`
	rows, err := s.db.SQL.QueryContext(ctx, q, a...)
	if err != nil {
		return out, fmt.Errorf("insight open items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g insight.OpenGroup
		var oldest scanTime
		var longN, overdueN int
		if err := rows.Scan(&g.Term, &g.Category, &g.Open, &oldest, &longN, &overdueN); err != nil {
			return out, fmt.Errorf("insight open items: %w", err)
		}
		g.OldestCreated, g.MedianCreated = oldest.Time, oldest.Time
		out.Groups = append(out.Groups, g)
		out.LongOpen += longN
		out.Overdue += overdueN
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("insight open items: %w", err)
	}
	rows.Close()
	// The median walks and the two lists are independent reads: run them
	// at once, as the report's own reads are.
	g, ctx := errgroup.WithContext(ctx)
	for i := range out.Groups {
		g.Go(func() error { return s.medianCreated(ctx, f, &out.Groups[i]) })
	}
	if out.LongOpen > 0 {
		g.Go(func() (err error) {
			out.LongOpenItems, err = s.itemList(ctx, f, long, "ai.created_at, ai.id", oq.List)
			return err
		})
	}
	if out.Overdue > 0 {
		g.Go(func() (err error) {
			out.OverdueItems, err = s.itemList(ctx, f, overdue, "ai.due_at, ai.id", oq.List)
			return err
		})
	}
	return out, g.Wait()
}

// medianCreated finds when the open item of median age in g was created:
// ages ascending are creation times descending, so it is the item at the
// nearest rank ceil(n/2) of that order. With one item it is the oldest,
// already known.
func (s *Insights) medianCreated(ctx context.Context, f insight.Filter, g *insight.OpenGroup) error {
	if g.Open < 2 {
		return nil
	}
	var a args
	q := `SELECT ai.created_at FROM ` + s.openItems(f, &a) + `
		AND ai.term = ` + a.add(g.Term) + ` AND ai.category = ` + a.add(g.Category) + `
		ORDER BY ai.created_at DESC, ai.id LIMIT 1 OFFSET ` + a.add((g.Open+1)/2-1)
	var created scanTime
	if err := s.db.SQL.QueryRowContext(ctx, q, a...).Scan(&created); err != nil {
		return fmt.Errorf("insight open items: median age: %w", err)
	}
	g.MedianCreated = created.Time
	return nil
}

// itemList reads the first limit open items that meet cond, in the given
// order. The ids are picked from the covering index first, so only the
// listed items' rows are read.
func (s *Insights) itemList(ctx context.Context, f insight.Filter, cond func(*args) string, order string, limit int) ([]insight.ItemRow, error) {
	var a args
	q := `SELECT ai.id, ai.incident_id, ai.title, ai.owner, ai.category, ai.term, ai.status, ai.created_at, ai.due_at, ai.done_at
		FROM action_items ai WHERE ai.id IN (
			SELECT ai.id FROM ` + s.openItems(f, &a) + " AND " + cond(&a) + " ORDER BY " + order + " LIMIT " + a.add(limit) + `
		) ORDER BY ` + order
	rows, err := s.db.SQL.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("insight items: %w", err)
	}
	defer rows.Close()
	var out []insight.ItemRow
	for rows.Next() {
		var r insight.ItemRow
		var created, due, done scanTime
		if err := rows.Scan(&r.ID, &r.IncidentID, &r.Title, &r.Owner, &r.Category, &r.Term, &r.Status, &created, &due, &done); err != nil {
			return nil, fmt.Errorf("insight items: %w", err)
		}
		r.CreatedAt, r.DueAt, r.DoneAt = created.Time, due.ptr(), done.ptr()
		out = append(out, r)
	}
	return out, rows.Err()
}

// InsightReviews counts, in SQL, the review stages of the incidents
// resolved in the period that the filter keeps: all of them, those held,
// and those held no later than within after the incident was resolved.
func (s *Insights) InsightReviews(ctx context.Context, f insight.Filter, within time.Duration) (insight.ReviewCounts, error) {
	var a args
	where := append([]string{
		"f.resolved_unix >= " + a.add(f.From.Unix()),
		"f.resolved_unix < " + a.add(f.To.Unix()),
	}, s.factCond(f, &a)...)
	deadline := s.db.unixTime("f.resolved_unix + " + a.add(int64(within/time.Second)))
	q := `SELECT
			COUNT(*),
			COALESCE(SUM(CASE WHEN r.held_at IS NOT NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN r.held_at <= ` + deadline + ` THEN 1 ELSE 0 END), 0)
		FROM retrospectives r JOIN insight_facts f ON f.incident_id = r.incident_id
		WHERE ` + strings.Join(where, " AND ")
	var c insight.ReviewCounts
	if err := s.db.SQL.QueryRowContext(ctx, q, a...).Scan(&c.Stages, &c.Held, &c.InTime); err != nil {
		return c, fmt.Errorf("insight reviews: %w", err)
	}
	return c, nil
}

// unixTime is SQL for the time at the whole Unix seconds expr, comparable
// with a stored time column: on SQLite the fixed-width text times are
// written in (sqliteTime), so text order is time order.
func (db *DB) unixTime(expr string) string {
	if db.Dialect == SQLite {
		return "(strftime('%Y-%m-%dT%H:%M:%S', " + expr + ", 'unixepoch') || '.000000Z')"
	}
	return "to_timestamp(" + expr + ")"
}
