package testutil

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// LineWorks is a local HTTP server speaking the parts of LINE WORKS API 2.0
// that a bot uses: the token endpoint (/oauth2/v2.0/token, the JWT bearer
// grant of a service account) and the Bot API's message endpoints
// (/v1.0/bots/{botId}/channels/{channelId}/messages and
// /v1.0/bots/{botId}/users/{userId}/messages).
//
// The token endpoint checks the form (grant type, client ID and secret,
// scope bot) and the assertion: RS256 signed by the service account's key,
// iss the client ID, sub the service account, iat now, exp at most 60
// minutes later. It issues tokens that expire after TokenLifetime. The
// message endpoints take a live Bearer token (401 otherwise), a known bot,
// and {"content":{"type":"text","text":…}}, and answer 201.
type LineWorks struct {
	AuthURL string // in the place of https://auth.worksmobile.com/oauth2/v2.0/token
	APIURL  string // in the place of https://www.worksapis.com/v1.0

	ClientID, ClientSecret, ServiceAccount, BotID string
	Key                                           *rsa.PublicKey

	mu            sync.Mutex
	lifetime      time.Duration
	tokens        map[string]time.Time // token → expiry
	issued        int
	unauthorized  int
	messages      []LineWorksMessage
	refuse        []LineWorksRefusal
	knownChannels map[string]bool
}

// LineWorksMessage is one accepted bot message.
type LineWorksMessage struct {
	Channel, User string // where it went: one of them
	Text          string
	Token         string
}

// LineWorksRefusal is an answer given to the next message instead of
// accepting it: Status with, for 429, Retry-After seconds.
type LineWorksRefusal struct {
	Status     int
	RetryAfter int
}

// StartLineWorks starts the server for the app and bot given, with
// channels (chat rooms the bot is in); users are any. It stops when the test
// ends.
func StartLineWorks(t testing.TB, clientID, clientSecret, serviceAccount, botID string, key *rsa.PublicKey, channels ...string) *LineWorks {
	t.Helper()
	s := &LineWorks{ClientID: clientID, ClientSecret: clientSecret, ServiceAccount: serviceAccount, BotID: botID, Key: key,
		lifetime: 24 * time.Hour, tokens: map[string]time.Time{}, knownChannels: map[string]bool{}}
	for _, c := range channels {
		s.knownChannels[c] = true
	}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.AuthURL, s.APIURL = srv.URL+"/oauth2/v2.0/token", srv.URL+"/v1.0"
	return s
}

// SetTokenLifetime makes tokens issued from now on expire after d (24 h
// unless set), so tests see tokens replaced.
func (s *LineWorks) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lifetime = d
}

// RevokeTokens makes every issued token invalid, as when an admin resets
// the app's credentials.
func (s *LineWorks) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]time.Time{}
}

// Refuse queues answers given instead of accepting messages, in order.
func (s *LineWorks) Refuse(r ...LineWorksRefusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = append(s.refuse, r...)
}

// Messages returns the accepted messages.
func (s *LineWorks) Messages() []LineWorksMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LineWorksMessage(nil), s.messages...)
}

// Issued is how many tokens were issued; Unauthorized how many messages
// were refused for a missing, unknown or expired token.
func (s *LineWorks) Issued() (issued, unauthorized int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued, s.unauthorized
}

func (s *LineWorks) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method != http.MethodPost:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	case r.URL.Path == "/oauth2/v2.0/token":
		s.token(w, r)
	case strings.HasPrefix(r.URL.Path, "/v1.0/bots/"):
		s.message(w, r)
	default:
		lineWorksError(w, http.StatusNotFound, "NOT_FOUND", "no such API")
	}
}

func (s *LineWorks) token(w http.ResponseWriter, r *http.Request) {
	oauthErr := func(status int, code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	if err := r.ParseForm(); err != nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		oauthErr(http.StatusBadRequest, "invalid_request", "form expected")
		return
	}
	f := r.PostForm
	switch {
	case f.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
		oauthErr(http.StatusBadRequest, "unsupported_grant_type", f.Get("grant_type"))
		return
	case f.Get("client_id") != s.ClientID || f.Get("client_secret") != s.ClientSecret:
		oauthErr(http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	case !strings.Contains(" "+f.Get("scope")+" ", " bot "):
		oauthErr(http.StatusBadRequest, "invalid_scope", "scope bot is needed to send bot messages")
		return
	}
	if problem := s.checkAssertion(f.Get("assertion")); problem != "" {
		oauthErr(http.StatusBadRequest, "invalid_grant", problem)
		return
	}
	s.issued++
	tok := "lw-token-" + strconv.Itoa(s.issued)
	s.tokens[tok] = time.Now().Add(s.lifetime)
	w.Header().Set("Content-Type", "application/json")
	// LINE WORKS sends expires_in as a string of seconds.
	_ = json.NewEncoder(w).Encode(map[string]string{"access_token": tok, "refresh_token": "r-" + tok, "token_type": "Bearer",
		"scope": "bot", "expires_in": strconv.Itoa(int(s.lifetime / time.Second))})
}

// checkAssertion verifies the service account's JWT and says what is wrong.
func (s *LineWorks) checkAssertion(jwt string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "assertion is not a JWT"
	}
	dec := base64.RawURLEncoding
	hb, err1 := dec.DecodeString(parts[0])
	cb, err2 := dec.DecodeString(parts[1])
	sig, err3 := dec.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return "assertion is not base64url"
	}
	var header struct{ Alg string }
	var claims struct {
		Iss, Sub string
		Iat, Exp int64
	}
	if json.Unmarshal(hb, &header) != nil || json.Unmarshal(cb, &claims) != nil {
		return "assertion is not JSON"
	}
	if header.Alg != "RS256" {
		return "alg must be RS256"
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(s.Key, crypto.SHA256, sum[:], sig) != nil {
		return "signature does not verify with the service account's public key"
	}
	now := time.Now().Unix()
	switch {
	case claims.Iss != s.ClientID:
		return "iss must be the client ID"
	case claims.Sub != s.ServiceAccount:
		return "sub must be the service account"
	case claims.Iat > now+60 || claims.Iat < now-600:
		return "iat is not now"
	case claims.Exp <= now || claims.Exp-claims.Iat > 3600:
		return "exp must be in the future and at most 60 minutes after iat"
	}
	return ""
}

func (s *LineWorks) message(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if exp, live := s.tokens[tok]; !ok || !live || time.Now().After(exp) {
		s.unauthorized++
		lineWorksError(w, http.StatusUnauthorized, "UNAUTHORIZED", "invalid or expired access token")
		return
	}
	// /v1.0/bots/{botId}/{channels|users}/{id}/messages
	p := strings.Split(strings.TrimPrefix(r.URL.Path, "/v1.0/bots/"), "/")
	if len(p) != 4 || p[3] != "messages" || (p[1] != "channels" && p[1] != "users") {
		lineWorksError(w, http.StatusNotFound, "NOT_FOUND", "no such API")
		return
	}
	if p[0] != s.BotID {
		lineWorksError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "no such bot")
		return
	}
	if p[1] == "channels" && !s.knownChannels[p[2]] {
		lineWorksError(w, http.StatusForbidden, "FORBIDDEN", "the bot is not a member of the channel")
		return
	}
	if len(s.refuse) > 0 {
		rf := s.refuse[0]
		s.refuse = s.refuse[1:]
		if rf.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(rf.RetryAfter))
		}
		lineWorksError(w, rf.Status, "REFUSED", "refused by the test")
		return
	}
	var body struct {
		Content struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
	}
	if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil ||
		body.Content.Type != "text" || body.Content.Text == "" || len([]rune(body.Content.Text)) > 2000 {
		lineWorksError(w, http.StatusBadRequest, "INVALID_PARAMETER", `want {"content":{"type":"text","text":"…"}} of at most 2000 characters`)
		return
	}
	m := LineWorksMessage{Text: body.Content.Text, Token: tok}
	if p[1] == "channels" {
		m.Channel = p[2]
	} else {
		m.User = p[2]
	}
	s.messages = append(s.messages, m)
	w.WriteHeader(http.StatusCreated)
}

func lineWorksError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code, "description": desc})
}
