package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// SetPasswordHash stores a user's password hash.
func (s *Users) SetPasswordHash(ctx context.Context, user, hash string) error {
	res, err := s.db.SQL.ExecContext(ctx, "UPDATE users SET password_hash = $1 WHERE name = $2", hash, user)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fail.New(fail.NotFound, "no user named %q", user)
	}
	return nil
}

// PasswordHash returns a user and their password hash.
func (s *Users) PasswordHash(ctx context.Context, name string) (auth.User, string, error) {
	var u auth.User
	var hash string
	dest, finish := userDest(&u)
	err := s.db.SQL.QueryRowContext(ctx, "SELECT "+userColumns+", u.password_hash FROM users u WHERE u.name = $1", name).
		Scan(append(dest, &hash)...)
	finish()
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, "", fail.New(fail.NotFound, "no user named %q", name)
	}
	if err != nil {
		return auth.User{}, "", err
	}
	return u, hash, s.loadTeams(ctx, s.db.SQL, &u)
}

// CreateSession stores a new session under the hash of its cookie.
func (s *Users) CreateSession(ctx context.Context, sess auth.Session, hash string) error {
	_, err := s.db.SQL.ExecContext(ctx, `INSERT INTO sessions (hash, user_id, csrf, created_at, expires_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, hash, sess.UserID, sess.CSRF, s.db.t(sess.CreatedAt), s.db.t(sess.ExpiresAt), s.db.t(sess.CreatedAt))
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionByHash returns a live session and its user, and pushes its expiry
// out (at most once a minute, so page views do not all become writes).
func (s *Users) SessionByHash(ctx context.Context, hash string, now, extendTo time.Time) (auth.Session, auth.User, error) {
	var sess auth.Session
	var u auth.User
	var created, expires, lastSeen scanTime
	dest, finish := userDest(&u)
	err := s.db.SQL.QueryRowContext(ctx, `SELECT s.user_id, s.csrf, s.created_at, s.expires_at, s.last_seen_at, `+userColumns+`
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = $1`, hash).
		Scan(append([]any{&sess.UserID, &sess.CSRF, &created, &expires, &lastSeen}, dest...)...)
	finish()
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !now.Before(expires.Time)) {
		return auth.Session{}, auth.User{}, fail.New(fail.NotFound, "no such session")
	}
	if err != nil {
		return auth.Session{}, auth.User{}, fmt.Errorf("find session: %w", err)
	}
	sess.CreatedAt, sess.ExpiresAt = created.Time, expires.Time
	if err := s.loadTeams(ctx, s.db.SQL, &u); err != nil {
		return auth.Session{}, auth.User{}, err
	}
	if now.Sub(lastSeen.Time) >= time.Minute {
		if _, err := s.db.SQL.ExecContext(ctx, "UPDATE sessions SET expires_at = $1, last_seen_at = $2 WHERE hash = $3",
			s.db.t(extendTo), s.db.t(now), hash); err != nil {
			return auth.Session{}, auth.User{}, fmt.Errorf("extend session: %w", err)
		}
		sess.ExpiresAt = extendTo
	}
	return sess, u, nil
}

// DeleteSession ends a session.
func (s *Users) DeleteSession(ctx context.Context, hash string) error {
	_, err := s.db.SQL.ExecContext(ctx, "DELETE FROM sessions WHERE hash = $1", hash)
	return err
}

// ListUsers returns up to limit users in name order, for pickers.
func (s *Users) ListUsers(ctx context.Context, limit int) ([]auth.User, error) {
	out, err := queryList(ctx, s.db.SQL, scanUser, "SELECT "+userColumns+" FROM users u ORDER BY u.name LIMIT $1", limit)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}
