package auth

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"github.com/firebreak-oss/firebreak/internal/textrule"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// TokenRequest is what a person asks for when making an API token.
type TokenRequest struct {
	User   string // the owner; "" means the one asking (ignored for team tokens)
	Team   string // set for a token that acts for a team
	Label  string
	Scopes []Scope
	TTL    time.Duration // 0: never expires
}

// MaxTokenTTL bounds how long a token made through the API or UI lives.
const MaxTokenTTL = 2 * 365 * 24 * time.Hour

// IssueToken makes an API token. Anyone may make one for themselves, with at
// most the scopes their own rights need; a team token needs the team's
// manager role; a token for another user needs the admin role. An admin
// may also make intake-only tokens with an API token that has the write
// scope. The secret is returned once.
func (s *Service) IssueToken(ctx context.Context, by User, req TokenRequest) (string, Token, error) {
	if by.Scopes != nil && !by.HasScope(ScopeWrite) {
		return "", Token{}, fail.New(fail.Forbidden, "making tokens needs the write scope")
	}
	if err := s.checkTokenRequest(req); err != nil {
		return "", Token{}, err
	}
	// An admin's write token may make intake tokens: intake can only post
	// alerts, less than write can, and operators set up Alertmanager and
	// Grafana by script, not from a browser.
	adminIntake := by.Scopes != nil && by.IsAdmin() && onlyIntake(req.Scopes)
	for _, sc := range req.Scopes {
		if by.Scopes != nil && !by.HasScope(sc) && !adminIntake { // a token may not make a token that can do more than itself
			return "", Token{}, fail.New(fail.Forbidden, "this token lacks the %s scope, so it cannot give it to a new token", sc)
		}
	}
	owner := by
	switch {
	case req.Team != "":
		if !by.HasTeamRole(TeamManager, req.Team) {
			return "", Token{}, fail.New(fail.Forbidden, "a token for team %s needs its manager role or the admin role", req.Team)
		}
		if by.Scopes != nil && !adminIntake { // a team token acts as the team, not as the user: the user must be a person
			return "", Token{}, fail.New(fail.Forbidden, "team tokens are made from a signed-in browser or the CLI, not with another token")
		}
	case req.User != "" && req.User != by.Name:
		if !by.IsAdmin() {
			return "", Token{}, fail.New(fail.Forbidden, "a token for another user needs the admin role")
		}
		u, err := s.store.UserByName(ctx, req.User)
		if err != nil {
			return "", Token{}, fail.Field("user", "unknown user %q", req.User)
		}
		owner = u
	}
	if by.ID == 0 {
		return "", Token{}, fail.New(fail.Forbidden, "a team's token cannot make tokens")
	}
	return s.issue(ctx, by.Name, TokenRequest{User: owner.Name, Team: req.Team, Label: req.Label, Scopes: req.Scopes, TTL: req.TTL}, owner.ID)
}

// onlyIntake reports whether scopes name the intake scope and nothing else.
func onlyIntake(scopes []Scope) bool {
	for _, sc := range scopes {
		if sc != ScopeIntake {
			return false
		}
	}
	return len(scopes) > 0
}

// OperatorToken makes a token as an operator working on the database
// directly (the CLI): any user's, or a team's made in the name of req.User.
func (s *Service) OperatorToken(ctx context.Context, req TokenRequest) (string, Token, error) {
	if err := s.checkTokenRequest(req); err != nil {
		return "", Token{}, err
	}
	u, err := s.store.UserByName(ctx, req.User)
	if err != nil {
		return "", Token{}, err
	}
	return s.issue(ctx, SystemActor, req, u.ID)
}

func (s *Service) checkTokenRequest(req TokenRequest) error {
	if utf8.RuneCountInString(req.Label) > 100 {
		return fail.Field("label", "is longer than 100 characters")
	}
	if err := textrule.Line("label", req.Label); err != nil {
		return err
	}
	if len(req.Scopes) == 0 {
		return fail.Field("scopes", "name at least one of %s", scopeList)
	}
	for i, sc := range req.Scopes {
		if _, ok := ParseScopes(string(sc)); !ok {
			return fail.Field("scopes", "scope %d: %q is not one of %s", i, sc, scopeList)
		}
	}
	if req.TTL < 0 || req.TTL > MaxTokenTTL {
		return fail.Field("ttl", "must be between 0 (never expires) and %s", MaxTokenTTL)
	}
	if req.Team != "" && s.TeamExists != nil && !s.TeamExists(req.Team) {
		return fail.Field("team", "unknown team %q", req.Team)
	}
	return nil
}

// issue stores a new token and its audit entry.
func (s *Service) issue(ctx context.Context, actor string, req TokenRequest, ownerID int64) (string, Token, error) {
	var raw [20]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Token{}, err
	}
	secret := tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:]))
	now := s.now().UTC()
	tok := Token{UserID: ownerID, UserName: req.User, Team: req.Team, Scopes: req.Scopes, Label: req.Label,
		Prefix: secret[:len(tokenPrefix)+6], CreatedAt: now}
	if req.TTL > 0 {
		exp := now.Add(req.TTL)
		tok.ExpiresAt = &exp
	}
	audit := s.entry(actor, "token.create", tokenTarget(tok), nil, tokenAudit(tok))
	if err := s.store.CreateToken(ctx, &tok, HashToken(secret), audit); err != nil {
		return "", Token{}, err
	}
	return secret, tok, nil
}

func tokenTarget(t Token) string {
	if t.Team != "" {
		return "team:" + t.Team
	}
	return "user:" + t.UserName
}

// tokenAudit is what the audit log keeps of a token: never its secret.
func tokenAudit(t Token) map[string]any {
	m := map[string]any{"prefix": t.Prefix, "label": t.Label, "scopes": t.Scopes, "expires_at": t.ExpiresAt}
	if t.ID != 0 {
		m["id"] = t.ID
	}
	return m
}

// Tokens lists the tokens a user may manage: their own and those of the
// teams they manage; admins see all. Newest first, before is a cursor.
func (s *Service) Tokens(ctx context.Context, by User, before int64, limit int) ([]Token, error) {
	if limit < 1 || limit > 200 {
		return nil, fail.Field("limit", "must be 1-200")
	}
	var teams []string
	for _, m := range by.Teams {
		if m.Role.AtLeast(TeamManager) {
			teams = append(teams, m.Team)
		}
	}
	return s.store.ListTokens(ctx, by.ID, teams, by.IsAdmin(), before, limit)
}

// RevokeToken ends a token at once. Its owner, the managers of its team and
// admins may; to anyone else it does not exist.
func (s *Service) RevokeToken(ctx context.Context, by User, id int64) (Token, error) {
	tok, err := s.store.TokenByID(ctx, id)
	if err != nil {
		return Token{}, err
	}
	mine := tok.Team == "" && tok.UserID == by.ID && by.ID != 0
	if !mine && !(tok.Team != "" && by.HasTeamRole(TeamManager, tok.Team)) && !by.IsAdmin() {
		return Token{}, fail.New(fail.NotFound, "no token %d", id)
	}
	if tok.RevokedAt != nil {
		return tok, nil
	}
	now := s.now().UTC()
	audit := s.entry(by.Name, "token.revoke", tokenTarget(tok), tokenAudit(tok), map[string]any{"id": tok.ID, "revoked_at": now})
	if err := s.store.RevokeToken(ctx, id, by.Name, now, audit); err != nil {
		return Token{}, err
	}
	tok.RevokedAt, tok.RevokedBy = &now, by.Name
	return tok, nil
}
