package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/insight"
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
	where := s.filterCond("f", f, a)
	if !f.SeeAll {
		// Said as "not (restricted and not a member)" rather than
		// "public or a member": both databases stop at the flag for most
		// rows this way, and the query ran three to four times faster.
		where = append(where, "NOT (f.restricted = 1 AND NOT EXISTS (SELECT 1 FROM incident_members m WHERE m.incident_id = f.incident_id AND m.user_name = "+
			a.add(f.Viewer)+"))")
	}
	return where
}

// filterCond is the grade and services conditions on the facts row named
// fr.
func (s *Insights) filterCond(fr string, f insight.Filter, a *args) []string {
	var where []string
	if len(f.Grades) > 0 {
		vs := make([]any, len(f.Grades))
		for i, g := range f.Grades {
			vs[i] = int(g)
		}
		where = append(where, fr+".grade IN "+a.in(vs))
	}
	if len(f.Services) > 0 {
		vs := make([]any, len(f.Services))
		for i, svc := range f.Services {
			vs[i] = svc
		}
		if s.db.Dialect == SQLite {
			// SQLite builds the list of the services' incidents once per
			// statement (with a Bloom filter) and probes it per row, where
			// the correlated EXISTS opened a cursor per row: a team's
			// question read its facts and open items a third faster.
			where = append(where, fr+".incident_id IN (SELECT fs.incident_id FROM incident_services fs WHERE fs.service IN "+a.in(vs)+")")
		} else {
			where = append(where, "EXISTS (SELECT 1 FROM incident_services fs WHERE fs.incident_id = "+fr+".incident_id AND fs.service IN "+a.in(vs)+")")
		}
	}
	return where
}

// itemCond is factCond for rows of action_items ai read without a join:
// the items of incidents hidden from the viewer are left out by an anti
// join on the few restricted incidents, and a grade or service filter asks
// the item's facts row. Joining every item to its facts row instead cost
// PostgreSQL a nested loop per item, three times the time.
func (s *Insights) itemCond(f insight.Filter, a *args) []string {
	var where []string
	if filter := s.filterCond("g", f, a); len(filter) > 0 {
		where = append(where, "EXISTS (SELECT 1 FROM insight_facts g WHERE g.incident_id = ai.incident_id AND "+strings.Join(filter, " AND ")+")")
	}
	if !f.SeeAll {
		where = append(where, "NOT EXISTS (SELECT 1 FROM insight_facts h WHERE h.incident_id = ai.incident_id AND h.restricted = 1"+
			" AND NOT EXISTS (SELECT 1 FROM incident_members m WHERE m.incident_id = h.incident_id AND m.user_name = "+a.add(f.Viewer)+"))")
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
	// One packed text value per row (packedFacts): the driver's cost is
	// per column, and this read is most of a cold question.
	q := "SELECT " + s.db.packedFacts() + " FROM insight_facts f WHERE " + strings.Join(where, " AND ") +
		" ORDER BY f.started_unix LIMIT " + a.add(f.Limit)
	rows, err := s.db.SQL.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("insight incidents: %w", err)
	}
	defer rows.Close()
	var out []insight.IncidentRow
	u := newUnpacker()
	var packed string
	for rows.Next() {
		if err := rows.Scan(&packed); err != nil {
			return nil, fmt.Errorf("insight incidents: %w", err)
		}
		out = grow(out)
		if err := u.facts(packed, &out[len(out)-1]); err != nil {
			return nil, fmt.Errorf("insight incidents: %w", err)
		}
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

// InsightItemCounts counts the action items of the incidents the filter
// keeps that were opened in the period, done in it, done in it with a due
// date, and done by that date.
//
// Most incidents have all their items opened (or done) inside the period,
// or all outside it: those are counted from the sums on their facts row
// (migration 0052), one row per incident. Only the items of an incident
// whose first and last item straddle an end of the period are read one by
// one. The sums hold whole seconds, so this needs the period's ends on
// whole seconds, as periods are (days in the organisation's zone);
// otherwise every item is read.
//
// The same pass over the facts rows that adds up the sums names the
// straddling incidents, as one aggregated text ("id:od,id:o,…", o for
// opened, d for done): a second statement to find them walked every facts
// row again.
func (s *Insights) InsightItemCounts(ctx context.Context, f insight.Filter) (insight.ItemCounts, error) {
	if f.From.Nanosecond() != 0 || f.To.Nanosecond() != 0 {
		return s.itemCountsEach(ctx, f)
	}
	var a args
	from, to := a.add(f.From.Unix()), a.add(f.To.Unix())
	inside := func(kind string) string {
		return "f.item_" + kind + "_min >= " + from + " AND f.item_" + kind + "_max < " + to
	}
	straddles := func(kind string) string {
		lo, hi := "f.item_"+kind+"_min", "f.item_"+kind+"_max"
		return "(" + lo + " < " + from + " AND " + hi + " >= " + from + " OR " + lo + " < " + to + " AND " + hi + " >= " + to + ")"
	}
	agg := "group_concat"
	if s.db.Dialect == Postgres {
		agg = "string_agg"
	}
	q := `SELECT
		COALESCE(SUM(CASE WHEN ` + inside("opened") + ` THEN f.item_n ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + inside("done") + ` THEN f.item_done_n ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + inside("done") + ` THEN f.item_done_due_n ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + inside("done") + ` THEN f.item_done_on_time_n ELSE 0 END), 0),
		COALESCE(` + agg + `(CASE WHEN ` + straddles("opened") + ` OR ` + straddles("done") + `
			THEN f.incident_id || ':' || CASE WHEN ` + straddles("opened") + ` THEN 'o' ELSE '' END || CASE WHEN ` + straddles("done") + ` THEN 'd' ELSE '' END
			END, ','), '')
		FROM insight_facts f
		WHERE ` + strings.Join(append([]string{"f.item_n > 0"}, s.factCond(f, &a)...), " AND ")
	var c insight.ItemCounts
	var straddling string
	if err := s.db.SQL.QueryRowContext(ctx, q, a...).Scan(&c.Opened, &c.Done, &c.DoneDue, &c.DoneOnTime, &straddling); err != nil {
		return c, fmt.Errorf("insight item counts: %w", err)
	}
	edge, err := s.straddlingItemCounts(ctx, f, straddling)
	if err != nil {
		return c, err
	}
	c.Opened += edge.Opened
	c.Done += edge.Done
	c.DoneDue += edge.DoneDue
	c.DoneOnTime += edge.DoneOnTime
	return c, nil
}

// straddlingItemCounts counts the items of the incidents whose items
// straddle an end of the period, each kind (opened, done) only for the
// incidents the sums left it out for, as named by InsightItemCounts. Their
// items are read by incident and counted here: in one statement with the
// sums, PostgreSQL misjudged how few incidents straddle and hashed every
// item.
func (s *Insights) straddlingItemCounts(ctx context.Context, f insight.Filter, straddling string) (insight.ItemCounts, error) {
	var c insight.ItemCounts
	type kinds struct{ opened, done bool }
	edge := map[int64]kinds{}
	var ids []any
	for part := range strings.SplitSeq(straddling, ",") {
		if part == "" {
			continue
		}
		idText, flags, _ := strings.Cut(part, ":")
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			return c, fmt.Errorf("insight item counts: straddling incident %q: %w", part, err)
		}
		edge[id] = kinds{strings.Contains(flags, "o"), strings.Contains(flags, "d")}
		ids = append(ids, id)
	}
	in := func(t time.Time) bool { return !t.Before(f.From) && t.Before(f.To) }
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		var a args
		rows, err := s.db.SQL.QueryContext(ctx, "SELECT ai.incident_id, ai.status, ai.created_at, ai.done_at, ai.due_at FROM action_items ai WHERE ai.incident_id IN "+a.in(chunk), a...)
		if err != nil {
			return c, fmt.Errorf("insight item counts: %w", err)
		}
		for rows.Next() {
			var id int64
			var status string
			var created, done, due scanTime
			if err := rows.Scan(&id, &status, &created, &done, &due); err != nil {
				rows.Close()
				return c, fmt.Errorf("insight item counts: %w", err)
			}
			k := edge[id]
			if k.opened && in(created.Time) {
				c.Opened++
			}
			if k.done && status == "done" && done.Valid && in(done.Time) {
				c.Done++
				if due.Valid {
					c.DoneDue++
					if !done.Time.After(due.Time) {
						c.DoneOnTime++
					}
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return c, fmt.Errorf("insight item counts: %w", err)
		}
	}
	return c, nil
}

// itemCountsEach counts every item one by one: for periods whose ends are
// not on whole seconds, which the sums cannot place.
func (s *Insights) itemCountsEach(ctx context.Context, f insight.Filter) (insight.ItemCounts, error) {
	var a args
	from, to := a.add(s.db.t(f.From)), a.add(s.db.t(f.To))
	doneIn := "ai.status = 'done' AND ai.done_at >= " + from + " AND ai.done_at < " + to
	q := `SELECT
		COALESCE(SUM(CASE WHEN ai.created_at >= ` + from + ` AND ai.created_at < ` + to + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + doneIn + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + doneIn + ` AND ai.due_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + doneIn + ` AND ai.due_at IS NOT NULL AND ai.done_at <= ai.due_at THEN 1 ELSE 0 END), 0)
		FROM action_items ai`
	if where := s.itemCond(f, &a); len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	var c insight.ItemCounts
	if err := s.db.SQL.QueryRowContext(ctx, q, a...).Scan(&c.Opened, &c.Done, &c.DoneDue, &c.DoneOnTime); err != nil {
		return c, fmt.Errorf("insight item counts: %w", err)
	}
	return c, nil
}

// openItems is the FROM and WHERE of the open action items (open or in
// progress) created before the period's end, of the incidents the filter
// keeps.
//
// On SQLite each item is joined to its incident's facts row, which then
// answers the visibility, grade and service conditions: a join keeps its
// cursor open from item to item, where the anti join of itemCond, a
// correlated subquery, opened and closed one per item (a join cost a third
// less on a year's 7,500 open items). PostgreSQL keeps the anti join, which
// it runs as a hash over the few hidden incidents rather than a nested loop
// per item.
func (s *Insights) openItems(f insight.Filter, a *args) string {
	where := []string{
		"ai.status IN ('open', 'in_progress')",
		"ai.created_at < " + a.add(s.db.t(f.To)),
	}
	if s.db.Dialect == SQLite {
		return "action_items ai JOIN insight_facts f ON f.incident_id = ai.incident_id WHERE " +
			strings.Join(append(where, s.factCond(f, a)...), " AND ")
	}
	return "action_items ai WHERE " + strings.Join(append(where, s.itemCond(f, a)...), " AND ")
}

// InsightOpenItems returns the open action items (open or in progress)
// created before the period's end, of the incidents the filter keeps: one
// narrow row each, packed in one text value (0053) and read from the index
// the query walks. Working out their groups, median ages and lists from
// these rows costs less than the statements that did it in SQL (one per
// group for the median, two sorts for the lists), each of which walked the
// same items again.
func (s *Insights) InsightOpenItems(ctx context.Context, f insight.Filter) ([]insight.OpenItem, error) {
	var a args
	q := "SELECT " + s.db.packedOpenItem() + " FROM " + s.openItems(f, &a) + " LIMIT " + a.add(f.Limit)
	rows, err := s.db.SQL.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("insight open items: %w", err)
	}
	defer rows.Close()
	var out []insight.OpenItem
	u := newUnpacker()
	var packed string
	for rows.Next() {
		if err := rows.Scan(&packed); err != nil {
			return nil, fmt.Errorf("insight open items: %w", err)
		}
		out = grow(out)
		if err := u.openItem(packed, &out[len(out)-1]); err != nil {
			return nil, fmt.Errorf("insight open items: %w", err)
		}
	}
	return out, rows.Err()
}

// InsightItems reads the items with the given ids: the few that the
// insights list by name.
func (s *Insights) InsightItems(ctx context.Context, ids []int64) ([]insight.ItemRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var a args
	vs := make([]any, len(ids))
	for i, id := range ids {
		vs[i] = id
	}
	q := `SELECT ai.id, ai.incident_id, ai.title, ai.owner, ai.category, ai.term, ai.status, ai.created_at, ai.due_at, ai.done_at
		FROM action_items ai WHERE ai.id IN ` + a.in(vs)
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
	heldInTime := s.db.atOrBefore("r.held_at", "f.resolved_unix + "+a.add(int64(within/time.Second)))
	q := `SELECT
			COUNT(*),
			COALESCE(SUM(CASE WHEN r.held_at IS NOT NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN ` + heldInTime + ` THEN 1 ELSE 0 END), 0)
		FROM retrospectives r JOIN insight_facts f ON f.incident_id = r.incident_id
		WHERE ` + strings.Join(where, " AND ")
	var c insight.ReviewCounts
	if err := s.db.SQL.QueryRowContext(ctx, q, a...).Scan(&c.Stages, &c.Held, &c.InTime); err != nil {
		return c, fmt.Errorf("insight reviews: %w", err)
	}
	return c, nil
}

// atOrBefore is SQL saying the stored time col is at or before the whole
// Unix seconds expr. On SQLite, where times are fixed-width text
// (sqliteTime), it compares whole seconds and, on the same second, asks for
// a zero fraction: formatting expr as text for every row cost five times
// as much.
func (db *DB) atOrBefore(col, expr string) string {
	if db.Dialect == SQLite {
		return "(unixepoch(" + col + ") < " + expr + " OR unixepoch(" + col + ") = " + expr + " AND substr(" + col + ", 20) = '.000000Z')"
	}
	return col + " <= to_timestamp(" + expr + ")"
}
