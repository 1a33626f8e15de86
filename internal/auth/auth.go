// Package auth holds Firebreak's users, their organisation-wide roles and
// their API tokens. Tokens are random, shown once, and stored only as a hash.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"regexp"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// Role is what a user may do across the organisation.
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
}

// IsAdmin reports whether u is an organisation admin.
func (u User) IsAdmin() bool { return u.Role == Admin }

// Token describes an API token without its secret.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Label      string     `json:"label"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// Store keeps users and tokens.
type Store interface {
	CreateUser(ctx context.Context, u *User) error
	UserByName(ctx context.Context, name string) (User, error)
	CreateToken(ctx context.Context, t *Token, hash string) error
	// UserByTokenHash finds the live token with this hash and notes its use.
	UserByTokenHash(ctx context.Context, hash string, now time.Time) (User, error)
}

// Service states the rules for users and tokens.
type Service struct {
	store Store
	now   func() time.Time
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
	if err := s.store.CreateUser(ctx, &u); err != nil {
		return User{}, err
	}
	return u, nil
}

// tokenPrefix marks Firebreak tokens so secret scanners can find leaked ones.
const tokenPrefix = "fbt_"

// CreateToken makes a new API token for the named user. The returned secret is
// shown once; only its hash is kept.
func (s *Service) CreateToken(ctx context.Context, user, label string, ttl time.Duration) (secret string, tok Token, err error) {
	u, err := s.store.UserByName(ctx, user)
	if err != nil {
		return "", Token{}, err
	}
	var raw [20]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Token{}, err
	}
	secret = tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:]))
	now := s.now().UTC()
	tok = Token{UserID: u.ID, Label: label, Prefix: secret[:len(tokenPrefix)+6], CreatedAt: now}
	if ttl > 0 {
		exp := now.Add(ttl)
		tok.ExpiresAt = &exp
	}
	if err := s.store.CreateToken(ctx, &tok, HashToken(secret)); err != nil {
		return "", Token{}, err
	}
	return secret, tok, nil
}

// HashToken returns the stored form of a token secret. Tokens carry 160 random
// bits, so a plain SHA-256 is enough; a slow password hash would only add
// latency to every API call.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Authenticate returns the user a token secret belongs to. The lookup is by
// hash, so no secret is ever compared byte by byte.
func (s *Service) Authenticate(ctx context.Context, secret string) (User, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return User{}, fail.New(fail.Unauthorized, "invalid API token")
	}
	u, err := s.store.UserByTokenHash(ctx, HashToken(secret), s.now().UTC())
	if fail.CodeOf(err) == fail.NotFound {
		return User{}, fail.New(fail.Unauthorized, "invalid or expired API token")
	}
	return u, err
}
