package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestRedirectTargets: after sign-in and after the language switch, the
// Location is a path on this site; every next that a browser would turn
// into another host leads to the incident list instead.
func TestRedirectTargets(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for next, want := range map[string]string{
			"/incidents/INC-1":     "/incidents/INC-1",
			"/\t/evil.example":     "/incidents",
			"/\n/evil.example":     "/incidents",
			"/\r/evil.example":     "/incidents",
			"/%09/evil.example":    "/incidents",
			"/%0a/evil.example":    "/incidents",
			"/%0d/evil.example":    "/incidents",
			"//evil.example":       "/incidents",
			`/\evil.example`:       "/incidents",
			"https://evil.example": "/incidents",
			"/%2f/evil.example":    "/incidents",
		} {
			form := url.Values{"name": {string(viewer)}, "password": {"password-" + string(viewer)}, "next": {next}}
			resp, err := noFollow.PostForm(f.base+"/login", form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != want {
				t.Errorf("sign-in with next=%q: %d Location %q, want %q", next, resp.StatusCode, got, want)
			}
			resp, err = noFollow.PostForm(f.base+"/lang", url.Values{"lang": {"ko"}, "next": {next}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Location"); got != want {
				t.Errorf("POST /lang with next=%q: Location %q, want %q", next, got, want)
			}
		}
	})
}
