package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/policy"
)

// TeamTargets implements teamtarget.Store.
type TeamTargets struct{ db *DB }

// TeamTargets returns the store of teams' own notification targets.
func (db *DB) TeamTargets() *TeamTargets { return &TeamTargets{db: db} }

const teamTargetColumns = "id, team, channel, address, secret, lang, from_grade, created_at, created_by, removed_at"

func scanTeamTarget(row interface{ Scan(...any) error }) (policy.TeamTarget, bool, error) {
	var t policy.TeamTarget
	var grade int
	var created, removed scanTime
	err := row.Scan(&t.ID, &t.Team, &t.Channel, &t.Address, &t.Secret, &t.Lang, &grade, &created, &t.CreatedBy, &removed)
	t.FromGrade, t.CreatedAt, t.HasSecret = incident.Grade(grade), created.Time, t.Secret != ""
	return t, removed.Valid, err
}

// AddTeamTarget stores a team's target and its audit entry together.
func (s *TeamTargets) AddTeamTarget(ctx context.Context, t *policy.TeamTarget, audit func(policy.TeamTarget) *auth.AuditEntry) error {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO team_targets (team, channel, address, secret, lang, from_grade, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			t.Team, string(t.Channel), t.Address, t.Secret, t.Lang, int(t.FromGrade), s.db.t(t.CreatedAt), t.CreatedBy).Scan(&t.ID)
		if err != nil {
			return err
		}
		return s.db.appendAudit(ctx, tx, audit(*t))
	})
	if isUniqueViolation(err) {
		return &fail.Error{Code: fail.Conflict, Field: "address", Message: fmt.Sprintf("team %s is told at %s %s already", t.Team, t.Channel, t.Address)}
	}
	if err != nil {
		return fmt.Errorf("add team target: %w", err)
	}
	return nil
}

// RemoveTeamTarget marks a team's target removed and stores the audit entry
// in the same transaction. The row stays, so a second removal is told apart
// from a target that never was.
func (s *TeamTargets) RemoveTeamTarget(ctx context.Context, team string, id int64, by string, at time.Time,
	audit func(policy.TeamTarget) *auth.AuditEntry) (policy.TeamTarget, error) {
	var t policy.TeamTarget
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var removed bool
		var err error
		t, removed, err = scanTeamTarget(tx.QueryRowContext(ctx, "SELECT "+teamTargetColumns+" FROM team_targets WHERE id = $1 AND team = $2"+s.db.forUpdate(), id, team))
		if errors.Is(err, sql.ErrNoRows) {
			return fail.New(fail.NotFound, "team %s has no target %d", team, id)
		}
		if err != nil {
			return fmt.Errorf("remove team target: %w", err)
		}
		if removed {
			return fail.New(fail.Conflict, "target %d of team %s was removed already", id, team)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE team_targets SET removed_at = $1, removed_by = $2 WHERE id = $3 AND removed_at IS NULL",
			s.db.t(at), by, id); err != nil {
			return fmt.Errorf("remove team target: %w", err)
		}
		return s.db.appendAudit(ctx, tx, audit(t))
	})
	return t, err
}

// ListTeamTargets returns the live targets of the teams, by team and age.
func (s *TeamTargets) ListTeamTargets(ctx context.Context, teams []string, limit int) ([]policy.TeamTarget, error) {
	out := []policy.TeamTarget{}
	if len(teams) == 0 {
		return out, nil
	}
	a := &args{}
	vs := make([]any, len(teams))
	for i, tm := range teams {
		vs[i] = tm
	}
	q := "SELECT " + teamTargetColumns + " FROM team_targets WHERE removed_at IS NULL AND team IN " + a.in(vs) +
		" ORDER BY team, id LIMIT " + a.add(limit)
	rows, err := s.db.SQL.QueryContext(ctx, q, *a...)
	if err != nil {
		return nil, fmt.Errorf("list team targets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		t, _, err := scanTeamTarget(rows)
		if err != nil {
			return nil, fmt.Errorf("list team targets: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
