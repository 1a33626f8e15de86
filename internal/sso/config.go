// Package sso signs people in through an OpenID Connect identity provider
// (authorization code flow with PKCE; state, nonce and the ID token's
// signature checked) and maps their groups to Firebreak roles. It also reads
// the auth: section of the config file, which configures it and the limits
// on password sign-in.
package sso

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/confyaml"
)

// The defaults of the auth section.
const (
	DefaultLoginLimit  = 10
	DefaultLoginWindow = 15 * time.Minute
)

// Config is the auth: section of the config file.
type Config struct {
	// LoginLimit failed password sign-ins per client address, and per user
	// name, are allowed in any LoginWindow; more are refused unchecked.
	LoginLimit  int
	LoginWindow time.Duration
	// OIDC is the identity provider; nil when single sign-on is off.
	OIDC *OIDC
}

// OIDC configures sign-in through an OpenID Connect provider.
type OIDC struct {
	Issuer       string
	ClientID     string
	ClientSecret string // from client_secret or the variable client_secret_env names
	RedirectURL  string // this server's /auth/oidc/callback as the provider knows it
	Scopes       []string
	// Label is the sign-in button's text, e.g. the company's name for it.
	Label string
	// UsernameClaim and GroupsClaim name the ID token claims read.
	UsernameClaim string
	GroupsClaim   string
	// DefaultRole is the organisation role of a user no group maps to one.
	DefaultRole auth.Role
	Groups      []GroupRule
}

// GroupRule gives the members of an identity provider's group a role: in a
// team when Team is set (viewer, responder, manager), else in the whole
// organisation (viewer, responder, admin).
type GroupRule struct {
	Group string `json:"group"`
	Team  string `json:"team,omitempty"`
	Role  string `json:"role"`
}

// DefaultConfig is the auth section of a file that has none.
func DefaultConfig() *Config {
	return &Config{LoginLimit: DefaultLoginLimit, LoginWindow: DefaultLoginWindow}
}

// LoadConfig reads the auth section of the config file at path. teams
// reports whether a team exists (nil: not checked).
func LoadConfig(path string, teams func(string) bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load auth config: %w", err)
	}
	return ParseConfig(path, data, teams, os.LookupEnv)
}

// ParseConfig reads and checks the auth section of data, the contents of
// filename. env looks up environment variables (for client_secret_env).
// Every problem found comes back in confyaml.Errors.
func ParseConfig(filename string, data []byte, teams func(string) bool, env func(string) (string, bool)) (*Config, error) {
	p := &parser{teams: teams, env: env}
	c := DefaultConfig()
	if err := confyaml.ReadSection(&p.Reader, filename, data, "auth", func(f confyaml.Field) { p.auth(c, f.Val) }); err != nil {
		return nil, err
	}
	return c, nil
}

type parser struct {
	confyaml.Reader
	teams func(string) bool
	env   func(string) (string, bool)
}

func (p *parser) auth(c *Config, n *yaml.Node) {
	if confyaml.IsNull(confyaml.Resolve(n)) {
		return
	}
	fields, ok := p.Fields(n, "auth")
	if !ok {
		return
	}
	for _, f := range fields {
		switch f.Key.Value {
		case "login_rate_limit":
			c.LoginLimit = p.intIn(f, 1, 1000)
		case "login_rate_window":
			c.LoginWindow = p.duration(f, time.Minute, 24*time.Hour)
		case "oidc":
			c.OIDC = p.oidc(f.Val)
		default:
			p.Unknown(f)
		}
	}
}

func (p *parser) oidc(n *yaml.Node) *OIDC {
	fields, ok := p.Fields(n, "auth.oidc")
	if !ok {
		return nil
	}
	o := &OIDC{Scopes: []string{"openid", "profile", "email"}, UsernameClaim: "preferred_username", GroupsClaim: "groups",
		DefaultRole: auth.Viewer, Label: "Single sign-on"}
	var secretNodes []*yaml.Node // client_secret and client_secret_env, of which one may be given
	for _, f := range fields {
		switch f.Key.Value {
		case "issuer":
			o.Issuer = p.url(f, false)
		case "client_id":
			o.ClientID = p.Str(f.Val, f.Path)
		case "client_secret":
			o.ClientSecret = p.Str(f.Val, f.Path)
			secretNodes = append(secretNodes, f.Key)
		case "client_secret_env":
			secretEnv := p.Str(f.Val, f.Path)
			secretNodes = append(secretNodes, f.Key)
			v, ok := p.env(secretEnv)
			if !ok || v == "" {
				p.Errorf(f.Val, f.Path, "environment variable %s is not set", secretEnv)
			}
			o.ClientSecret = v
		case "redirect_url":
			o.RedirectURL = p.url(f, true)
		case "scopes":
			o.Scopes = []string{"openid"}
			for i, s := range p.List(f.Val, f.Path) {
				sc := p.Str(s, fmt.Sprintf("%s[%d]", f.Path, i))
				if sc != "" && !slices.Contains(o.Scopes, sc) {
					o.Scopes = append(o.Scopes, sc)
				}
			}
		case "label":
			o.Label = p.Str(f.Val, f.Path)
		case "username_claim":
			o.UsernameClaim = p.Str(f.Val, f.Path)
		case "groups_claim":
			o.GroupsClaim = p.Str(f.Val, f.Path)
		case "default_role":
			o.DefaultRole = auth.Role(p.Str(f.Val, f.Path))
			if !o.DefaultRole.Valid() {
				p.Errorf(f.Val, f.Path, "must be one of viewer, responder, admin; got %q", o.DefaultRole)
			}
		case "groups":
			for i, g := range p.List(f.Val, f.Path) {
				o.Groups = append(o.Groups, p.group(g, fmt.Sprintf("%s[%d]", f.Path, i)))
			}
		default:
			p.Unknown(f)
		}
	}
	for _, req := range []struct{ name, val string }{{"issuer", o.Issuer}, {"client_id", o.ClientID}, {"redirect_url", o.RedirectURL}} {
		if req.val == "" {
			p.Errorf(n, "auth.oidc."+req.name, "is required")
		}
	}
	if len(secretNodes) > 1 {
		p.Errorf(secretNodes[1], "auth.oidc", "give client_secret or client_secret_env, not both")
	}
	if o.UsernameClaim == "" || o.GroupsClaim == "" {
		p.Errorf(n, "auth.oidc", "username_claim and groups_claim must not be empty")
	}
	return o
}

func (p *parser) group(n *yaml.Node, path string) GroupRule {
	var g GroupRule
	fields, ok := p.Fields(n, path)
	if !ok {
		return g
	}
	var roleNode *yaml.Node
	for _, f := range fields {
		switch f.Key.Value {
		case "group":
			g.Group = p.Str(f.Val, f.Path)
		case "team":
			g.Team = p.Str(f.Val, f.Path)
			if g.Team != "" && p.teams != nil && !p.teams(g.Team) {
				p.Errorf(f.Val, f.Path, "unknown team %q; teams are listed under teams:", g.Team)
			}
		case "role":
			g.Role, roleNode = p.Str(f.Val, f.Path), f.Val
		default:
			p.Unknown(f)
		}
	}
	if g.Group == "" {
		p.Errorf(n, path+".group", "is required")
	}
	switch {
	case roleNode == nil:
		p.Errorf(n, path+".role", "is required")
	case g.Team != "" && !auth.TeamRole(g.Role).Valid():
		p.Errorf(roleNode, path+".role", "a team role must be one of viewer, responder, manager; got %q", g.Role)
	case g.Team == "" && !auth.Role(g.Role).Valid():
		p.Errorf(roleNode, path+".role", "without a team, the role is an organisation role: one of viewer, responder, admin; got %q", g.Role)
	}
	return g
}

func (p *parser) url(f confyaml.Field, allowHTTP bool) string {
	s := p.Str(f.Val, f.Path)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		p.Errorf(f.Val, f.Path, "must be an absolute http(s) URL; got %q", s)
		return s
	}
	// A provider reached over plain HTTP could be impersonated; only a
	// loopback one (a test or a provider on the same host) is accepted.
	if u.Scheme == "http" && !allowHTTP && u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1" {
		p.Errorf(f.Val, f.Path, "must use https (plain http only for a provider on 127.0.0.1)")
	}
	return s
}

func (p *parser) intIn(f confyaml.Field, lo, hi int) int {
	var v int
	if err := f.Val.Decode(&v); err != nil || v < lo || v > hi {
		p.Errorf(f.Val, f.Path, "must be a whole number from %d to %d; got %s", lo, hi, confyaml.Describe(f.Val))
	}
	return v
}

func (p *parser) duration(f confyaml.Field, lo, hi time.Duration) time.Duration {
	s := p.Str(f.Val, f.Path)
	d, err := time.ParseDuration(s)
	if err != nil || d < lo || d > hi {
		p.Errorf(f.Val, f.Path, "must be a duration from %s to %s, such as 15m; got %q", lo, hi, s)
	}
	return d
}

// Map turns an identity provider's groups into an organisation role and
// team roles under the rules: the highest organisation role any group gives
// (DefaultRole when none does) and each team's highest role.
func (o *OIDC) Map(groups []string) (auth.Role, []auth.Membership) {
	role := o.DefaultRole
	var teams []auth.Membership
	for _, g := range o.Groups {
		if !slices.Contains(groups, g.Group) {
			continue
		}
		if g.Team != "" {
			teams = append(teams, auth.Membership{Team: g.Team, Role: auth.TeamRole(g.Role)})
		} else if r := auth.Role(g.Role); r.AtLeast(role) {
			role = r
		}
	}
	return role, teams
}

// Grants is what of the section grants permissions, as the audit log keeps
// it (never the client secret).
func (c *Config) Grants() any {
	if c.OIDC == nil {
		return map[string]any{"oidc": nil}
	}
	o := c.OIDC
	return map[string]any{"issuer": o.Issuer, "client_id": o.ClientID, "default_role": o.DefaultRole, "groups": o.Groups}
}
