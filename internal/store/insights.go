package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/insight"
)

// Insights reads the compact rows that insight measures. Each query is
// bounded by the filter's limit and narrowed to what the viewer may see.
type Insights struct{ db *DB }

// Insights returns the insight queries.
func (db *DB) Insights() *Insights { return &Insights{db: db} }

// incidentCond is the WHERE condition shared by the three queries: grade,
// services and visibility, without the period (each query places that on
// its own column).
func (s *Insights) incidentCond(f insight.Filter, a *args) []string {
	var where []string
	if len(f.Grades) > 0 {
		vs := make([]any, len(f.Grades))
		for i, g := range f.Grades {
			vs[i] = int(g)
		}
		where = append(where, "i.grade IN "+a.in(vs))
	}
	if len(f.Services) > 0 {
		vs := make([]any, len(f.Services))
		for i, svc := range f.Services {
			vs[i] = svc
		}
		where = append(where, "EXISTS (SELECT 1 FROM incident_services fs WHERE fs.incident_id = i.id AND fs.service IN "+a.in(vs)+")")
	}
	if !f.SeeAll {
		where = append(where, visibleTo(a.add(f.Viewer)))
	}
	return where
}

// InsightIncidents returns the incidents started in the filter's period,
// oldest id first, with their services and whether they recur.
func (s *Insights) InsightIncidents(ctx context.Context, f insight.Filter) ([]insight.IncidentRow, error) {
	var a args
	where := append([]string{
		"i.started_at >= " + a.add(s.db.t(f.From)),
		"i.started_at < " + a.add(s.db.t(f.To)),
	}, s.incidentCond(f, &a)...)
	cond := strings.Join(where, " AND ")
	condArgs := len(a)
	limit := a.add(f.Limit)
	q := `SELECT i.id, i.grade, i.cause_tags, i.started_at, i.detected_at, i.acknowledged_at, i.mitigated_at, i.resolved_at, i.detection,
		EXISTS (SELECT 1 FROM incident_recurrences r WHERE r.incident_id = i.id)
		FROM incidents i WHERE ` + cond + ` ORDER BY i.id LIMIT ` + limit
	rows, err := s.db.SQL.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("insight incidents: %w", err)
	}
	var out []insight.IncidentRow
	at := map[int64]int{}
	for rows.Next() {
		var r insight.IncidentRow
		var started, detected, acked, mitigated, resolved scanTime
		var recurs any
		if err := rows.Scan(&r.ID, &r.Grade, scanJSON{&r.CauseTags}, &started, &detected, &acked, &mitigated, &resolved, &r.Detection, &recurs); err != nil {
			rows.Close()
			return nil, fmt.Errorf("insight incidents: %w", err)
		}
		r.StartedAt, r.DetectedAt = started.Time, detected.Time
		r.AcknowledgedAt, r.MitigatedAt, r.ResolvedAt = acked.ptr(), mitigated.ptr(), resolved.ptr()
		r.Recurs = truthy(recurs)
		at[r.ID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("insight incidents: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	// The services of the same incidents, in one more query rather than
	// one per incident. The limit bounds it to what the first query kept.
	a = a[:condArgs]
	last := a.add(out[len(out)-1].ID)
	srows, err := s.db.SQL.QueryContext(ctx, `SELECT s.incident_id, s.service FROM incident_services s
		WHERE s.incident_id IN (SELECT i.id FROM incidents i WHERE `+cond+` AND i.id <= `+last+`)
		ORDER BY s.incident_id, s.position`, a...)
	if err != nil {
		return nil, fmt.Errorf("insight incident services: %w", err)
	}
	defer srows.Close()
	for srows.Next() {
		var id int64
		var svc string
		if err := srows.Scan(&id, &svc); err != nil {
			return nil, fmt.Errorf("insight incident services: %w", err)
		}
		if i, ok := at[id]; ok {
			out[i].Services = append(out[i].Services, svc)
		}
	}
	return out, srows.Err()
}

// truthy reads a boolean expression's value: SQLite gives an integer,
// PostgreSQL a bool.
func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	}
	return false
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
	}, s.incidentCond(f, &a)...)
	doneIn := "ai.status = 'done' AND ai.done_at >= " + from + " AND ai.done_at < " + to
	q := `SELECT
		COALESCE(SUM(CASE WHEN ai.created_at >= ` + from + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + doneIn + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + doneIn + ` AND ai.due_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + doneIn + ` AND ai.due_at IS NOT NULL AND ai.done_at <= ai.due_at THEN 1 ELSE 0 END), 0)
		FROM action_items ai JOIN incidents i ON i.id = ai.incident_id
		WHERE ` + strings.Join(where, " AND ")
	var c insight.ItemCounts
	err := s.db.SQL.QueryRowContext(ctx, q, a...).Scan(&c.Opened, &c.Done, &c.DoneDue, &c.DoneOnTime)
	if err != nil {
		return c, fmt.Errorf("insight item counts: %w", err)
	}
	return c, nil
}

// InsightItems returns the action items still open (open or in progress)
// that were created before the period's end, of the incidents the filter
// keeps.
func (s *Insights) InsightItems(ctx context.Context, f insight.Filter) ([]insight.ItemRow, error) {
	var a args
	where := append([]string{
		"ai.status IN ('open', 'in_progress')",
		"ai.created_at < " + a.add(s.db.t(f.To)),
	}, s.incidentCond(f, &a)...)
	q := `SELECT ai.id, ai.incident_id, ai.title, ai.owner, ai.category, ai.term, ai.status, ai.created_at, ai.due_at, ai.done_at
		FROM action_items ai JOIN incidents i ON i.id = ai.incident_id
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ai.id LIMIT ` + a.add(f.Limit)
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

// InsightReviews returns the review stages of the incidents resolved in the
// period that the filter keeps.
func (s *Insights) InsightReviews(ctx context.Context, f insight.Filter) ([]insight.ReviewRow, error) {
	var a args
	where := append([]string{
		"i.resolved_at >= " + a.add(s.db.t(f.From)),
		"i.resolved_at < " + a.add(s.db.t(f.To)),
	}, s.incidentCond(f, &a)...)
	q := `SELECT r.incident_id, r.stage, i.resolved_at, r.held_at
		FROM retrospectives r JOIN incidents i ON i.id = r.incident_id
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY r.incident_id, r.stage LIMIT ` + a.add(f.Limit)
	rows, err := s.db.SQL.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("insight reviews: %w", err)
	}
	defer rows.Close()
	var out []insight.ReviewRow
	for rows.Next() {
		var r insight.ReviewRow
		var resolved, held scanTime
		if err := rows.Scan(&r.IncidentID, &r.Stage, &resolved, &held); err != nil {
			return nil, fmt.Errorf("insight reviews: %w", err)
		}
		r.ResolvedAt, r.HeldAt = resolved.Time, held.ptr()
		out = append(out, r)
	}
	return out, rows.Err()
}
