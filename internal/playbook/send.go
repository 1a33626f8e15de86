package playbook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/intake"
)

// Answer is what the peer said: its status and the start of its body (and
// for Jenkins the queue item it made).
type Answer struct {
	Status   int    `json:"status"`
	Body     string `json:"body,omitempty"`
	Location string `json:"location,omitempty"`
}

// maxExcerpt bounds the peer's body kept with a run.
const maxExcerpt = 2000

// Outcome classifies one try.
type Outcome int

// The outcomes of one try.
const (
	// Accepted: the peer accepted the request (2xx).
	Accepted Outcome = iota
	// Retry: worth trying again (429, 5xx, no answer); RetryAfter is the
	// peer's wish when it said one.
	Retry
	// Refused: the peer refused for good (4xx other than 429), or the
	// request cannot be sent at all (no credential).
	Refused
)

// Result is the outcome of one try.
type Result struct {
	Outcome    Outcome
	Answer     Answer
	Reason     string
	RetryAfter time.Duration
	// Written is true once the whole request went out: without an answer,
	// the peer may have acted on it or not.
	Written bool
}

// Sender sends requests to peers, adding their credentials.
type Sender struct {
	Client *http.Client
	Getenv func(string) string
	Now    func() time.Time
	// Timeout bounds one try (default 20 s): a peer that does not answer
	// by then is treated as not answering at all.
	Timeout time.Duration
}

// sendTimeout is the default bound of one try.
const sendTimeout = 20 * time.Second

// Send makes one try at req with the action's credential.
func (s *Sender) Send(ctx context.Context, a *Action, req Request) Result {
	secret := a.Secret(s.Getenv)
	if secret == "" {
		what := "token"
		if a.TokenEnv != "" {
			what = "environment variable " + a.TokenEnv
		}
		return Result{Outcome: Refused, Reason: fmt.Sprintf("no credential: %s is empty", what)}
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = sendTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if req.Body != "" {
		body = strings.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		return Result{Outcome: Refused, Reason: err.Error()}
	}
	for k, v := range req.Headers {
		hr.Header.Set(k, v)
	}
	switch req.Auth {
	case "bearer":
		hr.Header.Set("Authorization", "Bearer "+secret)
	case "basic":
		hr.SetBasicAuth(req.AuthUser, secret)
	case "hmac":
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		ts := now().Unix()
		hr.Header.Set(intake.HeaderTimestamp, strconv.FormatInt(ts, 10))
		hr.Header.Set(intake.HeaderSignature, intake.Sign(secret, ts, []byte(req.Body)))
	}
	var written atomic.Bool
	hr = hr.WithContext(httptrace.WithClientTrace(hr.Context(), &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) { written.Store(info.Err == nil) },
	}))
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(hr)
	if err != nil {
		reason := err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			reason = "no answer within " + timeout.String()
		}
		return Result{Outcome: Retry, Reason: reason, Written: written.Load()}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxExcerpt+4))
	ans := Answer{Status: resp.StatusCode, Body: excerpt(raw), Location: resp.Header.Get("Location")}
	res := Result{Answer: ans, Written: true}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		res.Outcome = Accepted
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		res.Outcome = Retry
		res.Reason = fmt.Sprintf("%s answered %s", req.URL, resp.Status)
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			res.RetryAfter = min(time.Duration(secs)*time.Second, time.Hour)
		}
	default:
		res.Outcome = Refused
		res.Reason = fmt.Sprintf("%s answered %s", req.URL, resp.Status)
	}
	return res
}

// excerpt keeps the start of a peer's body as valid UTF-8.
func excerpt(b []byte) string {
	if len(b) > maxExcerpt {
		b = b[:maxExcerpt]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
		return string(b) + "…"
	}
	return strings.ToValidUTF8(string(b), "�")
}
