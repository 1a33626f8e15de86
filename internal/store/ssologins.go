package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/sso"
)

// SSOLogins implements sso.LoginStore.
type SSOLogins struct{ db *DB }

// SSOLogins returns the store of pending single sign-on attempts.
func (db *DB) SSOLogins() *SSOLogins { return &SSOLogins{db: db} }

// SaveLogin stores a pending sign-in, and drops those that expired: each
// start cleans up after the attempts that were never finished.
func (s *SSOLogins) SaveLogin(ctx context.Context, stateHash string, p sso.Pending, expires time.Time) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sso_logins WHERE expires_at < $1", s.db.t(time.Now())); err != nil {
			return fmt.Errorf("drop expired sign-ins: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO sso_logins (state_hash, nonce, verifier, next, expires_at) VALUES ($1, $2, $3, $4, $5)",
			stateHash, p.Nonce, p.Verifier, p.Next, s.db.t(expires)); err != nil {
			return fmt.Errorf("save sign-in: %w", err)
		}
		return nil
	})
}

// TakeLogin returns and deletes a pending sign-in in one statement, so two
// answers with the same state cannot both use it.
func (s *SSOLogins) TakeLogin(ctx context.Context, stateHash string, now time.Time) (sso.Pending, error) {
	var p sso.Pending
	var expires scanTime
	err := s.db.SQL.QueryRowContext(ctx, "DELETE FROM sso_logins WHERE state_hash = $1 RETURNING nonce, verifier, next, expires_at", stateHash).
		Scan(&p.Nonce, &p.Verifier, &p.Next, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !now.Before(expires.Time)) {
		return sso.Pending{}, fail.New(fail.NotFound, "no such sign-in")
	}
	return p, err
}
