package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// SessionStore keeps password hashes and browser sessions.
type SessionStore interface {
	SetPasswordHash(ctx context.Context, user, hash string) error
	// PasswordHash returns the user and their hash ("" when they have none).
	PasswordHash(ctx context.Context, user string) (User, string, error)
	CreateSession(ctx context.Context, s Session, hash string) error
	// SessionByHash returns a live session and its user, extending it.
	SessionByHash(ctx context.Context, hash string, now, extendTo time.Time) (Session, User, error)
	DeleteSession(ctx context.Context, hash string) error
}

// Session is a signed-in browser.
type Session struct {
	UserID    int64
	CSRF      string // the token every form of this session carries
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionTTL is how long an idle session lives; each use extends it.
const SessionTTL = 12 * time.Hour

// SessionMaxAge is how long a session lives however busy it is: then its
// user signs in again, and an identity provider gets to say whether they
// still may.
const SessionMaxAge = 7 * 24 * time.Hour

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// Passwords handles passwords and browser sessions.
type Passwords struct {
	store SessionStore
	now   func() time.Time
	// dummy is compared against when the user does not exist, so a wrong
	// name costs the same time as a wrong password. Made on first use: it
	// costs a bcrypt round, which every start need not pay.
	dummyOnce sync.Once
	dummy     []byte
}

// NewPasswords returns the password and session service.
func NewPasswords(store SessionStore, now func() time.Time) *Passwords {
	return &Passwords{store: store, now: now}
}

// SetPassword sets a user's password, stored as a bcrypt hash.
func (p *Passwords) SetPassword(ctx context.Context, user, password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return fail.Field("password", "must be at least %d characters", MinPasswordLength)
	}
	if len(password) > 72 { // bcrypt's limit
		return fail.Field("password", "must be at most 72 bytes")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	return p.store.SetPasswordHash(ctx, user, string(hash))
}

// SignIn checks a name and password and starts a session. It returns the
// session cookie's secret, shown to the browser only.
func (p *Passwords) SignIn(ctx context.Context, name, password string) (secret string, s Session, u User, err error) {
	u, hash, err := p.store.PasswordHash(ctx, name)
	if err != nil && fail.CodeOf(err) != fail.NotFound {
		return "", Session{}, User{}, err
	}
	if hash == "" {
		p.dummyOnce.Do(func() { p.dummy, _ = bcrypt.GenerateFromPassword([]byte("not-a-real-password"), bcrypt.DefaultCost) })
		_ = bcrypt.CompareHashAndPassword(p.dummy, []byte(password))
		return "", Session{}, User{}, fail.New(fail.Unauthorized, "wrong user name or password")
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return "", Session{}, User{}, fail.New(fail.Unauthorized, "wrong user name or password")
	}
	secret, s, err = p.StartSession(ctx, u)
	return secret, s, u, err
}

// StartSession starts a browser session for a user who has proved who they
// are (by password or single sign-on) and returns the cookie's secret.
func (p *Passwords) StartSession(ctx context.Context, u User) (secret string, s Session, err error) {
	now := p.now().UTC()
	s = Session{UserID: u.ID, CSRF: randomString(24), CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}
	secret = randomString(32)
	if err := p.store.CreateSession(ctx, s, HashToken(secret)); err != nil {
		return "", Session{}, err
	}
	return secret, s, nil
}

// Session returns the live session of a cookie secret and its user.
func (p *Passwords) Session(ctx context.Context, secret string) (Session, User, error) {
	now := p.now().UTC()
	s, u, err := p.store.SessionByHash(ctx, HashToken(secret), now, now.Add(SessionTTL))
	if fail.CodeOf(err) == fail.NotFound {
		return Session{}, User{}, fail.New(fail.Unauthorized, "not signed in")
	}
	if err == nil && !now.Before(s.CreatedAt.Add(SessionMaxAge)) {
		if err := p.store.DeleteSession(ctx, HashToken(secret)); err != nil {
			return Session{}, User{}, err
		}
		return Session{}, User{}, fail.New(fail.Unauthorized, "the session is too old; sign in again")
	}
	return s, u, err
}

// SignOut ends the session of a cookie secret.
func (p *Passwords) SignOut(ctx context.Context, secret string) error {
	return p.store.DeleteSession(ctx, HashToken(secret))
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
