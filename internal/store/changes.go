package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/change"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Changes implements change.Store.
type Changes struct{ db *DB }

// Changes returns the store of the change registry.
func (db *DB) Changes() *Changes { return &Changes{db: db} }

const changeColumns = `c.id, c.source, c.external_id, c.kind, c.services, c.repository, c.environment, c.version,
	c.commit_sha, c.title, c.author, c.at, c.links, c.labels, c.rollbackable, c.reason, c.decided_by_pr,
	c.decided_by_label, c.hint, c.recorded_at, c.recorded_by`

func scanChange(row interface{ Scan(...any) error }) (change.Change, error) {
	var c change.Change
	var at, recorded scanTime
	var kind string
	err := row.Scan(
		&c.ID,
		&c.Source,
		&c.ExternalID,
		&kind,
		scanJSON{&c.Services},
		&c.Repository,
		&c.Environment,
		&c.Version,
		&c.Commit,
		&c.Title,
		&c.Author,
		&at,
		scanJSON{&c.Links},
		scanJSON{&c.Labels},
		&c.Verdict.Rollbackable,
		&c.Verdict.Reason,
		&c.Verdict.PR,
		&c.Verdict.Label,
		&c.Hint,
		&recorded,
		&c.RecordedBy,
	)
	c.Kind, c.At, c.RecordedAt = change.Kind(kind), at.Time, recorded.Time
	if c.Services == nil {
		c.Services = []string{}
	}
	if c.Links == nil {
		c.Links = []change.Link{}
	}
	return c, err
}

// InsertChange stores a change and its service rows in one transaction. A
// change of the same source and external id is not stored again: c becomes
// the stored one.
func (s *Changes) InsertChange(ctx context.Context, c *change.Change) (bool, error) {
	inserted := false
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO changes (
				source,
				external_id,
				kind,
				services,
				mapped,
				repository,
				environment,
				version,
				commit_sha,
				title,
				author,
				at,
				links,
				labels,
				rollbackable,
				reason,
				decided_by_pr,
				decided_by_label,
				hint,
				recorded_at,
				recorded_by
			) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
			ON CONFLICT (source, external_id) DO NOTHING
			RETURNING id`,
			c.Source,
			c.ExternalID,
			string(c.Kind),
			jsonText{c.Services},
			len(c.Services) > 0,
			c.Repository,
			c.Environment,
			c.Version,
			c.Commit,
			c.Title,
			c.Author,
			s.db.t(c.At),
			jsonText{c.Links},
			jsonText{nonNil(c.Labels)},
			c.Verdict.Rollbackable,
			c.Verdict.Reason,
			c.Verdict.PR,
			c.Verdict.Label,
			c.Hint,
			s.db.t(c.RecordedAt),
			c.RecordedBy,
		).Scan(&c.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // stored before: read it back below
		}
		if err != nil {
			return err
		}
		inserted = true
		return s.insertServices(ctx, tx, c.ID, c.Kind, c.At, c.Services)
	})
	if err != nil {
		return false, fmt.Errorf("record change: %w", err)
	}
	if !inserted {
		stored, err := scanChange(s.db.SQL.QueryRowContext(ctx, "SELECT "+changeColumns+" FROM changes c WHERE c.source = $1 AND c.external_id = $2",
			c.Source, c.ExternalID))
		if err != nil {
			return false, fmt.Errorf("read stored change: %w", err)
		}
		*c = stored
	}
	return inserted, nil
}

func (s *Changes) insertServices(ctx context.Context, tx *sql.Tx, id int64, kind change.Kind, at time.Time, services []string) error {
	for _, name := range services {
		if _, err := tx.ExecContext(ctx, "INSERT INTO change_services (service, at, change_id, kind) VALUES ($1, $2, $3, $4)",
			name, s.db.t(at), id, string(kind)); err != nil {
			return err
		}
	}
	return nil
}

// GetChange returns one change.
func (s *Changes) GetChange(ctx context.Context, id int64) (change.Change, error) {
	c, err := scanChange(s.db.SQL.QueryRowContext(ctx, "SELECT "+changeColumns+" FROM changes c WHERE c.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fail.New(fail.NotFound, "no change %d", id)
	}
	if err != nil {
		return c, fmt.Errorf("get change: %w", err)
	}
	return c, nil
}

// ListChanges returns changes newest first. With services it reads the
// service rows through their index and fetches only the changes that make
// the page: the inner LIMIT is the page times the services, since a change
// appears at most once per service.
func (s *Changes) ListChanges(ctx context.Context, q change.Query) ([]change.Change, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	a := &args{}
	var where []string
	if len(q.Services) > 0 {
		inner := []string{"cs.service IN " + a.in(anys(q.Services))}
		inner = append(inner, s.window(a, "cs.at", "cs.change_id", q)...)
		if len(q.Kinds) > 0 {
			inner = append(inner, "cs.kind IN "+a.in(kindAnys(q.Kinds)))
		}
		where = append(where, "c.id IN (SELECT cs.change_id FROM change_services cs WHERE "+strings.Join(inner, " AND ")+
			" ORDER BY cs.at DESC, cs.change_id DESC LIMIT "+a.add(q.Limit*len(q.Services))+")")
	} else {
		where = append(where, s.window(a, "c.at", "c.id", q)...)
		if len(q.Kinds) > 0 {
			where = append(where, "c.kind IN "+a.in(kindAnys(q.Kinds)))
		}
	}
	if q.Repository != "" {
		where = append(where, "c.repository = "+a.add(q.Repository))
	}
	if q.Commit != "" {
		where = append(where, "c.commit_sha = "+a.add(q.Commit))
	}
	query := "SELECT " + changeColumns + " FROM changes c"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY c.at DESC, c.id DESC LIMIT " + a.add(q.Limit)
	return s.query(ctx, query, *a...)
}

// window is the time bounds and cursor of q on the columns named.
func (s *Changes) window(a *args, at, id string, q change.Query) []string {
	var out []string
	if !q.From.IsZero() {
		out = append(out, at+" >= "+a.add(s.db.t(q.From)))
	}
	if !q.To.IsZero() {
		out = append(out, at+" <= "+a.add(s.db.t(q.To)))
	}
	if q.Before != nil {
		t := s.db.t(q.Before.At)
		out = append(out, "("+at+" < "+a.add(t)+" OR ("+at+" = "+a.add(t)+" AND "+id+" < "+a.add(q.Before.ID)+"))")
	}
	return out
}

func anys(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func kindAnys(ks []change.Kind) []any {
	out := make([]any, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

func (s *Changes) query(ctx context.Context, q string, qargs ...any) ([]change.Change, error) {
	out, err := queryList(ctx, s.db.SQL, scanChange, q, qargs...)
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	return out, nil
}

// ListUnmapped returns the changes no service was found for, newest first.
func (s *Changes) ListUnmapped(ctx context.Context, before int64, limit int) ([]change.Change, error) {
	a := &args{}
	q := "SELECT " + changeColumns + " FROM changes c WHERE NOT c.mapped"
	if before > 0 {
		q += " AND c.id < " + a.add(before)
	}
	q += " ORDER BY c.id DESC LIMIT " + a.add(limit)
	return s.query(ctx, q, *a...)
}

// MapChange gives an unmapped change its services.
func (s *Changes) MapChange(ctx context.Context, id int64, services []string) (change.Change, error) {
	var c change.Change
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = scanChange(tx.QueryRowContext(ctx, "SELECT "+changeColumns+" FROM changes c WHERE c.id = $1"+s.db.forUpdate(), id))
		if errors.Is(err, sql.ErrNoRows) {
			return fail.New(fail.NotFound, "no change %d", id)
		}
		if err != nil {
			return err
		}
		if len(c.Services) > 0 {
			return fail.New(fail.Conflict, "change %d belongs to %s already", id, strings.Join(c.Services, ", "))
		}
		c.Services = services
		if _, err := tx.ExecContext(ctx, "UPDATE changes SET services = $1, mapped = $2 WHERE id = $3", jsonText{services}, true, id); err != nil {
			return err
		}
		return s.insertServices(ctx, tx, id, c.Kind, c.At, services)
	})
	if err != nil && fail.CodeOf(err) == fail.Internal {
		err = fmt.Errorf("map change: %w", err)
	}
	return c, err
}

// OpenIncidentsOf returns the ids of open incidents that affect any of the
// services and had started by at, newest first (at most 50: a change tells the incidents that
// are being handled, not a backlog).
func (s *Incidents) OpenIncidentsOf(ctx context.Context, services []string, at time.Time) ([]int64, error) {
	if len(services) == 0 {
		return nil, nil
	}
	a := &args{}
	q := "SELECT DISTINCT i.id FROM incidents i JOIN incident_services s ON s.incident_id = i.id WHERE s.service IN " +
		a.in(anys(services)) + " AND i.status IN " + a.in([]any{string(incident.Investigating), string(incident.Identified),
		string(incident.Monitoring)}) + " AND i.started_at <= " + a.add(s.db.t(at)) + " ORDER BY i.id DESC LIMIT 50"
	ids, err := s.db.queryIDs(ctx, q, *a...)
	if err != nil {
		return nil, fmt.Errorf("open incidents of services: %w", err)
	}
	return ids, nil
}
