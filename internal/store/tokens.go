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

// CreateToken stores a token's hash and description with its audit entry.
func (s *Users) CreateToken(ctx context.Context, t *auth.Token, hash string, audit *auth.AuditEntry) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, team, scopes, label, prefix, hash, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			t.UserID, t.Team, auth.FormatScopes(t.Scopes), t.Label, t.Prefix, hash, s.db.t(t.CreatedAt), s.db.tp(t.ExpiresAt)).Scan(&t.ID)
		if err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		// The entry was made before the token had an id.
		if after := string(audit.After); strings.HasPrefix(after, "{") {
			audit.After = []byte(fmt.Sprintf(`{"id":%d,%s`, t.ID, after[1:]))
		}
		return s.db.appendAudit(ctx, tx, audit)
	})
}

const tokenColumns = `t.id, t.user_id, u.name, t.team, t.scopes, t.label, t.prefix, t.hash, t.created_at, t.expires_at, t.last_used_at, t.revoked_at, t.revoked_by`

func scanToken(row interface{ Scan(...any) error }, extra ...any) (auth.Token, error) {
	var t auth.Token
	var scopes string
	var created, expires, lastUsed, revoked scanTime
	dest := append([]any{&t.ID, &t.UserID, &t.UserName, &t.Team, &scopes, &t.Label, &t.Prefix, &t.Hash, &created, &expires, &lastUsed, &revoked, &t.RevokedBy}, extra...)
	if err := row.Scan(dest...); err != nil {
		return t, err
	}
	t.Scopes, _ = auth.ParseScopes(scopes)
	t.CreatedAt = created.Time
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = expires.ptr(), lastUsed.ptr(), revoked.ptr()
	return t, nil
}

// lastUsedGranularity keeps token use from turning every API read into a
// write: last_used_at is refreshed at most this often.
const lastUsedGranularity = time.Minute

// TokenByHash returns a live token and the user who owns or made it, and
// records its use.
func (s *Users) TokenByHash(ctx context.Context, hash string, now time.Time) (auth.Token, auth.User, error) {
	var u auth.User
	dest, finish := userDest(&u)
	t, err := scanToken(s.db.SQL.QueryRowContext(ctx, `SELECT `+tokenColumns+`, `+userColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1 AND t.revoked_at IS NULL`, hash), dest...)
	finish()
	if errors.Is(err, sql.ErrNoRows) || (err == nil && t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)) {
		return auth.Token{}, auth.User{}, fail.New(fail.NotFound, "no such token")
	}
	if err != nil {
		return auth.Token{}, auth.User{}, fmt.Errorf("find token: %w", err)
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= lastUsedGranularity {
		if _, err := s.db.SQL.ExecContext(ctx, "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", s.db.t(now), t.ID); err != nil {
			return auth.Token{}, auth.User{}, fmt.Errorf("note token use: %w", err)
		}
	}
	if t.Team == "" {
		if err := s.loadTeams(ctx, s.db.SQL, &u); err != nil {
			return auth.Token{}, auth.User{}, err
		}
	}
	return t, u, nil
}

// TokenByID returns a token, revoked or not.
func (s *Users) TokenByID(ctx context.Context, id int64) (auth.Token, error) {
	t, err := scanToken(s.db.SQL.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Token{}, fail.New(fail.NotFound, "no token %d", id)
	}
	return t, err
}

// ListTokens returns tokens newest first: the user's own (not team tokens),
// the teams', or all.
func (s *Users) ListTokens(ctx context.Context, userID int64, teams []string, all bool, before int64, limit int) ([]auth.Token, error) {
	a := &args{}
	var where []string
	if !all {
		own := "(t.team = '' AND t.user_id = " + a.add(userID) + ")"
		if len(teams) > 0 {
			vs := make([]any, len(teams))
			for i, tm := range teams {
				vs[i] = tm
			}
			own = "(" + own + " OR t.team IN " + a.in(vs) + ")"
		}
		where = append(where, own)
	}
	if before > 0 {
		where = append(where, "t.id < "+a.add(before))
	}
	q := `SELECT ` + tokenColumns + ` FROM api_tokens t JOIN users u ON u.id = t.user_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY t.id DESC LIMIT " + a.add(limit)
	out, err := queryList(ctx, s.db.SQL, func(r rowScanner) (auth.Token, error) { return scanToken(r) }, q, (*a)...)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// RevokeToken marks a token revoked; it stops working at once.
func (s *Users) RevokeToken(ctx context.Context, id int64, by string, at time.Time, audit *auth.AuditEntry) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
			s.db.t(at), by, id); err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		return s.db.appendAudit(ctx, tx, audit)
	})
}
