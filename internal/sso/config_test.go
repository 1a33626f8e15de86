package sso_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/sso"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func teams(name string) bool { return name == "payments" || name == "platform" }

func TestParseConfig(t *testing.T) {
	const valid = `
teams: []
auth:
  login_rate_limit: 5
  login_rate_window: 30m
  oidc:
    issuer: https://idp.example.com
    client_id: firebreak
    client_secret_env: FB_OIDC_SECRET
    redirect_url: https://firebreak.example.com/auth/oidc/callback
    scopes: [profile, groups]
    label: Example SSO
    groups:
      - {group: pay-oncall, team: payments, role: responder}
      - {group: admins, role: admin}
`
	c, err := sso.ParseConfig("fb.yaml", []byte(valid), teams, env(map[string]string{"FB_OIDC_SECRET": "from-env"}))
	if err != nil {
		t.Fatal(err)
	}
	o := c.OIDC
	if c.LoginLimit != 5 || c.LoginWindow != 30*time.Minute || o.ClientSecret != "from-env" || o.Label != "Example SSO" ||
		!slices.Equal(o.Scopes, []string{"openid", "profile", "groups"}) || len(o.Groups) != 2 || o.DefaultRole != auth.Viewer {
		t.Fatalf("parsed %+v / %+v", c, o)
	}
	role, ms := o.Map([]string{"pay-oncall", "admins", "other"})
	if role != auth.Admin || len(ms) != 1 || ms[0] != (auth.Membership{Team: "payments", Role: auth.TeamResponder}) {
		t.Fatalf("Map: %s %+v", role, ms)
	}
	if c, err := sso.ParseConfig("fb.yaml", []byte("teams: []\n"), teams, env(nil)); err != nil || c.OIDC != nil || c.LoginLimit != sso.DefaultLoginLimit {
		t.Fatalf("no auth section: %+v %v", c, err)
	}
}

func TestParseConfigErrors(t *testing.T) {
	const bad = `auth:
  login_rate_limit: 0
  oidc:
    issuer: http://idp.example.com
    client_secret_env: MISSING_VAR
    redirect_url: not a url
    colour: blue
    groups:
      - {group: x, team: nosuch, role: responder}
      - {group: y, role: manager}
      - {team: payments, role: boss}
`
	_, err := sso.ParseConfig("fb.yaml", []byte(bad), teams, env(nil))
	if err == nil {
		t.Fatal("no error")
	}
	got := err.Error()
	for _, want := range []string{
		"fb.yaml:2:21: auth.login_rate_limit: must be a whole number from 1 to 1000",
		"fb.yaml:4:13: auth.oidc.issuer: must use https",
		"fb.yaml:5:24: auth.oidc.client_secret_env: environment variable MISSING_VAR is not set",
		"fb.yaml:6:19: auth.oidc.redirect_url: must be an absolute http(s) URL",
		"fb.yaml:7:5: auth.oidc.colour: unknown field",
		"auth.oidc.client_id: is required",
		"fb.yaml:9:26: auth.oidc.groups[0].team: unknown team \"nosuch\"",
		"auth.oidc.groups[1].role: without a team, the role is an organisation role",
		"auth.oidc.groups[2].group: is required",
		"auth.oidc.groups[2].role: a team role must be one of viewer, responder, manager",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("errors lack %q; got:\n%s", want, got)
		}
	}
}
