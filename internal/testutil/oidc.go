package testutil

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// OIDCUser is an account at the test identity provider. Password is needed
// only to sign in through the provider's form.
type OIDCUser struct {
	Subject  string   `json:"subject"`
	Username string   `json:"username"`
	Password string   `json:"password,omitempty"`
	Email    string   `json:"email,omitempty"`
	Groups   []string `json:"groups,omitempty"`
}

// OIDCProvider is a real OpenID Connect provider process on 127.0.0.1: the
// program in ./oidcprovider, built on github.com/zitadel/oidc/v3/pkg/op. It
// serves discovery, JWKS, the authorization code flow with PKCE (S256
// required), a token endpoint that checks the client secret and redirect
// URI, userinfo and end_session, and signs ID tokens with its own RSA key.
// The test steers it through a control API guarded by a random token.
type OIDCProvider struct {
	URL          string // the issuer
	ClientID     string
	ClientSecret string

	control string // bearer token for /control/…
}

// StartOIDCProvider starts a provider process for one confidential client
// and stops it when the test ends. Redirect URIs must be registered with
// AllowRedirect before the client uses them, as at any real provider.
func StartOIDCProvider(t testing.TB, clientID, clientSecret string) *OIDCProvider {
	t.Helper()
	bin := oidcProviderBinary(t)
	p := &OIDCProvider{ClientID: clientID, ClientSecret: clientSecret, control: randomToken()}
	dir := t.TempDir()
	cfg, err := json.Marshal(map[string]any{
		"client_id": clientID, "client_secret": clientSecret, "control_token": p.control,
	})
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "provider.json")
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(bin, "-config", cfgPath, "-listen", "127.0.0.1:0")
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the OIDC provider: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	// The program prints its issuer once it listens.
	issuer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		issuer <- strings.TrimSpace(strings.TrimPrefix(line, "issuer "))
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case p.URL = <-issuer:
	case <-exited:
		t.Fatalf("the OIDC provider exited at start: %s", stderr.Tail(4000))
	case <-time.After(30 * time.Second):
		t.Fatalf("the OIDC provider did not start within 30s: %s", stderr.Tail(4000))
	}
	if !strings.HasPrefix(p.URL, "http://127.0.0.1:") {
		t.Fatalf("the OIDC provider announced %q: %s", p.URL, stderr.Tail(4000))
	}
	waitForDiscovery(t, p.URL, exited, &stderr)
	return p
}

// waitForDiscovery returns once the provider's discovery document answers.
func waitForDiscovery(t testing.TB, issuer string, exited <-chan struct{}, stderr *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(issuer + "/.well-known/openid-configuration")
		if err == nil {
			var doc struct {
				Issuer string `json:"issuer"`
			}
			derr := json.NewDecoder(resp.Body).Decode(&doc)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && derr == nil && doc.Issuer == issuer {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("the OIDC provider exited: %s", stderr.Tail(4000))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the OIDC provider's discovery document did not answer within 30s (last error %v)", err)
		}
	}
}

var oidcBuild struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	miss string // a missing component, rather than a failed build
}

// oidcProviderBinary builds the provider program once per test binary.
func oidcProviderBinary(t testing.TB) string {
	t.Helper()
	oidcBuild.once.Do(func() {
		// go test puts its own toolchain first on the PATH.
		goTool, err := exec.LookPath("go")
		if err != nil {
			oidcBuild.miss = "the go command (to build the test OIDC provider)"
			return
		}
		root, err := moduleRoot()
		if err != nil {
			oidcBuild.err = err
			return
		}
		oidcBuild.dir, err = os.MkdirTemp("", "firebreak-oidcprovider-")
		if err != nil {
			oidcBuild.err = err
			return
		}
		oidcBuild.bin = filepath.Join(oidcBuild.dir, "oidcprovider")
		cmd := exec.Command(goTool, "build", "-o", oidcBuild.bin, "./internal/testutil/oidcprovider")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			oidcBuild.err = fmt.Errorf("go build ./internal/testutil/oidcprovider: %v\n%s", err, out)
		}
	})
	switch {
	case oidcBuild.miss != "":
		Missing(t, oidcBuild.miss)
	case oidcBuild.err != nil:
		t.Fatal(oidcBuild.err)
	}
	return oidcBuild.bin
}

// removeOIDCProviderBuild deletes the built provider when the tests end.
func removeOIDCProviderBuild() {
	if oidcBuild.dir != "" {
		_ = os.RemoveAll(oidcBuild.dir)
	}
}

// do sends one control request; body is encoded as JSON when not nil.
func (p *OIDCProvider) do(t testing.TB, method, path string, body, answer any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, p.URL+"/control/"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+p.control)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("OIDC provider %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("OIDC provider %s %s: %s %s", method, path, resp.Status, msg)
	}
	if answer != nil {
		if err := json.NewDecoder(resp.Body).Decode(answer); err != nil {
			t.Fatalf("OIDC provider %s %s: %v", method, path, err)
		}
	}
}

// AllowRedirect registers a redirect URI for the client.
func (p *OIDCProvider) AllowRedirect(t testing.TB, uri string) {
	t.Helper()
	p.do(t, http.MethodPost, "redirect-uris", map[string]string{"redirect_uri": uri}, nil)
}

// AllowLogoutRedirect registers a post-logout redirect URI for end_session.
func (p *OIDCProvider) AllowLogoutRedirect(t testing.TB, uri string) {
	t.Helper()
	p.do(t, http.MethodPost, "redirect-uris", map[string]string{"post_logout_redirect_uri": uri}, nil)
}

// AddUser adds an account at the provider, or replaces the one with the
// same subject, without signing it in.
func (p *OIDCProvider) AddUser(t testing.TB, u OIDCUser) {
	t.Helper()
	p.do(t, http.MethodPut, "users", u, nil)
}

// SetUser adds or replaces u and signs it in at the provider: from now on
// every authorization request completes at once as u, as for a browser that
// already holds the provider's session.
func (p *OIDCProvider) SetUser(t testing.TB, u OIDCUser) {
	t.Helper()
	p.AddUser(t, u)
	p.do(t, http.MethodPut, "session", map[string]string{"subject": u.Subject}, nil)
}

// SignOut ends the session at the provider; the next authorization request
// shows its sign-in form.
func (p *OIDCProvider) SignOut(t testing.TB) {
	t.Helper()
	p.do(t, http.MethodPut, "session", map[string]string{"subject": ""}, nil)
}

// SignedIn returns the subject signed in at the provider, or "".
func (p *OIDCProvider) SignedIn(t testing.TB) string {
	t.Helper()
	var s struct {
		Subject string `json:"subject"`
	}
	p.do(t, http.MethodGet, "session", nil, &s)
	return s.Subject
}

// OIDCFaults make the provider misbehave, to test the relying party's
// refusals.
type OIDCFaults struct {
	// SignWithUnknownKey signs ID tokens with a key its JWKS does not
	// publish, under the published key's id, as a forger would.
	SignWithUnknownKey bool `json:"sign_with_unknown_key"`
	// WrongNonce puts another nonce in ID tokens than the client asked for.
	WrongNonce bool `json:"wrong_nonce"`
}

// SetFaults replaces the provider's faults; the zero value behaves.
func (p *OIDCProvider) SetFaults(t testing.TB, f OIDCFaults) {
	t.Helper()
	p.do(t, http.MethodPut, "faults", f, nil)
}

// TokensIssued counts the token responses the provider has given.
func (p *OIDCProvider) TokensIssued(t testing.TB) int {
	t.Helper()
	var s struct {
		N int `json:"tokens_issued"`
	}
	p.do(t, http.MethodGet, "stats", nil, &s)
	return s.N
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
