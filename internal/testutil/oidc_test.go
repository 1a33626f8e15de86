package testutil_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

const rpCallback = "http://127.0.0.1:1/callback" // never fetched: the test reads the redirect

// relyingParty drives the provider process the way a web application does,
// with go-oidc and x/oauth2, and stops at the redirect back to it.
type relyingParty struct {
	idp      *testutil.OIDCProvider
	provider *oidc.Provider
	oauth    *oauth2.Config
	browser  *http.Client
}

func newRelyingParty(t *testing.T) *relyingParty {
	t.Helper()
	idp := testutil.StartOIDCProvider(t, "rp", "rp-secret")
	idp.AllowRedirect(t, rpCallback)
	p, err := oidc.NewProvider(context.Background(), idp.URL)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	jar, _ := cookiejar.New(nil)
	return &relyingParty{idp: idp, provider: p,
		oauth: &oauth2.Config{ClientID: "rp", ClientSecret: "rp-secret", Endpoint: p.Endpoint(),
			RedirectURL: rpCallback, Scopes: []string{oidc.ScopeOpenID, "profile", "email", "groups"}},
		browser: &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), rpCallback) {
				return http.ErrUseLastResponse
			}
			return nil
		}},
	}
}

// authorize sends the browser to the provider and returns the last answer:
// the redirect back to the relying party, or a page the provider shows.
func (rp *relyingParty) authorize(t *testing.T, verifier string, opts ...oauth2.AuthCodeOption) (*http.Response, string) {
	t.Helper()
	opts = append(opts, oidc.Nonce("n-123"), oauth2.S256ChallengeOption(verifier))
	resp, err := rp.browser.Get(rp.oauth.AuthCodeURL("s-456", opts...))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// code reads the authorization code from the redirect back.
func code(t *testing.T, resp *http.Response, body string) string {
	t.Helper()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("code") == "" || loc.Query().Get("state") != "s-456" {
		t.Fatalf("no code in the answer: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return loc.Query().Get("code")
}

type idClaims struct {
	Username string   `json:"preferred_username"`
	Email    string   `json:"email"`
	Groups   []string `json:"groups"`
	Nonce    string   `json:"nonce"`
}

// TestOIDCProviderProcess: the provider process signs a user in through its
// form, issues an ID token its JWKS verifies with the user's groups, refuses
// what a standards-conformant provider refuses, and ends its session.
func TestOIDCProviderProcess(t *testing.T) {
	rp := newRelyingParty(t)
	ctx := context.Background()
	rp.idp.AddUser(t, testutil.OIDCUser{Subject: "s-1", Username: "seo-yeon", Password: "pw-1", Email: "seoyeon@example.com", Groups: []string{"sre", "pay-oncall"}})

	// Nobody is signed in at the provider: it shows its form, and a wrong
	// password is refused without signing anyone in.
	verifier := oauth2.GenerateVerifier()
	resp, body := rp.authorize(t, verifier)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="password"`) {
		t.Fatalf("first authorization: %d, want the sign-in form:\n%s", resp.StatusCode, body)
	}
	reqID := resp.Request.URL.Query().Get("id")
	login := rp.idp.URL + "/login"
	resp, err := rp.browser.PostForm(login, url.Values{"id": {reqID}, "username": {"seo-yeon"}, "password": {"wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || rp.idp.SignedIn(t) != "" {
		t.Fatalf("wrong password: %d, signed in %q", resp.StatusCode, rp.idp.SignedIn(t))
	}
	resp, err = rp.browser.PostForm(login, url.Values{"id": {reqID}, "username": {"seo-yeon"}, "password": {"pw-1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c := code(t, resp, "")
	if got := rp.idp.SignedIn(t); got != "s-1" {
		t.Fatalf("signed in at the provider: %q", got)
	}

	// The code is redeemed once, with the verifier, for a signed ID token
	// carrying the profile, email and groups.
	tok, err := rp.oauth.Exchange(ctx, c, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := rp.provider.Verifier(&oidc.Config{ClientID: "rp"}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	var claims idClaims
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if idt.Subject != "s-1" || claims.Username != "seo-yeon" || claims.Email != "seoyeon@example.com" ||
		!slices.Equal(claims.Groups, []string{"sre", "pay-oncall"}) || claims.Nonce != "n-123" {
		t.Errorf("ID token: sub %q, claims %+v", idt.Subject, claims)
	}
	if _, err := rp.oauth.Exchange(ctx, c, oauth2.VerifierOption(verifier)); err == nil {
		t.Error("the same code was redeemed twice")
	}
	if n := rp.idp.TokensIssued(t); n != 1 {
		t.Errorf("tokens issued: %d, want 1", n)
	}

	// Signed in at the provider, the next authorization needs no form; the
	// groups follow the account as the provider has it now.
	rp.idp.AddUser(t, testutil.OIDCUser{Subject: "s-1", Username: "seo-yeon", Password: "pw-1", Groups: []string{"sre"}})
	verifier = oauth2.GenerateVerifier()
	resp, body = rp.authorize(t, verifier)
	tok, err = rp.oauth.Exchange(ctx, code(t, resp, body), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("second exchange: %v", err)
	}
	idt, err = rp.provider.Verifier(&oidc.Config{ClientID: "rp"}).Verify(ctx, tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	_ = idt.Claims(&claims)
	if !slices.Equal(claims.Groups, []string{"sre"}) {
		t.Errorf("groups after the change: %v", claims.Groups)
	}

	// end_session signs the user out at the provider and returns the
	// browser to a registered address; the form is back after it.
	const after = "http://127.0.0.1:1/signed-out"
	rp.idp.AllowLogoutRedirect(t, after)
	var doc struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := rp.provider.Claims(&doc); err != nil || doc.EndSession == "" {
		t.Fatalf("no end_session_endpoint: %v", err)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.Get(doc.EndSession + "?" + url.Values{"id_token_hint": {raw}, "post_logout_redirect_uri": {after}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != after || rp.idp.SignedIn(t) != "" {
		t.Fatalf("end_session: %d %q, signed in %q", resp.StatusCode, resp.Header.Get("Location"), rp.idp.SignedIn(t))
	}
	if resp, body := rp.authorize(t, oauth2.GenerateVerifier()); resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="password"`) {
		t.Errorf("after end_session: %d, want the sign-in form", resp.StatusCode)
	}
}

// TestOIDCProviderRefusals: what the provider refuses before any code is
// issued, and its control API's guard.
func TestOIDCProviderRefusals(t *testing.T) {
	rp := newRelyingParty(t)
	rp.idp.SetUser(t, testutil.OIDCUser{Subject: "s-2", Username: "min-su"})

	errorOf := func(resp *http.Response) string {
		loc, _ := url.Parse(resp.Header.Get("Location"))
		return loc.Query().Get("error") + ": " + loc.Query().Get("error_description")
	}
	// No PKCE: the browser comes back with an error, not a code.
	resp, err := rp.browser.Get(rp.oauth.AuthCodeURL("s-456", oidc.Nonce("n")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := errorOf(resp); !strings.HasPrefix(got, "invalid_request: PKCE") {
		t.Errorf("without PKCE: %d %q", resp.StatusCode, got)
	}
	// A redirect URI that was never registered gets no redirect at all.
	other := *rp.oauth
	other.RedirectURL = "http://127.0.0.1:2/elsewhere"
	resp, err = rp.browser.Get(other.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusFound && strings.HasPrefix(resp.Header.Get("Location"), other.RedirectURL) {
		t.Errorf("redirected to an unregistered URI: %s", resp.Header.Get("Location"))
	}
	// A wrong client secret buys no token.
	verifier := oauth2.GenerateVerifier()
	resp, body := rp.authorize(t, verifier)
	c := code(t, resp, body)
	wrong := *rp.oauth
	wrong.ClientSecret = "not-it"
	if _, err := wrong.Exchange(context.Background(), c, oauth2.VerifierOption(verifier)); err == nil {
		t.Error("a wrong client secret was accepted")
	}
	// The control API answers only to the test's token.
	req, _ := http.NewRequest(http.MethodPut, rp.idp.URL+"/control/session", strings.NewReader(`{"subject":""}`))
	req.Header.Set("Authorization", "Bearer guess")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || rp.idp.SignedIn(t) != "s-2" {
		t.Errorf("control without its token: %d, signed in %q", resp.StatusCode, rp.idp.SignedIn(t))
	}
	var answer map[string]any
	resp, err = http.Get(rp.idp.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&answer)
	resp.Body.Close()
	if methods, _ := answer["code_challenge_methods_supported"].([]any); !slices.Contains(methods, any("S256")) {
		t.Errorf("discovery: code_challenge_methods_supported %v", answer["code_challenge_methods_supported"])
	}
}
