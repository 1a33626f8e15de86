package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/search"
)

// Search is the full-text index of incidents and their reports: one
// document per incident, written in the same transaction as the incident
// or report it reflects.
type Search struct{ db *DB }

// Search returns the search index.
func (db *DB) Search() *Search { return &Search{db: db} }

// IndexDoc is one document as the index stores it.
type IndexDoc struct {
	IncidentID int64
	Title      string
	Snippet    string
	Grade      incident.Grade
	Status     incident.Status
	Visibility incident.Visibility
	HasReport  bool
	StartedAt  time.Time
	Facets     []string // "service:NAME", "cause:TAG"
	Text       search.Doc
}

// snippetLen bounds the text a hit shows.
const snippetLen = 300

// reindex rebuilds the document of one incident from the incident and its
// report, inside the transaction that changed them.
func (db *DB) reindex(ctx context.Context, q queryer, incidentID int64) error {
	inc, err := db.Incidents().get(ctx, q, incidentID, "")
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	var sections map[string]string
	var raw string
	err = q.QueryRowContext(ctx, "SELECT sections FROM reports WHERE incident_id = $1", incidentID).Scan(&raw)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("reindex: %w", err)
	default:
		if err := (scanJSON{&sections}).Scan(raw); err != nil {
			return err
		}
	}
	return db.Search().write(ctx, q, []IndexDoc{docOf(inc, sections)})
}

// docOf builds an incident's document: its title, then services and cause
// tags, then its summary and every report section.
func docOf(inc *incident.Incident, sections map[string]string) IndexDoc {
	d := IndexDoc{IncidentID: inc.ID, Title: inc.Title, Grade: inc.Grade, Status: inc.Status,
		Visibility: inc.Visibility, HasReport: sections != nil, StartedAt: inc.StartedAt}
	var meta, body []string
	for _, s := range inc.Services {
		d.Facets = append(d.Facets, "service:"+s)
		meta = append(meta, s)
	}
	for _, c := range inc.CauseTags {
		d.Facets = append(d.Facets, "cause:"+c)
		meta = append(meta, c)
	}
	body = append(body, inc.Summary)
	snippet := inc.Summary
	if s := sections["summary"]; sections != nil && strings.TrimSpace(s) != "" && !strings.EqualFold(strings.TrimSpace(s), "TBD") {
		snippet = s
	}
	for _, k := range slices.Sorted(maps.Keys(sections)) {
		body = append(body, sections[k])
	}
	d.Snippet = clip(snippet, snippetLen)
	d.Text = search.Doc{Title: inc.Title, Meta: strings.Join(meta, " "), Body: strings.Join(body, "\n")}
	return d
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Write stores documents, replacing those of the same incidents. Rows go in
// multi-row statements, so a bulk load is a handful of statements per
// hundred documents.
func (s *Search) Write(ctx context.Context, docs []IndexDoc) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error { return s.write(ctx, tx, docs) })
}

// writeChunk keeps a statement's placeholders well under both databases'
// limits (SQLite 32766, PostgreSQL 65535).
const writeChunk = 200

func (s *Search) write(ctx context.Context, q queryer, docs []IndexDoc) error {
	for len(docs) > 0 {
		n := min(len(docs), writeChunk)
		if err := s.writeChunk(ctx, q, docs[:n]); err != nil {
			return fmt.Errorf("write search index: %w", err)
		}
		docs = docs[n:]
	}
	return nil
}

func (s *Search) writeChunk(ctx context.Context, q queryer, docs []IndexDoc) error {
	db := s.db
	ids := make([]any, len(docs))
	for i, d := range docs {
		ids[i] = d.IncidentID
	}
	var del args
	in := del.in(ids)
	if _, err := q.ExecContext(ctx, "DELETE FROM search_docs WHERE incident_id IN "+in, del...); err != nil {
		return err
	}
	if db.Dialect == SQLite {
		if _, err := q.ExecContext(ctx, "DELETE FROM search_fts WHERE rowid IN "+in, del...); err != nil {
			return err
		}
	}
	var a args
	var rows []string
	for _, d := range docs {
		cols := []string{a.add(d.IncidentID), a.add(d.Title), a.add(d.Snippet), a.add(int(d.Grade)), a.add(string(d.Status)),
			a.add(string(d.Visibility)), a.add(boolInt(d.HasReport)), a.add(db.t(d.StartedAt)), a.add(search.TokenVersion)}
		if db.Dialect == Postgres {
			// Filters and the id's bucket ride along as lexemes, so the
			// index answers them (see Find).
			extra := []string{"'" + bucketToken(d.IncidentID) + "'"}
			for _, f := range uniqStrings(d.Facets) {
				extra = append(extra, "'"+pgPrivate+facetToken(f)+"'")
			}
			cols = append(cols, a.add(d.Text.TSVector()+" "+strings.Join(extra, " "))+"::tsvector")
		}
		rows = append(rows, "("+strings.Join(cols, ", ")+")")
	}
	cols := "incident_id, title, snippet, grade, status, visibility, has_report, started_at, tokens"
	if db.Dialect == Postgres {
		cols += ", tsv"
	}
	if _, err := q.ExecContext(ctx, db.rebind("INSERT INTO search_docs ("+cols+") VALUES "+strings.Join(rows, ", ")), a...); err != nil {
		return err
	}
	if db.Dialect == SQLite {
		var ta args
		var trows []string
		for _, d := range docs {
			title, meta, body := d.Text.Columns()
			facets := make([]string, len(d.Facets))
			for i, f := range d.Facets {
				facets[i] = facetToken(f)
			}
			trows = append(trows, "("+ta.add(d.IncidentID)+", "+ta.add(title)+", "+ta.add(meta)+", "+ta.add(body)+", "+ta.add(strings.Join(facets, " "))+")")
		}
		if _, err := q.ExecContext(ctx, db.rebind("INSERT INTO search_fts (rowid, title, meta, body, facets) VALUES "+strings.Join(trows, ", ")), ta...); err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func uniqStrings(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// Find runs a search: documents matching the query and the filters,
// ranked by BM25 on SQLite and ts_rank on PostgreSQL (title counts most,
// then services and cause tags, then the text), newest first among equals.
//
// Only the newest rankCandidates matches are ranked. SQLite walks its
// lists newest first and stops there. PostgreSQL must visit every match to
// find the newest, so it first looks only among the newest incidents (each
// document carries its id's bucket as a lexeme) and widens to all when
// that window holds too few matches.
func (s *Search) Find(ctx context.Context, f report.SearchFilter) ([]report.Hit, error) {
	if f.Query.Empty() {
		if !f.Filtered() {
			return nil, nil
		}
		return s.browse(ctx, f)
	}
	if s.db.Dialect == Postgres {
		var maxID int64
		if err := s.db.SQL.QueryRowContext(ctx, "SELECT COALESCE(MAX(incident_id), 0) FROM search_docs").Scan(&maxID); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if maxID > windowIDs {
			hits, candidates, err := s.find(ctx, f, windowTerm(maxID))
			if err != nil || candidates >= rankCandidates {
				return hits, err
			}
		}
	}
	hits, _, err := s.find(ctx, f, "")
	return hits, err
}

// rankCandidates bounds how many matches a search ranks.
const rankCandidates = 1000

// bucketBits sizes the id buckets; windowIDs is how far back from the
// newest incident PostgreSQL looks first.
const (
	bucketBits = 12
	windowIDs  = 4 << bucketBits
)

// pgPrivate begins the lexemes the store adds to a PostgreSQL vector (id
// buckets, filters). The tokenizer never makes a token with it, so no typed
// word, not even as a prefix, matches one.
const pgPrivate = "#"

func bucketToken(id int64) string { return pgPrivate + "b" + strconv.FormatInt(id>>bucketBits, 10) }

// windowTerm is the tsquery of the buckets from maxID-windowIDs to maxID.
func windowTerm(maxID int64) string {
	var bs []string
	for b := (maxID - windowIDs) >> bucketBits; b <= maxID>>bucketBits; b++ {
		bs = append(bs, "'"+bucketToken(b<<bucketBits)+"'")
	}
	return "(" + strings.Join(bs, " | ") + ")"
}

// facetToken writes a filter value ("service:checkout-api") as one token
// of letters and digits (FTS5 would split anything else): "f" and the
// value in hex. Searches keep the words away from it (see find).
func facetToken(facet string) string { return "f" + hex.EncodeToString([]byte(facet)) }

// find runs one search, on PostgreSQL within the window when one is
// given, and returns the hits and how many candidates were ranked.
func (s *Search) find(ctx context.Context, f report.SearchFilter, window string) ([]report.Hit, int, error) {
	db := s.db
	var a args
	facets := facetTokens(f)
	// inner is the score column (SQLite: bm25 works only beside MATCH) or
	// the vector to score (PostgreSQL: scored after the candidates are cut).
	var from, inner, score, newest string
	var where []string
	if db.Dialect == SQLite {
		// Filters are tokens of their own column: FTS5 intersects them with
		// the words instead of testing each match.
		// The words are looked for in the text columns only, so that a
		// prefix such as "f73" cannot match a facet token.
		match := "{title meta body} : (" + f.Query.FTS5() + ")"
		for _, t := range facets {
			match += " AND facets : " + t
		}
		from = "search_fts JOIN search_docs d ON d.incident_id = search_fts.rowid"
		where = append(where, "search_fts MATCH "+a.add(match))
		inner, score = "-bm25(search_fts, 10.0, 4.0, 1.0, 0.0) AS score", "score"
		newest = "search_fts.rowid" // the order FTS5 keeps its lists in, so the cut stops early
	} else {
		match := "(" + f.Query.TSQuery() + ")"
		for _, t := range facets {
			match += " & '" + pgPrivate + t + "'"
		}
		if window != "" {
			match += " & " + window
		}
		from = "search_docs d"
		where = append(where, "d.tsv @@ "+a.add(match)+"::tsquery")
		inner, score = "d.tsv", "ts_rank(c.tsv, "+a.add(f.Query.TSQuery())+"::tsquery, 1)"
		// "+ 0" keeps PostgreSQL from walking the primary key backwards and
		// testing every row's vector: the index on the vectors finds them.
		newest = "d.incident_id + 0"
	}
	where = append(where, s.filterWhere(f, &a)...)
	limit := hitLimit(f)
	q := "SELECT incident_id, title, snippet, grade, status, has_report, started_at, " + score + " AS rank, COUNT(*) OVER () FROM (" +
		"SELECT d.incident_id, d.title, d.snippet, d.grade, d.status, d.has_report, d.started_at, " + inner + " FROM " + from +
		" WHERE " + strings.Join(where, " AND ") + " ORDER BY " + newest + " DESC LIMIT " + a.add(rankCandidates) +
		") c ORDER BY rank DESC, incident_id DESC LIMIT " + a.add(limit)
	out := []report.Hit{}
	candidates := 0
	err := s.readOnly(ctx, func(qr queryer) error {
		rows, err := qr.QueryContext(ctx, q, a...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var score float64
			h, err := scanHit(rows, &score, &candidates)
			if err != nil {
				return err
			}
			h.Score = score
			out = append(out, h)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	return out, candidates, nil
}

func facetTokens(f report.SearchFilter) []string {
	var out []string
	for _, facet := range []string{"service:" + f.Service, "cause:" + f.Cause} {
		if !strings.HasSuffix(facet, ":") {
			out = append(out, facetToken(facet))
		}
	}
	return out
}

func hitLimit(f report.SearchFilter) int {
	if f.Limit <= 0 || f.Limit > 100 {
		return 20
	}
	return f.Limit
}

// filterWhere is the conditions of the filters that are columns of the
// document: grade, dates, the excluded incident, and who may see it.
func (s *Search) filterWhere(f report.SearchFilter, a *args) []string {
	var where []string
	if len(f.Grades) > 0 {
		vs := make([]any, len(f.Grades))
		for i, g := range f.Grades {
			vs[i] = int(g)
		}
		where = append(where, "d.grade IN "+a.in(vs))
	}
	if !f.Since.IsZero() {
		where = append(where, "d.started_at >= "+a.add(s.db.t(f.Since)))
	}
	if !f.Until.IsZero() {
		where = append(where, "d.started_at < "+a.add(s.db.t(f.Until)))
	}
	if f.Exclude > 0 {
		where = append(where, "d.incident_id <> "+a.add(f.Exclude))
	}
	if !f.SeeAll {
		where = append(where, "(d.visibility <> 'restricted' OR EXISTS (SELECT 1 FROM incident_members m WHERE m.incident_id = d.incident_id AND m.user_name = "+a.add(f.VisibleTo)+"))")
	}
	return where
}

// browse answers a search of filters without words: the newest incidents
// that pass them, by start time. Service and cause are index tokens, as in
// find, so the index narrows before the dates are read.
func (s *Search) browse(ctx context.Context, f report.SearchFilter) ([]report.Hit, error) {
	db := s.db
	var a args
	from := "search_docs d"
	var where []string
	if facets := facetTokens(f); len(facets) > 0 {
		if db.Dialect == SQLite {
			from = "search_fts JOIN search_docs d ON d.incident_id = search_fts.rowid"
			where = append(where, "search_fts MATCH "+a.add("facets : "+strings.Join(facets, " AND facets : ")))
		} else {
			where = append(where, "d.tsv @@ "+a.add("'"+pgPrivate+strings.Join(facets, "' & '"+pgPrivate)+"'")+"::tsquery")
		}
	}
	where = append(where, s.filterWhere(f, &a)...)
	if len(where) == 0 {
		where = append(where, "1 = 1")
	}
	q := "SELECT d.incident_id, d.title, d.snippet, d.grade, d.status, d.has_report, d.started_at FROM " + from +
		" WHERE " + strings.Join(where, " AND ") + " ORDER BY d.started_at DESC, d.incident_id DESC LIMIT " + a.add(hitLimit(f))
	out := []report.Hit{}
	err := s.readOnly(ctx, func(qr queryer) error {
		rows, err := qr.QueryContext(ctx, q, a...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			h, err := scanHit(rows)
			if err != nil {
				return err
			}
			out = append(out, h)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("browse the library: %w", err)
	}
	return out, nil
}

// readOnly runs a search query. On PostgreSQL it runs in a read-only
// transaction that rules out sequential scans: the planner does not know
// that testing a row's vector means fetching it from TOAST, and for a word
// in a tenth of the reports it would read and test all of them (270 ms for
// 100,000 reports) instead of asking the GIN index (10-40 ms).
func (s *Search) readOnly(ctx context.Context, fn func(queryer) error) error {
	if s.db.Dialect != Postgres {
		return fn(s.db.SQL)
	}
	tx, err := s.db.SQL.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to undo
	if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
		return err
	}
	return fn(tx)
}

// Unindexed returns up to limit incidents whose search document is
// missing (those from before the index existed), oldest first, and then
// those whose document was written with older tokens than the tokenizer
// makes now (search.TokenVersion), oldest first.
func (s *Search) Unindexed(ctx context.Context, limit int) ([]int64, error) {
	missing, err := s.ids(ctx, `SELECT i.id FROM incidents i
		WHERE NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.incident_id = i.id) ORDER BY i.id LIMIT $1`, limit)
	if err != nil || len(missing) == limit {
		return missing, err
	}
	stale, err := s.ids(ctx, `SELECT incident_id FROM search_docs WHERE tokens < $1 ORDER BY tokens, incident_id LIMIT $2`,
		search.TokenVersion, limit-len(missing))
	return append(missing, stale...), err
}

func (s *Search) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	ids, err := s.db.queryIDs(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("unindexed incidents: %w", err)
	}
	return ids, nil
}

// queryIDs runs a query whose one column is an id and reads them all.
func (db *DB) queryIDs(ctx context.Context, q string, args ...any) ([]int64, error) {
	return queryList(ctx, db.SQL, scanID, q, args...)
}

// Reindex rebuilds the documents of the incidents, one transaction each.
func (s *Search) Reindex(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		if err := s.db.inTx(ctx, func(tx *sql.Tx) error { return s.db.reindex(ctx, tx, id) }); err != nil {
			return err
		}
	}
	return nil
}

// scanHit reads a hit's columns (incident_id, title, snippet, grade,
// status, has_report, started_at), then any that follow into extra.
func scanHit(rows *sql.Rows, extra ...any) (report.Hit, error) {
	var h report.Hit
	var started scanTime
	var hasReport int
	dest := append([]any{&h.IncidentID, &h.Title, &h.Snippet, &h.Grade, &h.Status, &hasReport, &started}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return h, err
	}
	h.HasReport, h.StartedAt = hasReport == 1, started.Time
	return h, nil
}
