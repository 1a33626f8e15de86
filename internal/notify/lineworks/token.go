package lineworks

import (
	"context"
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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

// assertionLifetime is how long the signed JWT may be exchanged. LINE WORKS
// takes at most 60 minutes; it is used at once, so a short one is safer.
const assertionLifetime = 10 * time.Minute

// refreshMargin is how long before its expiry a token is replaced, so no
// message is sent with a token that runs out on the way; short-lived tokens
// are replaced after nine tenths of their life.
const refreshMargin = 5 * time.Minute

// tokens gets access tokens through the service-account flow (JWT bearer
// grant) and keeps the current one in memory. Every replica keeps its own:
// LINE WORKS lets an app hold many tokens, and a token is no state worth a
// database round trip per message.
type tokens struct {
	cfg    *notify.LineWorksConfig
	client *http.Client
	now    func() time.Time

	mu        sync.Mutex
	token     string
	refreshAt time.Time
}

// get returns a token that is valid for a while yet, fetching one if needed.
// The lock is held during the fetch so a burst of messages makes one request.
func (t *tokens) get(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && t.now().Before(t.refreshAt) {
		return t.token, nil
	}
	tok, lifetime, err := t.fetch(ctx)
	if err != nil {
		return "", err
	}
	margin := min(refreshMargin, lifetime/10)
	t.token, t.refreshAt = tok, t.now().Add(lifetime-margin)
	return tok, nil
}

// drop forgets tok after the API refused it (revoked, or expired early), so
// the next get fetches a new one; a newer token is kept.
func (t *tokens) drop(tok string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token == tok {
		t.token = ""
	}
}

// fetch exchanges a fresh assertion for an access token.
func (t *tokens) fetch(ctx context.Context) (string, time.Duration, error) {
	assertion, err := t.assertion()
	if err != nil {
		return "", 0, notify.Permanent(fmt.Errorf("lineworks: sign the service account's JWT: %w", err))
	}
	form := url.Values{
		"grant_type":    {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"assertion":     {assertion},
		"client_id":     {t.cfg.ClientID},
		"client_secret": {t.cfg.ClientSecret},
		"scope":         {"bot"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.cfg.AuthURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, notify.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := t.client.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("lineworks token: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 300 {
		// 400 and 401 mean the app's credentials are wrong: no retry helps.
		return "", 0, notify.HTTPError(resp, "lineworks token ("+oauthError(body)+")")
	}
	var out struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.AccessToken == "" {
		return "", 0, fmt.Errorf("lineworks token: unreadable answer")
	}
	return out.AccessToken, expiresIn(out.ExpiresIn), nil
}

// expiresIn reads the token's lifetime in seconds, which LINE WORKS sends
// as a string ("86400"); a number is taken too. Unknown: an hour.
func expiresIn(raw json.RawMessage) time.Duration {
	s := strings.Trim(string(raw), `"`)
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return time.Hour
}

// oauthError is the error code of an OAuth error answer, for the reason on
// the timeline.
func oauthError(body []byte) string {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		return "no error code"
	}
	if e.Description != "" {
		return e.Error + ": " + e.Description
	}
	return e.Error
}

// assertion is the service account's JWT: RS256 over the claims LINE WORKS
// asks for (iss the client ID, sub the service account, iat and exp).
func (t *tokens) assertion() (string, error) {
	now := t.now().Unix()
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{
		"iss": t.cfg.ClientID,
		"sub": t.cfg.ServiceAccount,
		"iat": now,
		"exp": now + int64(assertionLifetime/time.Second),
	})
	enc := base64.RawURLEncoding
	signed := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, t.cfg.PrivateKey, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signed + "." + enc.EncodeToString(sig), nil
}
