package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestMetricsGuard: a scrape from off this host, or one a proxy forwarded,
// needs the metrics token; loopback needs none; without a token configured
// only loopback may scrape.
func TestMetricsGuard(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("firebreak_jobs 1\n")) })
	for _, tc := range []struct {
		name, token, remote, auth, forwarded string
		want                                 int
	}{
		{"loopback, no token configured", "", "127.0.0.1:5000", "", "", 200},
		{"loopback v6", "", "[::1]:5000", "", "", 200},
		{"remote, no token configured", "", "203.0.113.5:5000", "", "", 401},
		{"remote with a token nobody configured", "", "203.0.113.5:5000", "Bearer x", "", 401},
		{"remote with the token", "s3cret-metrics", "203.0.113.5:5000", "Bearer s3cret-metrics", "", 200},
		{"remote with a wrong token", "s3cret-metrics", "203.0.113.5:5000", "Bearer s3cret-metricz", "", 401},
		{"remote with the token as basic", "s3cret-metrics", "203.0.113.5:5000", "Basic s3cret-metrics", "", 401},
		{"forwarded by a local proxy", "s3cret-metrics", "127.0.0.1:5000", "", "198.51.100.7", 401},
		{"forwarded with the token", "s3cret-metrics", "127.0.0.1:5000", "Bearer s3cret-metrics", "198.51.100.7", 200},
	} {
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = tc.remote
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		if tc.forwarded != "" {
			r.Header.Set("X-Forwarded-For", tc.forwarded)
		}
		w := httptest.NewRecorder()
		metricsGuard(tc.token, ok).ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, w.Code, tc.want)
		}
		if w.Code == 401 && w.Body.String() == "firebreak_jobs 1\n" {
			t.Errorf("%s: refused but the metrics were sent", tc.name)
		}
	}
}
