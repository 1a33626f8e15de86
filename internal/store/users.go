package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// Users implements auth.Store.
type Users struct{ db *DB }

// Users returns the user and token store.
func (db *DB) Users() *Users { return &Users{db: db} }

// CreateUser stores a new user and its audit entry; a taken name is a conflict.
func (s *Users) CreateUser(ctx context.Context, u *auth.User, audit *auth.AuditEntry) error {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users (name, email, role, created_at, sso_issuer, sso_subject)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			u.Name, u.Email, string(u.Role), s.db.t(u.CreatedAt), u.SSOIssuer, u.SSOSubject).Scan(&u.ID)
		if err != nil {
			return err
		}
		return s.db.appendAudit(ctx, tx, audit)
	})
	if isUniqueViolation(err) {
		return &fail.Error{Code: fail.Conflict, Field: "name", Message: fmt.Sprintf("a user named %q exists already", u.Name)}
	}
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

// isUniqueViolation recognises a unique-constraint error of either database.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}

const userColumns = "u.id, u.name, u.email, u.role, u.created_at, u.sso_issuer, u.sso_subject"

// userDest returns the scan destinations of userColumns for u; finish sets
// what cannot be scanned directly.
func userDest(u *auth.User) (dest []any, finish func()) {
	var created scanTime
	return []any{&u.ID, &u.Name, &u.Email, &u.Role, &created, &u.SSOIssuer, &u.SSOSubject}, func() { u.CreatedAt = created.Time }
}

func scanUser(row interface{ Scan(...any) error }) (auth.User, error) {
	var u auth.User
	dest, finish := userDest(&u)
	err := row.Scan(dest...)
	finish()
	return u, err
}

// loadTeams fills in the user's team roles.
func (s *Users) loadTeams(ctx context.Context, q queryer, u *auth.User) error {
	rows, err := q.QueryContext(ctx, "SELECT team, role, source FROM team_members WHERE user_id = $1 ORDER BY team", u.ID)
	if err != nil {
		return fmt.Errorf("load team roles: %w", err)
	}
	defer rows.Close()
	u.Teams = []auth.Membership{}
	for rows.Next() {
		var m auth.Membership
		if err := rows.Scan(&m.Team, &m.Role, &m.Source); err != nil {
			return err
		}
		u.Teams = append(u.Teams, m)
	}
	return rows.Err()
}

// userWhere returns the one user the condition selects, with team roles.
func (s *Users) userWhere(ctx context.Context, what, cond string, args ...any) (auth.User, error) {
	u, err := scanUser(s.db.SQL.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users u WHERE "+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, fail.New(fail.NotFound, "no user %s", what)
	}
	if err != nil {
		return auth.User{}, fmt.Errorf("find user: %w", err)
	}
	return u, s.loadTeams(ctx, s.db.SQL, &u)
}

// UserByName finds a user by name.
func (s *Users) UserByName(ctx context.Context, name string) (auth.User, error) {
	return s.userWhere(ctx, fmt.Sprintf("named %q", name), "u.name = $1", name)
}

// UserBySSO finds the user of an identity provider's account.
func (s *Users) UserBySSO(ctx context.Context, issuer, subject string) (auth.User, error) {
	return s.userWhere(ctx, "with that sign-on account", "u.sso_issuer = $1 AND u.sso_subject = $2 AND u.sso_subject <> ''", issuer, subject)
}

// UserExists reports whether a user of that name exists.
func (s *Users) UserExists(ctx context.Context, name string) (bool, error) {
	var n int
	err := s.db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE name = $1", name).Scan(&n)
	return n > 0, err
}

// SetUserRole changes a user's organisation role.
func (s *Users) SetUserRole(ctx context.Context, userID int64, role auth.Role, audit *auth.AuditEntry) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET role = $1 WHERE id = $2", string(role), userID); err != nil {
			return fmt.Errorf("set role: %w", err)
		}
		return s.db.appendAudit(ctx, tx, audit)
	})
}

// SetTeamRole gives a user a role in a team, or takes it away (role "").
func (s *Users) SetTeamRole(ctx context.Context, userID int64, team string, role auth.TeamRole, source string, audit *auth.AuditEntry) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM team_members WHERE user_id = $1 AND team = $2", userID, team); err != nil {
			return fmt.Errorf("set team role: %w", err)
		}
		if role != "" {
			if _, err := tx.ExecContext(ctx, "INSERT INTO team_members (user_id, team, role, source) VALUES ($1, $2, $3, $4)",
				userID, team, string(role), source); err != nil {
				return fmt.Errorf("set team role: %w", err)
			}
		}
		return s.db.appendAudit(ctx, tx, audit)
	})
}

// ReplaceSSOTeams replaces the team roles that came from single sign-on. A
// role an admin gave by hand in the same team stays and wins.
func (s *Users) ReplaceSSOTeams(ctx context.Context, userID int64, teams []auth.Membership, audit *auth.AuditEntry) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM team_members WHERE user_id = $1 AND source = 'oidc'", userID); err != nil {
			return fmt.Errorf("replace team roles: %w", err)
		}
		for _, m := range teams {
			if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (user_id, team, role, source) VALUES ($1, $2, $3, 'oidc')
				ON CONFLICT (user_id, team) DO NOTHING`, userID, m.Team, string(m.Role)); err != nil {
				return fmt.Errorf("replace team roles: %w", err)
			}
		}
		return s.db.appendAudit(ctx, tx, audit)
	})
}

// TeamRoles lists who holds a role in a team, by user name (bounded by
// limit: a team is people, not a table scan).
func (s *Users) TeamRoles(ctx context.Context, team string, limit int) ([]auth.TeamMember, error) {
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT u.name, m.role, m.source FROM team_members m JOIN users u ON u.id = m.user_id
		WHERE m.team = $1 ORDER BY u.name LIMIT $2`, team, limit)
	if err != nil {
		return nil, fmt.Errorf("list team roles: %w", err)
	}
	defer rows.Close()
	out := []auth.TeamMember{}
	for rows.Next() {
		var m auth.TeamMember
		if err := rows.Scan(&m.User, &m.Role, &m.Source); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
