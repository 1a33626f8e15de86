// Command oidcprovider is a small OpenID Connect provider that Firebreak's
// tests start as a separate process on 127.0.0.1. The protocol is served by
// github.com/zitadel/oidc/v3/pkg/op (discovery, JWKS, authorization code flow
// with PKCE, token, userinfo, end_session); this program adds an in-memory
// store, a sign-in page and a control API the test drives.
//
// It reads its client, users and control token from the JSON file named by
// -config, listens on -listen (127.0.0.1:0 by default) and prints one line,
// "issuer <URL>", once it serves.
//
// Sign-in models one person at the keyboard: when a user is signed in at
// the provider (POST /control/session, or the sign-in form), every
// authorization request completes at once as that user, the way a real
// provider skips its form for a browser that already holds its session.
// Otherwise /login shows a form asking for a user name and password.
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Config is the file the test writes.
type Config struct {
	ClientID      string   `json:"client_id"`
	ClientSecret  string   `json:"client_secret"`
	RedirectURIs  []string `json:"redirect_uris"`
	LogoutURIs    []string `json:"post_logout_redirect_uris"`
	Users         []User   `json:"users"`
	SignedIn      string   `json:"signed_in"` // a user's subject, or ""
	ControlToken  string   `json:"control_token"`
	InitialFaults Faults   `json:"faults"`
}

func (c *Config) validate() error {
	switch {
	case c.ClientID == "":
		return errors.New("client_id is required")
	case c.ClientSecret == "":
		return errors.New("client_secret is required")
	case len(c.ControlToken) < 16:
		return errors.New("control_token must be at least 16 characters")
	}
	for i, u := range c.Users {
		if u.Subject == "" {
			return fmt.Errorf("users[%d].subject is required", i)
		}
	}
	return nil
}

func main() {
	configPath := flag.String("config", "", "JSON file with the client, users and control token")
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	if err := run(*configPath, *listen); err != nil {
		log.Fatalf("oidcprovider: %v", err)
	}
}

func run(configPath, listen string) error {
	raw, err := os.ReadFile(configPath)
	if err != nil {
		return fmt.Errorf("-config: %w", err)
	}
	var cfg Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return fmt.Errorf("%s: %w", configPath, err)
	}
	if err := cfg.validate(); err != nil {
		return fmt.Errorf("%s: %w", configPath, err)
	}
	// Listen first: the issuer URL carries the port the system picked.
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	issuer := "http://" + ln.Addr().String()

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	rogue, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	c := &client{id: cfg.ClientID, secret: cfg.ClientSecret}
	for _, u := range cfg.RedirectURIs {
		c.allowRedirect(u)
	}
	for _, u := range cfg.LogoutURIs {
		c.allowLogoutRedirect(u)
	}
	store := newStorage(c, key, rogue, "key-"+randomString(4), cfg.Users)
	store.session, store.faults = cfg.SignedIn, cfg.InitialFaults

	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		return err
	}
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:                cryptoKey,
		DefaultLogoutRedirectURI: "/signed-out",
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		SupportedUILocales:       []language.Tag{language.English},
		SupportedScopes:          []string{"openid", "profile", "email", scopeGroups},
		SupportedClaims:          append(op.DefaultSupportedClaims, scopeGroups),
	}, store, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		return err
	}

	ui := &signIn{store: store, callback: op.AuthCallbackURL(provider)}
	ctl := &control{store: store, client: c, token: cfg.ControlToken}
	mux := http.NewServeMux()
	issuerCtx := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	mux.Handle("/login", issuerCtx.HandlerFunc(ui.serve))
	mux.HandleFunc("GET /signed-out", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>Signed out</title><p id="signed-out">You are signed out of the test provider.</p>`)
	})
	ctl.routes(mux)
	mux.Handle("/", provider)

	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan os.Signal, 1)
	signal.Notify(done, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-done
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	fmt.Printf("issuer %s\n", issuer)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// signIn is the provider's sign-in page.
type signIn struct {
	store    *storage
	callback func(context.Context, string) string
}

var form = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test provider: sign in</title></head>
<body><h1>Sign in to the test provider</h1>
{{if .Error}}<p id="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
<label>User name <input id="username" name="username" autocomplete="username" value="{{.Username}}"></label>
<label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
<button id="submit" type="submit">Sign in</button>
</form></body></html>`))

func (s *signIn) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id := r.Form.Get("id")
	if _, err := s.store.AuthRequestByID(r.Context(), id); err != nil {
		http.Error(w, "unknown or expired authorization request: id", http.StatusBadRequest)
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.store.mu.Lock()
		subject := s.store.session
		s.store.mu.Unlock()
		if subject != "" {
			s.finish(w, r, id, subject)
			return
		}
		s.render(w, http.StatusOK, id, "", "")
	case http.MethodPost:
		name := r.PostForm.Get("username")
		u, ok := s.store.check(name, r.PostForm.Get("password"))
		if !ok {
			s.render(w, http.StatusUnauthorized, id, name, "Wrong user name or password.")
			return
		}
		s.store.mu.Lock()
		s.store.session = u.Subject
		s.store.mu.Unlock()
		s.finish(w, r, id, u.Subject)
	default:
		http.Error(w, "GET or POST", http.StatusMethodNotAllowed)
	}
}

func (s *signIn) finish(w http.ResponseWriter, r *http.Request, id, subject string) {
	if err := s.store.complete(id, subject); err != nil {
		http.Error(w, "unknown authorization request: id", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, s.callback(r.Context(), id), http.StatusFound)
}

func (s *signIn) render(w http.ResponseWriter, status int, id, username, problem string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = form.Execute(w, map[string]string{"ID": id, "Username": username, "Error": problem})
}

// check returns the user whose name and password these are. A user without
// a password cannot sign in through the form.
func (s *storage) check(name, password string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Username == name && u.Password != "" &&
			subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) == 1 {
			return u, true
		}
	}
	return User{}, false
}

// control is the API the test drives the provider with, behind a bearer
// token that only the test knows.
type control struct {
	store  *storage
	client *client
	token  string
}

func (c *control) routes(mux *http.ServeMux) {
	mux.HandleFunc("PUT /control/users", c.guard(c.putUser))
	mux.HandleFunc("PUT /control/session", c.guard(c.putSession))
	mux.HandleFunc("GET /control/session", c.guard(c.getSession))
	mux.HandleFunc("POST /control/redirect-uris", c.guard(c.addRedirect))
	mux.HandleFunc("PUT /control/faults", c.guard(c.putFaults))
	mux.HandleFunc("GET /control/stats", c.guard(c.stats))
}

func (c *control) guard(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(c.token)) != 1 {
			http.Error(w, "control token required", http.StatusUnauthorized)
			return
		}
		if err := h(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	}
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(v)
}

// putUser adds a user or replaces the one with the same subject.
func (c *control) putUser(w http.ResponseWriter, r *http.Request) error {
	var u User
	if err := decode(r, &u); err != nil {
		return err
	}
	if u.Subject == "" {
		return errors.New("subject is required")
	}
	c.store.mu.Lock()
	c.store.users[u.Subject] = u
	c.store.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type session struct {
	Subject string `json:"subject"` // "" for nobody
}

// putSession signs a user in at the provider, or everybody out.
func (c *control) putSession(w http.ResponseWriter, r *http.Request) error {
	var s session
	if err := decode(r, &s); err != nil {
		return err
	}
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	if _, ok := c.store.users[s.Subject]; s.Subject != "" && !ok {
		return fmt.Errorf("subject: no user %q", s.Subject)
	}
	c.store.session = s.Subject
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (c *control) getSession(w http.ResponseWriter, _ *http.Request) error {
	c.store.mu.Lock()
	s := session{Subject: c.store.session}
	c.store.mu.Unlock()
	return writeJSON(w, s)
}

func (c *control) addRedirect(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		RedirectURI        string `json:"redirect_uri"`
		PostLogoutRedirect string `json:"post_logout_redirect_uri"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	if body.RedirectURI == "" && body.PostLogoutRedirect == "" {
		return errors.New("redirect_uri or post_logout_redirect_uri is required")
	}
	if body.RedirectURI != "" {
		c.client.allowRedirect(body.RedirectURI)
	}
	if body.PostLogoutRedirect != "" {
		c.client.allowLogoutRedirect(body.PostLogoutRedirect)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (c *control) putFaults(w http.ResponseWriter, r *http.Request) error {
	var f Faults
	if err := decode(r, &f); err != nil {
		return err
	}
	c.store.mu.Lock()
	c.store.faults = f
	c.store.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (c *control) stats(w http.ResponseWriter, _ *http.Request) error {
	c.store.mu.Lock()
	n := c.store.issued
	c.store.mu.Unlock()
	return writeJSON(w, map[string]int{"tokens_issued": n})
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
