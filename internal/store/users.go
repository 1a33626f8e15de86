package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// Users implements auth.Store.
type Users struct{ db *DB }

// Users returns the user and token store.
func (db *DB) Users() *Users { return &Users{db: db} }

// CreateUser stores a new user; a taken name is a conflict.
func (s *Users) CreateUser(ctx context.Context, u *auth.User) error {
	err := s.db.SQL.QueryRowContext(ctx, "INSERT INTO users (name, email, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
		u.Name, u.Email, string(u.Role), s.db.t(u.CreatedAt)).Scan(&u.ID)
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

const userColumns = "u.id, u.name, u.email, u.role, u.created_at"

func scanUser(row interface{ Scan(...any) error }) (auth.User, error) {
	var u auth.User
	var created scanTime
	err := row.Scan(&u.ID, &u.Name, &u.Email, &u.Role, &created)
	u.CreatedAt = created.Time
	return u, err
}

// UserByName finds a user by name.
func (s *Users) UserByName(ctx context.Context, name string) (auth.User, error) {
	u, err := scanUser(s.db.SQL.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users u WHERE u.name = $1", name))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, fail.New(fail.NotFound, "no user named %q", name)
	}
	return u, err
}

// UserExists reports whether a user of that name exists.
func (s *Users) UserExists(ctx context.Context, name string) (bool, error) {
	var n int
	err := s.db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE name = $1", name).Scan(&n)
	return n > 0, err
}

// CreateToken stores a token's hash and description.
func (s *Users) CreateToken(ctx context.Context, t *auth.Token, hash string) error {
	err := s.db.SQL.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, label, prefix, hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		t.UserID, t.Label, t.Prefix, hash, s.db.t(t.CreatedAt), s.db.tp(t.ExpiresAt)).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	return nil
}

// lastUsedGranularity keeps token use from turning every API read into a
// write: last_used_at is refreshed at most this often.
const lastUsedGranularity = time.Minute

// UserByTokenHash returns the owner of a live token and records its use.
func (s *Users) UserByTokenHash(ctx context.Context, hash string, now time.Time) (auth.User, error) {
	var tokenID int64
	var expires, lastUsed scanTime
	var u auth.User
	var created scanTime
	err := s.db.SQL.QueryRowContext(ctx, `SELECT t.id, t.expires_at, t.last_used_at, `+userColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1 AND t.revoked_at IS NULL`, hash).
		Scan(&tokenID, &expires, &lastUsed, &u.ID, &u.Name, &u.Email, &u.Role, &created)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && expires.Valid && !now.Before(expires.Time)) {
		return auth.User{}, fail.New(fail.NotFound, "no such token")
	}
	if err != nil {
		return auth.User{}, fmt.Errorf("find token: %w", err)
	}
	u.CreatedAt = created.Time
	if !lastUsed.Valid || now.Sub(lastUsed.Time) >= lastUsedGranularity {
		if _, err := s.db.SQL.ExecContext(ctx, "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", s.db.t(now), tokenID); err != nil {
			return auth.User{}, fmt.Errorf("note token use: %w", err)
		}
	}
	return u, nil
}
