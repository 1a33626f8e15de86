// Package tracker files Firebreak's action items as issues in Jira (REST API
// v2) and GitHub Issues (REST API), reads and sets their status, and checks
// the signatures of the webhooks those trackers send back.
package tracker

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// client is what both trackers share: JSON over HTTP with an
// Authorization header and a bounded wait.
type client struct {
	http   *http.Client
	auth   string // the Authorization header's value
	header map[string]string
}

func newClient(auth string, header map[string]string) client {
	return client{http: &http.Client{Timeout: 20 * time.Second}, auth: auth, header: header}
}

// StatusError is a tracker's refusal, with its status and a bit of its body.
type StatusError struct {
	Method, URL string
	Status      int
	Body        string
}

func (e *StatusError) Error() string {
	hint := ""
	switch e.Status {
	case http.StatusUnauthorized:
		hint = " (check the credentials in the review.tracker section)"
	case http.StatusForbidden:
		hint = " (the credentials lack permission)"
	}
	return fmt.Sprintf("%s %s: HTTP %d%s: %s", e.Method, e.URL, e.Status, hint, e.Body)
}

func (c client) do(ctx context.Context, method, url string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, url, err)
	}
	if resp.StatusCode/100 != 2 {
		return &StatusError{Method: method, URL: url, Status: resp.StatusCode, Body: strings.TrimSpace(string(data[:min(len(data), 300)]))}
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, url, err)
	}
	return nil
}

// ValidSignature checks a webhook's "sha256=<hex>" signature header (GitHub's
// X-Hub-Signature-256, Jira's X-Hub-Signature) against the body.
func ValidSignature(secret string, body []byte, header string) bool {
	// The MAC is computed and compared whatever the header holds, so a
	// missing or malformed header is refused in the time a wrong one is.
	got, prefixed := strings.CutPrefix(header, "sha256=")
	want, err := hex.DecodeString(got)
	if err != nil || len(want) != sha256.Size {
		want = make([]byte, sha256.Size)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	equal := hmac.Equal(mac.Sum(nil), want)
	return equal && prefixed && err == nil && secret != ""
}

// Sign returns the signature header value for body, as the trackers send it.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// issueText is the body of an item's issue.
func issueText(title, description, category, term, owner, due, incidentRef string) string {
	var b strings.Builder
	if description != "" {
		b.WriteString(description + "\n\n")
	}
	fmt.Fprintf(&b, "Action item from incident %s (Firebreak).\nCategory: %s, term: %s, owner: %s, due: %s\n", incidentRef, category, term, owner, due)
	return b.String()
}
