package main

import (
	"context"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is an account at the provider.
type User struct {
	Subject  string   `json:"subject"`
	Username string   `json:"username"`
	Password string   `json:"password,omitempty"`
	Email    string   `json:"email,omitempty"`
	Groups   []string `json:"groups,omitempty"`
}

// Faults make the provider misbehave the way a forger or a broken provider
// would, so that the relying party's refusals can be tested.
type Faults struct {
	// SignWithUnknownKey signs ID tokens with a key the JWKS does not publish.
	SignWithUnknownKey bool `json:"sign_with_unknown_key"`
	// WrongNonce puts another nonce in ID tokens than the client asked for.
	WrongNonce bool `json:"wrong_nonce"`
}

// storage is everything the op package asks of a provider's back end, kept
// in memory: one process serves one test.
type storage struct {
	client *client
	key    signingKey // published in the JWKS
	rogue  signingKey // same key id, never published

	mu       sync.Mutex
	users    map[string]User // by subject
	session  string          // the subject signed in at the provider ("" for nobody)
	faults   Faults
	requests map[string]*authRequest // by id
	codes    map[string]string       // code → request id
	tokens   map[string]accessToken  // by id
	issued   int                     // ID tokens issued
	seq      int
}

type accessToken struct {
	subject string
	scopes  []string
	expires time.Time
}

func newStorage(c *client, key, rogue *rsa.PrivateKey, keyID string, users []User) *storage {
	s := &storage{
		client: c,
		key:    signingKey{id: keyID, key: key},
		rogue:  signingKey{id: keyID, key: rogue},
		users:  map[string]User{}, requests: map[string]*authRequest{}, codes: map[string]string{}, tokens: map[string]accessToken{},
	}
	for _, u := range users {
		s.users[u.Subject] = u
	}
	return s
}

var errNotFound = errors.New("not found")

func (s *storage) nextID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s-%d-%s", prefix, s.seq, randomString(12))
}

// CreateAuthRequest keeps an authorization request until the user signs in.
// PKCE with S256 is required of every client, as OAuth 2.1 asks.
func (s *storage) CreateAuthRequest(_ context.Context, r *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if r.CodeChallenge == "" || r.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method S256 is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &authRequest{
		id: s.nextID("req"), clientID: r.ClientID, redirectURI: r.RedirectURI, scopes: r.Scopes,
		state: r.State, nonce: r.Nonce, responseType: r.ResponseType, responseMode: r.ResponseMode,
		challenge: &oidc.CodeChallenge{Challenge: r.CodeChallenge, Method: r.CodeChallengeMethod},
		created:   time.Now(),
	}
	s.requests[a.id] = a
	return a, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok || time.Since(a.created) > 10*time.Minute {
		return nil, errNotFound
	}
	return a, nil
}

// AuthRequestByCode returns the request a code was issued for. With the
// WrongNonce fault it returns a copy whose nonce differs.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[s.codes[code]]
	if !ok || time.Since(a.created) > 10*time.Minute {
		return nil, errNotFound
	}
	if s.faults.WrongNonce {
		c := *a
		c.nonce = "not-the-" + a.nonce
		return &c, nil
	}
	return a, nil
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.requests[id]; !ok {
		return errNotFound
	}
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest is called once tokens are issued for a code: the code is
// then spent.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for code, rid := range s.codes {
		if rid == id {
			delete(s.codes, code)
		}
	}
	return nil
}

// complete signs the current session's user into a pending request.
func (s *storage) complete(id, subject string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return errNotFound
	}
	a.subject, a.authTime, a.done = subject, time.Now(), true
	return nil
}

func (s *storage) CreateAccessToken(_ context.Context, r op.TokenRequest) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID("at")
	exp := time.Now().Add(5 * time.Minute)
	s.tokens[id] = accessToken{subject: r.GetSubject(), scopes: r.GetScopes(), expires: exp}
	s.issued++
	return id, exp, nil
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, oidc.ErrUnsupportedGrantType().WithDescription("no refresh tokens here")
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, oidc.ErrInvalidGrant().WithDescription("no refresh tokens here")
}

// TerminateSession signs the user out at the provider (end_session).
func (s *storage) TerminateSession(_ context.Context, userID, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if userID == "" || userID == s.session {
		s.session = ""
	}
	return nil
}

func (s *storage) RevokeToken(_ context.Context, tokenID, _, _ string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, tokenID)
	return nil
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// SigningKey is the key ID tokens are signed with; the SignWithUnknownKey
// fault swaps in the rogue key under the published key's id.
func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.SignWithUnknownKey {
		return &s.rogue, nil
	}
	return &s.key, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{&publicKey{s.key}}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != s.client.id {
		return nil, fmt.Errorf("unknown client %q", id)
	}
	return s.client, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != s.client.id || subtle.ConstantTimeCompare([]byte(secret), []byte(s.client.secret)) != 1 {
		return errors.New("wrong client id or secret")
	}
	return nil
}

// SetUserinfoFromScopes is deprecated in op; SetUserinfoFromRequest does the work.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims for the scopes granted.
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, r op.IDTokenRequest, scopes []string) error {
	return s.fill(info, r.GetSubject(), scopes)
}

func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || t.subject != subject || time.Now().After(t.expires) {
		return errors.New("access token unknown or expired")
	}
	return s.fill(info, subject, t.scopes)
}

func (s *storage) fill(info *oidc.UserInfo, subject string, scopes []string) error {
	s.mu.Lock()
	u, ok := s.users[subject]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("unknown user %q", subject)
	}
	info.Subject = u.Subject
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeProfile:
			info.PreferredUsername = u.Username
			info.Name = u.Username
		case oidc.ScopeEmail:
			info.Email, info.EmailVerified = u.Email, oidc.Bool(u.Email != "")
		case scopeGroups:
			info.AppendClaims("groups", slices.Clone(u.Groups))
		}
	}
	return nil
}

func (s *storage) SetIntrospectionFromToken(_ context.Context, r *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || t.subject != subject || time.Now().After(t.expires) {
		return errors.New("access token unknown or expired")
	}
	r.Active, r.Subject, r.ClientID, r.Scope = true, subject, clientID, t.scopes
	return nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("private_key_jwt is not served")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("the JWT profile grant is not served")
}

func (s *storage) Health(context.Context) error { return nil }

// authRequest is one authorization request, from /authorize until its code
// is redeemed.
type authRequest struct {
	id, clientID, redirectURI, state, nonce, subject string
	scopes                                           []string
	responseType                                     oidc.ResponseType
	responseMode                                     oidc.ResponseMode
	challenge                                        *oidc.CodeChallenge
	created, authTime                                time.Time
	done                                             bool
}

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAMR() []string                      { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string                 { return []string{a.clientID} }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.challenge }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *authRequest) GetScopes() []string                   { return a.scopes }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }

type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

type publicKey struct{ signingKey }

func (k *publicKey) ID() string                         { return k.id }
func (k *publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *publicKey) Use() string                        { return "sig" }
func (k *publicKey) Key() any                           { return &k.key.PublicKey }
