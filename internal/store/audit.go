package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/auth"
)

// appendAudit writes an audit entry with q (a transaction, mostly, so that
// the change and its record are stored together). A nil entry writes nothing.
func (db *DB) appendAudit(ctx context.Context, q queryer, e *auth.AuditEntry) error {
	if e == nil {
		return nil
	}
	before, after := string(e.Before), string(e.After)
	if before == "" {
		before = "null"
	}
	if after == "" {
		after = "null"
	}
	err := q.QueryRowContext(ctx, "INSERT INTO audit_log (at, actor, action, target, before, after) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
		db.t(e.At), e.Actor, e.Action, e.Target, before, after).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("append audit entry: %w", err)
	}
	return nil
}

// AppendAudit writes one audit entry.
func (s *Users) AppendAudit(ctx context.Context, e *auth.AuditEntry) error {
	return s.db.appendAudit(ctx, s.db.SQL, e)
}

// LatestAudit returns the newest entry of an action on a target, or nil.
func (s *Users) LatestAudit(ctx context.Context, action, target string) (*auth.AuditEntry, error) {
	entries, err := s.listAudit(ctx, "action = $1 AND target = $2", []any{action, target}, 0, 1)
	if err != nil || len(entries) == 0 {
		return nil, err
	}
	return &entries[0], nil
}

// ListAudit returns audit entries newest first, with ids below before (0: any).
func (s *Users) ListAudit(ctx context.Context, before int64, limit int) ([]auth.AuditEntry, error) {
	return s.listAudit(ctx, "", nil, before, limit)
}

// listAudit returns entries newest first that meet cond (with its args as
// $1…), with ids below before (0: any).
func (s *Users) listAudit(ctx context.Context, cond string, condArgs []any, before int64, limit int) ([]auth.AuditEntry, error) {
	a := args(condArgs)
	var where []string
	if cond != "" {
		where = append(where, cond)
	}
	if before > 0 {
		where = append(where, "id < "+a.add(before))
	}
	q := "SELECT id, at, actor, action, target, before, after FROM audit_log"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT " + a.add(limit)
	rows, err := s.db.SQL.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	defer rows.Close()
	out := []auth.AuditEntry{}
	for rows.Next() {
		var e auth.AuditEntry
		var at scanTime
		var before, after string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &before, &after); err != nil {
			return nil, err
		}
		e.At, e.Before, e.After = at.Time, []byte(before), []byte(after)
		out = append(out, e)
	}
	return out, rows.Err()
}
