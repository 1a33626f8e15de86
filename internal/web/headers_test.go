package web_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestSecurityHeaders checks the headers of the API, the web pages and the
// report form, with and without TLS in front.
func TestSecurityHeaders(t *testing.T) {
	f := startFixture(t, testutil.SQLiteURL(t))
	head := func(path string, tls bool) http.Header {
		req, _ := http.NewRequest("GET", f.base+path, nil)
		if tls {
			req.Header.Set("X-Forwarded-Proto", "https")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header
	}
	for _, path := range []string{"/api/v1/openapi.json", "/login", "/report", "/metrics", "/healthz"} {
		h := head(path, false)
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: nosniff %q, X-Frame-Options %q", path, h.Get("X-Content-Type-Options"), h.Get("X-Frame-Options"))
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", path)
		}
		if got := head(path, true).Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=31536000") {
			t.Errorf("%s behind TLS: HSTS %q", path, got)
		}
	}
	for _, path := range []string{"/login", "/report"} {
		csp := head(path, false).Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %s", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP %q allows inline script", path, csp)
		}
	}
	if csp := head("/api/v1/me", false).Get("Content-Security-Policy"); csp != "default-src 'none'; frame-ancestors 'none'" {
		t.Errorf("API CSP %q", csp)
	}
}

// TestNoInlineScript checks that no template carries script or style the
// CSP would block: inline <script> bodies, on* handlers, style attributes.
func TestNoInlineScript(t *testing.T) {
	files, _ := filepath.Glob("*/templates/*.html")
	more, _ := filepath.Glob("../intake/*/templates/*.html")
	files = append(files, more...)
	if len(files) < 5 {
		t.Fatalf("found only %d templates", len(files))
	}
	bad := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|\son[a-z]+\s*=|\sstyle\s*=|<style|javascript:`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := bad.Find(b); m != nil {
			t.Errorf("%s: %q would need an inline-script or inline-style exception in the CSP", f, m)
		}
	}
}

// TestLoginRateLimit: after the limit of failures, even the right password
// is refused until the window passes, without the password being checked.
func TestLoginRateLimit(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		try := func(name, password string) *http.Response {
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := c.PostForm(f.base+"/login", url.Values{"name": {name}, "password": {password}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		for i := range 10 {
			if r := try("viewer", "wrong-password"); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i+1, r.StatusCode)
			}
		}
		r := try("viewer", "password-viewer")
		if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Fatalf("right password after 10 failures: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
		}
		// The same client address is held back for other names too.
		if r := try("admin", "password-admin"); r.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("another name from the same address: %d", r.StatusCode)
		}
	})
}
