package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// requestTimeout bounds each API call, so a command against a hung server
// fails instead of hanging the operator's terminal.
const requestTimeout = 30 * time.Second

// maxResponse bounds what the client reads of one answer; API pages are
// bounded and far smaller.
const maxResponse = 32 << 20

// client talks to a running Firebreak server's JSON API.
type client struct {
	base  string // scheme://host[:port][/prefix], no trailing slash
	token string
	http  *http.Client
}

// newClient checks the server address and the token before any request is
// sent, so a missing token is reported as such and not as a 401.
func newClient(server, token string) (*client, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, errors.New("no API token: pass --token or set FIREBREAK_TOKEN (an admin creates one with `firebreak token create`)")
	}
	u, err := url.Parse(strings.TrimSpace(server))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--server: %q is not a server address such as http://127.0.0.1:8080", server)
	}
	u.RawQuery, u.Fragment = "", ""
	return &client{
		base:  strings.TrimRight(u.String(), "/"),
		token: token,
		http: &http.Client{
			Timeout: requestTimeout,
			// A redirect (typically http → https) would turn a POST into a GET
			// and drop the token; better to tell the operator where to point.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// apiError is an error answer of the API: an RFC 9457 problem, or a bare
// HTTP status when something other than Firebreak answered.
type apiError struct {
	Status int
	Code   string // invalid, not_found, conflict, forbidden, unauthorized, internal
	Field  string // the request field at fault, if any
	Detail string // for humans; already names the field
}

func (e *apiError) Error() string {
	msg := fmt.Sprintf("%s (HTTP %d)", e.Detail, e.Status)
	if e.Status == http.StatusUnauthorized {
		msg += "; check --token or FIREBREAK_TOKEN"
	}
	return msg
}

// do sends body (if not nil) as JSON and decodes the JSON answer into out (if
// not nil). path is relative to the server address and may carry a query.
func (c *client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json, application/problem+json")
	req.Header.Set("User-Agent", "firebreak-cli")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.unreachable(ctx, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s %s: read the answer from %s: %w", method, path, c.base, err)
	}
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return fmt.Errorf("the server at %s redirects %s to %q (HTTP %d); point --server or FIREBREAK_SERVER at the address it redirects to",
			c.base, path, resp.Header.Get("Location"), resp.StatusCode)
	case resp.StatusCode >= 400:
		return problemError(resp.StatusCode, mediaType, data)
	case out == nil:
		return nil
	case mediaType != "application/json":
		return fmt.Errorf("%s %s: the server at %s answered with %q, not JSON; is --server pointing at Firebreak?",
			method, path, c.base, resp.Header.Get("Content-Type"))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: unexpected answer from %s: %w", method, path, c.base, err)
	}
	return nil
}

// unreachable explains a request that got no answer at all.
func (c *client) unreachable(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		if uerr.Timeout() {
			return fmt.Errorf("no answer from the Firebreak server at %s within %s; check --server or FIREBREAK_SERVER: %w", c.base, requestTimeout, err)
		}
		err = uerr.Err // the URL is named below; once is enough
	}
	return fmt.Errorf("cannot reach the Firebreak server at %s (%w); is it running? Point at it with --server or FIREBREAK_SERVER", c.base, err)
}

// problemError turns an error answer into an apiError. Anything that is not
// problem+json (a proxy's HTML page, say) is reported by its status alone.
func problemError(status int, mediaType string, data []byte) error {
	e := &apiError{Status: status}
	var p struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Code   string `json:"code"`
		Field  string `json:"field"`
	}
	if (mediaType == "application/problem+json" || mediaType == "application/json") && json.Unmarshal(data, &p) == nil {
		e.Code, e.Field, e.Detail = p.Code, p.Field, p.Detail
		if e.Detail == "" {
			e.Detail = p.Title
		}
	} else if mediaType == "text/plain" {
		e.Detail = firstLine(string(data), 200)
	}
	if e.Detail == "" {
		e.Detail = http.StatusText(status)
	}
	return e
}

// firstLine returns s's first non-empty line, cut to at most n runes.
func firstLine(s string, n int) string {
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); line != "" {
			return truncate(line, n)
		}
	}
	return ""
}
