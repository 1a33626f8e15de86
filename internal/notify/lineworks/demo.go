package lineworks

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

// Demo is the LINE WORKS notifier of `serve --demo`: the real Notifier with
// a service account whose RSA key is made in memory at start, and whose
// calls are answered in process the way LINE WORKS answers them: the token
// endpoint checks the signed JWT and the app's credentials, the Bot API
// checks the token. So the demo signs, fetches and uses tokens exactly as
// production does, without a key on disk and without leaving the machine.
// Each name becomes a chat room of the demo bot.
func Demo(now func() time.Time, names ...string) (*Notifier, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("lineworks demo key: %w", err)
	}
	cfg := &notify.LineWorksConfig{ClientID: "demo-client", ClientSecret: "demo-only-secret",
		ServiceAccount: "demo.serviceaccount@example.com", PrivateKey: key, BotID: "2000001",
		AuthURL: "https://auth.worksmobile.demo.invalid/oauth2/v2.0/token", APIURL: "https://www.worksapis.demo.invalid/v1.0"}
	for _, n := range names {
		if _, dup := cfg.Target(n); !dup {
			cfg.Targets = append(cfg.Targets, notify.LineWorksTarget{Name: n, ChannelID: "demo-room-" + n})
		}
	}
	client := &http.Client{Transport: &demoWorks{cfg: cfg, now: now, tokens: map[string]bool{}}, Timeout: 5 * time.Second}
	return &Notifier{cfg: cfg, client: client, tokens: &tokens{cfg: cfg, client: client, now: now}}, nil
}

// demoWorks answers the token endpoint and the Bot API of one demo app.
type demoWorks struct {
	cfg *notify.LineWorksConfig
	now func() time.Time

	mu     sync.Mutex
	n      int
	tokens map[string]bool // access tokens issued
}

func (d *demoWorks) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	switch {
	case r.Method == http.MethodPost && r.URL.String() == d.cfg.AuthURL:
		return d.token(r, body), nil
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.String(), d.cfg.APIURL+"/bots/"+d.cfg.BotID+"/"):
		return d.message(r, body), nil
	}
	return answer(r, http.StatusNotFound, `{"code":"NOT_FOUND","description":"no such API"}`), nil
}

// token exchanges a service account's JWT for an access token, as
// auth.worksmobile.com does: the grant, the app's credentials, and the
// assertion's RS256 signature and claims are all checked.
func (d *demoWorks) token(r *http.Request, body []byte) *http.Response {
	form, err := url.ParseQuery(string(body))
	switch {
	case err != nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded":
		return answer(r, http.StatusBadRequest, `{"error":"invalid_request","error_description":"form expected"}`)
	case form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
		return answer(r, http.StatusBadRequest, `{"error":"unsupported_grant_type"}`)
	case form.Get("client_id") != d.cfg.ClientID || form.Get("client_secret") != d.cfg.ClientSecret:
		return answer(r, http.StatusUnauthorized, `{"error":"invalid_client"}`)
	case !strings.Contains(" "+form.Get("scope")+" ", " bot "):
		return answer(r, http.StatusBadRequest, `{"error":"invalid_scope"}`)
	}
	if err := d.checkAssertion(form.Get("assertion")); err != nil {
		return answer(r, http.StatusBadRequest, fmt.Sprintf(`{"error":"invalid_grant","error_description":%q}`, err.Error()))
	}
	d.mu.Lock()
	d.n++
	tok := fmt.Sprintf("demo-lineworks-token-%d", d.n)
	d.tokens[tok] = true
	d.mu.Unlock()
	// LINE WORKS sends expires_in as a string.
	return answer(r, http.StatusOK, fmt.Sprintf(`{"access_token":%q,"token_type":"Bearer","expires_in":"86400","scope":"bot"}`, tok))
}

// checkAssertion verifies the JWT with the service account's public key.
func (d *demoWorks) checkAssertion(jwt string) error {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return fmt.Errorf("assertion is not a JWT")
	}
	enc := base64.RawURLEncoding
	head, err1 := enc.DecodeString(parts[0])
	claimsRaw, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return fmt.Errorf("assertion is not base64url")
	}
	var h struct{ Alg string }
	if json.Unmarshal(head, &h) != nil || h.Alg != "RS256" {
		return fmt.Errorf("assertion must be signed with RS256")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&d.cfg.PrivateKey.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return fmt.Errorf("assertion signature does not verify")
	}
	var c struct {
		Iss, Sub string
		Iat, Exp int64
	}
	if json.Unmarshal(claimsRaw, &c) != nil || c.Iss != d.cfg.ClientID || c.Sub != d.cfg.ServiceAccount {
		return fmt.Errorf("assertion's iss and sub must be the client ID and service account")
	}
	if now := d.now().Unix(); c.Exp <= now || c.Exp-c.Iat > 3600 {
		return fmt.Errorf("assertion expired or lives over 60 minutes")
	}
	return nil
}

// message takes a bot's text message to a channel or user: 201 Created for
// a known token and a text of 1 to 2000 characters.
func (d *demoWorks) message(r *http.Request, body []byte) *http.Response {
	d.mu.Lock()
	ok := d.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	d.mu.Unlock()
	if !ok {
		return answer(r, http.StatusUnauthorized, `{"code":"UNAUTHORIZED","description":"Authentication failed"}`)
	}
	var m struct {
		Content struct{ Type, Text string }
	}
	if json.Unmarshal(body, &m) != nil || m.Content.Type != "text" || m.Content.Text == "" || utf8.RuneCountInString(m.Content.Text) > maxText {
		return answer(r, http.StatusBadRequest, `{"code":"INVALID_PARAMETER","description":"content"}`)
	}
	return answer(r, http.StatusCreated, "")
}

func answer(r *http.Request, code int, body string) *http.Response {
	return &http.Response{StatusCode: code, Status: fmt.Sprintf("%d %s", code, http.StatusText(code)),
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader([]byte(body))),
		ContentLength: int64(len(body)), Request: r}
}
