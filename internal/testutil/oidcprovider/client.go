package main

import (
	"slices"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

const scopeGroups = "groups"

// client is the one relying party the provider serves: a confidential web
// application using the authorization code flow.
type client struct {
	id, secret string

	mu        sync.Mutex
	redirects []string
	logouts   []string // post-logout redirect URIs
}

func (c *client) allowRedirect(uri string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !slices.Contains(c.redirects, uri) {
		c.redirects = append(c.redirects, uri)
	}
}

func (c *client) allowLogoutRedirect(uri string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !slices.Contains(c.logouts, uri) {
		c.logouts = append(c.logouts, uri)
	}
}

func (c *client) GetID() string { return c.id }

func (c *client) RedirectURIs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.redirects)
}

func (c *client) PostLogoutRedirectURIs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.logouts)
}

func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType        { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string           { return "/login?id=" + id }
func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration      { return 5 * time.Minute }
func (c *client) DevMode() bool                       { return false }
func (c *client) ClockSkew() time.Duration            { return 0 }
func (c *client) IsScopeAllowed(scope string) bool    { return scope == scopeGroups }

// IDTokenUserinfoClaimsAssertion puts the profile, email and groups claims in
// the ID token itself, as the identity providers Firebreak meets do; the
// relying party reads them there rather than at the userinfo endpoint.
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
