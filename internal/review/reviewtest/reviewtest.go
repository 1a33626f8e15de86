// Package reviewtest starts a Firebreak with the demo catalog and a few
// users for the review's integration tests, and talks to its API.
package reviewtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// Password is every test user's web password.
const Password = "correct horse 42"

// Clock is a settable clock for Options.Now.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now reads the clock.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// quickRetry retries failed jobs after a moment instead of River's backoff.
type quickRetry struct{}

func (quickRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(100 * time.Millisecond)
}

// Site is a running Firebreak with users alice, bob, minji.kim
// (responders), vic (viewer) and root (admin), each with an API token.
type Site struct {
	Base   string
	Srv    *server.Server
	Tokens map[string]string
}

// Start runs a Firebreak on url with the demo catalog; opts may set the
// review section, clock and so on. Jobs poll often and retry quickly.
func Start(t *testing.T, url string, opts server.Options) *Site {
	t.Helper()
	cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	opts.DatabaseURL, opts.Catalog = url, cat
	opts.Jobs = jobs.Config{PollInterval: 100 * time.Millisecond, RetryPolicy: quickRetry{}}
	if opts.LivePoll == 0 {
		opts.LivePoll = 200 * time.Millisecond
	}
	run := testutil.StartServer(t, opts)
	s := &Site{Base: run.Base, Srv: run.Server, Tokens: map[string]string{}}
	ctx := context.Background()
	for name, role := range map[string]auth.Role{"alice": auth.Responder, "bob": auth.Responder, "minji.kim": auth.Responder,
		"vic": auth.Viewer, "root": auth.Admin} {
		if _, err := run.Server.Users.AddUser(ctx, name, name+"@example.com", role); err != nil {
			t.Fatal(err)
		}
		if err := run.Server.Passwords.SetPassword(ctx, name, Password); err != nil {
			t.Fatal(err)
		}
		secret, _, err := run.Server.Users.CreateToken(ctx, name, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		s.Tokens[name] = secret
	}
	return s
}

// Call sends one API request as user and checks the status; it returns the
// decoded JSON object.
func (s *Site) Call(t *testing.T, user, method, path string, body any, want int) map[string]any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.Base+path, rd)
	req.Header.Set("Authorization", "Bearer "+s.Tokens[user])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	out := map[string]any{}
	_ = json.Unmarshal(data, &out)
	return out
}

// ID renders a JSON number as the string an API path takes.
func ID(v any) string { b, _ := json.Marshal(v); return string(b) }
