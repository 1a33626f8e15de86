// Package auth holds Firebreak's users, their organisation-wide and team
// roles, their API tokens and the audit log of changes to any of them. Tokens
// are random, shown once, and stored only as a hash.
package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// Role is what a user may do across the organisation. Admins may do
// everything; a responder may respond to any incident; a viewer (the role of
// users made at their first single sign-on) gets rights only from team roles.
type Role string

// The roles, from least to most trusted.
const (
	Viewer    Role = "viewer"
	Responder Role = "responder"
	Admin     Role = "admin"
)

var roleRank = map[Role]int{Viewer: 1, Responder: 2, Admin: 3}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return roleRank[r] > 0 }

// AtLeast reports whether r grants everything min grants.
func (r Role) AtLeast(min Role) bool { return roleRank[r] >= roleRank[min] }

// User is a person (or a bot account) known to Firebreak.
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	// Teams are the user's team roles.
	Teams []Membership `json:"teams"`
	// Scopes limit a request made with an API token; nil for a browser
	// session, which may do all the user may.
	Scopes []Scope `json:"scopes,omitempty"`
	// SSOIssuer and SSOSubject name the account at the identity provider
	// of a user made by single sign-on.
	SSOIssuer  string `json:"-"`
	SSOSubject string `json:"-"`
}

// IsAdmin reports whether u is an organisation admin.
func (u User) IsAdmin() bool { return u.Role == Admin }

// Token describes an API token without its secret. A team token (Team set)
// acts for the team; UserID is then the user who made it.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	UserName   string     `json:"user"`
	Team       string     `json:"team,omitempty"`
	Scopes     []Scope    `json:"scopes"`
	Label      string     `json:"label"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	RevokedBy  string     `json:"revoked_by,omitempty"`
	// Hash is the stored hash of the secret, filled in by lookups only.
	Hash string `json:"-"`
}

// Store keeps users, their roles, tokens and the audit log. Every method
// that changes permissions or tokens takes the audit entry that records the
// change and stores both in one transaction.
type Store interface {
	CreateUser(ctx context.Context, u *User, audit *AuditEntry) error
	UserByName(ctx context.Context, name string) (User, error)
	SetUserRole(ctx context.Context, userID int64, role Role, audit *AuditEntry) error
	// SetTeamRole gives the user a role in the team, or takes their role
	// away when role is "".
	SetTeamRole(ctx context.Context, userID int64, team string, role TeamRole, source string, audit *AuditEntry) error
	TeamRoles(ctx context.Context, team string, limit int) ([]TeamMember, error)
	CreateToken(ctx context.Context, t *Token, hash string, audit *AuditEntry) error
	// TokenByHash finds the live token with this hash, notes its use, and
	// returns it with the user who owns or made it.
	TokenByHash(ctx context.Context, hash string, now time.Time) (Token, User, error)
	TokenByID(ctx context.Context, id int64) (Token, error)
	// ListTokens returns tokens newest first with ids below before (0: any):
	// those of userID or of the teams (all tokens when all is set).
	ListTokens(ctx context.Context, userID int64, teams []string, all bool, before int64, limit int) ([]Token, error)
	RevokeToken(ctx context.Context, id int64, by string, at time.Time, audit *AuditEntry) error
	// UserBySSO finds the user of an identity provider's account.
	UserBySSO(ctx context.Context, issuer, subject string) (User, error)
	// ReplaceSSOTeams sets the team roles that came from the identity
	// provider, leaving those an admin gave alone.
	ReplaceSSOTeams(ctx context.Context, userID int64, teams []Membership, audit *AuditEntry) error
	AuditLog
}

// Service states the rules for users and tokens.
type Service struct {
	store Store
	now   func() time.Time
	// TeamExists reports whether a team is in the catalog; nil accepts any.
	TeamExists func(name string) bool
}

// NewService returns a Service over store, reading time from now.
func NewService(store Store, now func() time.Time) *Service {
	return &Service{store: store, now: now}
}

var userName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// ValidUserName reports whether name is acceptable as a user name: it ends up
// in URLs, chat mentions and config files, so it is kept plain.
func ValidUserName(name string) bool { return userName.MatchString(name) }

// AddUser creates a user after checking its fields.
func (s *Service) AddUser(ctx context.Context, name, email string, role Role) (User, error) {
	name = strings.TrimSpace(name)
	if !ValidUserName(name) {
		return User{}, fail.Field("name", "must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	if !role.Valid() {
		return User{}, fail.Field("role", "must be one of viewer, responder, admin; got %q", role)
	}
	if email != "" && !strings.Contains(email, "@") {
		return User{}, fail.Field("email", "%q is not an e-mail address", email)
	}
	u := User{Name: name, Email: email, Role: role, CreatedAt: s.now().UTC()}
	audit := s.entry(SystemActor, "user.create", "user:"+name, nil, map[string]any{"role": role, "email": email})
	if err := s.store.CreateUser(ctx, &u, audit); err != nil {
		return User{}, err
	}
	return u, nil
}

// tokenPrefix marks Firebreak tokens so secret scanners can find leaked ones.
const tokenPrefix = "fbt_"

// CreateToken makes a read and write API token for the named user, as an
// operator working on the database directly. The returned secret is shown
// once; only its hash is kept.
func (s *Service) CreateToken(ctx context.Context, user, label string, ttl time.Duration) (secret string, tok Token, err error) {
	return s.OperatorToken(ctx, TokenRequest{User: user, Label: label, Scopes: []Scope{ScopeRead, ScopeWrite}, TTL: ttl})
}

// LooksLikeToken reports whether s has the form of a Firebreak API token.
func LooksLikeToken(s string) bool { return strings.HasPrefix(s, tokenPrefix) }

// HashToken returns the stored form of a token secret. Tokens carry 160 random
// bits, so a plain SHA-256 is enough; a slow password hash would only add
// latency to every API call.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Authenticate returns who a token secret acts for, limited to the token's
// scopes: its user, or for a team token the team's bot. The lookup is by
// hash, and the stored hash is compared again in constant time, so no secret
// is ever compared byte by byte.
func (s *Service) Authenticate(ctx context.Context, secret string) (User, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return User{}, fail.New(fail.Unauthorized, "invalid API token")
	}
	hash := HashToken(secret)
	tok, u, err := s.store.TokenByHash(ctx, hash, s.now().UTC())
	if fail.CodeOf(err) == fail.NotFound {
		return User{}, fail.New(fail.Unauthorized, "invalid or expired API token")
	}
	if err != nil {
		return User{}, err
	}
	if subtle.ConstantTimeCompare([]byte(tok.Hash), []byte(hash)) != 1 {
		return User{}, fail.New(fail.Unauthorized, "invalid or expired API token")
	}
	if tok.Team != "" {
		u = TeamBot(tok.Team, tok.Scopes)
	}
	u.Scopes = tok.Scopes
	return u, nil
}

// TeamBot is who a team token acts as: a member of the team only, with the
// responder role when the token may write and the viewer role otherwise.
func TeamBot(team string, scopes []Scope) User {
	role := TeamViewer
	if slices.Contains(scopes, ScopeWrite) {
		role = TeamResponder
	}
	return User{Name: "team:" + team, Role: Viewer, Teams: []Membership{{Team: team, Role: role}}, Scopes: scopes}
}
