package sso

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// LoginTTL is how long a sign-in may take at the identity provider.
const LoginTTL = 10 * time.Minute

// Pending is a sign-in between the redirect to the provider and its answer.
type Pending struct {
	Nonce    string
	Verifier string // the PKCE code verifier
	Next     string // where to go once signed in
}

// LoginStore keeps pending sign-ins in the database: the provider's answer
// may reach another replica than the one that sent the browser off.
type LoginStore interface {
	SaveLogin(ctx context.Context, stateHash string, p Pending, expires time.Time) error
	// TakeLogin returns and deletes a live pending sign-in, so each state
	// is good for one answer only.
	TakeLogin(ctx context.Context, stateHash string, now time.Time) (Pending, error)
}

// Client signs people in through one OpenID Connect provider.
type Client struct {
	cfg   *OIDC
	store LoginStore
	now   func() time.Time

	mu       sync.Mutex
	provider *oidc.Provider // found on first use, so a provider that is down does not stop the server starting
}

// NewClient returns a client for the provider cfg names.
func NewClient(cfg *OIDC, store LoginStore, now func() time.Time) *Client {
	return &Client{cfg: cfg, store: store, now: now}
}

// Label is the sign-in button's text.
func (c *Client) Label() string { return c.cfg.Label }

func (c *Client) discover(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, c.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("identity provider %s: %w", c.cfg.Issuer, err)
	}
	c.provider = p
	return p, nil
}

func (c *Client) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: c.cfg.RedirectURL, Scopes: c.cfg.Scopes}
}

// Start begins a sign-in: it returns the provider URL to send the browser
// to, and the state, which the browser must also carry back in a cookie so
// that nobody can finish a sign-in they did not start.
func (c *Client) Start(ctx context.Context, next string) (redirect, state string, err error) {
	p, err := c.discover(ctx)
	if err != nil {
		return "", "", err
	}
	state, nonce, verifier := random(), random(), oauth2.GenerateVerifier()
	if err := c.store.SaveLogin(ctx, auth.HashToken(state), Pending{Nonce: nonce, Verifier: verifier, Next: next}, c.now().Add(LoginTTL)); err != nil {
		return "", "", err
	}
	return c.oauth(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), state, nil
}

// Finish completes a sign-in from the provider's answer (the callback's
// query) and the state cookie: it checks the state, redeems the code with
// the PKCE verifier, verifies the ID token's signature against the
// provider's keys, its issuer, audience, expiry and nonce, and maps its
// groups. It returns who signed in and where they were going.
func (c *Client) Finish(ctx context.Context, q url.Values, cookieState string) (auth.Identity, string, error) {
	if e := q.Get("error"); e != "" {
		return auth.Identity{}, "", fail.New(fail.Unauthorized, "the identity provider refused the sign-in: %s %s", e, q.Get("error_description"))
	}
	state := q.Get("state")
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(cookieState)) != 1 {
		return auth.Identity{}, "", fail.New(fail.Unauthorized, "this sign-in was not started in this browser; start again")
	}
	pending, err := c.store.TakeLogin(ctx, auth.HashToken(state), c.now())
	if err != nil {
		return auth.Identity{}, "", fail.New(fail.Unauthorized, "this sign-in expired or was used already; start again")
	}
	p, err := c.discover(ctx)
	if err != nil {
		return auth.Identity{}, "", err
	}
	tok, err := c.oauth(p).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(pending.Verifier))
	if err != nil {
		return auth.Identity{}, "", fail.New(fail.Unauthorized, "the identity provider did not accept the sign-in code: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return auth.Identity{}, "", fail.New(fail.Unauthorized, "the identity provider sent no ID token")
	}
	idt, err := p.VerifierContext(ctx, &oidc.Config{ClientID: c.cfg.ClientID, Now: c.now}).Verify(ctx, raw)
	if err != nil {
		return auth.Identity{}, "", fail.New(fail.Unauthorized, "the ID token is not valid: %v", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(pending.Nonce)) != 1 {
		return auth.Identity{}, "", fail.New(fail.Unauthorized, "the ID token's nonce does not match this sign-in")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return auth.Identity{}, "", fail.New(fail.Unauthorized, "the ID token's claims cannot be read: %v", err)
	}
	id := auth.Identity{Issuer: idt.Issuer, Subject: idt.Subject, Name: str(claims[c.cfg.UsernameClaim]), Email: str(claims["email"])}
	if id.Name == "" {
		id.Name = str(claims["email"])
	}
	id.Role, id.Teams = c.cfg.Map(strs(claims[c.cfg.GroupsClaim]))
	return id, pending.Next, nil
}

func str(v any) string {
	s, _ := v.(string)
	return strings.TrimSpace(s)
}

// strs reads a claim that is a list of strings, or one string.
func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func random() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
