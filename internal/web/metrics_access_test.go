package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestMetricsNeedToken: on a running server, a scrape that a proxy
// forwarded from elsewhere is refused without the metrics token and
// answered with it, on both databases.
func TestMetricsNeedToken(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, MetricsToken: "metrics-token-42"})
		scrape := func(auth string) (int, string) {
			req, _ := http.NewRequest("GET", run.Base+"/metrics", nil)
			req.Header.Set("X-Forwarded-For", "198.51.100.7")
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		if code, body := scrape(""); code != 401 || strings.Contains(body, "firebreak_") {
			t.Errorf("forwarded scrape without the token: %d %s", code, body)
		}
		if code, _ := scrape("Bearer wrong"); code != 401 {
			t.Errorf("forwarded scrape with a wrong token: %d", code)
		}
		if code, body := scrape("Bearer metrics-token-42"); code != 200 || !strings.Contains(body, "firebreak_http_requests_total") {
			t.Errorf("forwarded scrape with the token: %d", code)
		}
	})
}
