package ui_test

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func BenchmarkZZGolden(b *testing.B) {
	testutil.BenchEachDatabase(b, func(b *testing.B, url string) {
		srv, _ := testutil.BenchSite(b, url)
		testutil.AddUsers(b, srv, "admin password 12345", map[string]auth.Role{"admin": auth.Admin})
		now := time.Date(2026, 11, 20, 15, 4, 5, 0, time.UTC)
		seedInsightsBench(b, srv.DB, now)
		srv.Insights.Now = func() time.Time { return now }
		srv.Insights.CacheFor = 0
		out, _ := os.Create(os.Getenv("GOLDEN") + "-" + b.Name()[len("BenchmarkZZGolden/"):] + ".txt")
		defer out.Close()
		for _, who := range []string{"bench", "admin"} {
			token, _, err := srv.Users.OperatorToken(context.Background(), auth.TokenRequest{User: who, Scopes: []auth.Scope{auth.ScopeRead}})
			if err != nil {
				b.Fatal(err)
			}
			for _, q := range []string{"period=last-365d", "period=last-365d&team=payments", "period=last-365d&bucket=quarter",
				"period=last-90d", "period=2026-Q3&grade=SEV1,SEV2", "period=last-365d&service=ledger", "period=2026-03"} {
				r := httptest.NewRequest("GET", "/api/v1/insights?"+q, nil)
				r.Header.Set("Authorization", "Bearer "+token)
				w := httptest.NewRecorder()
				srv.Handler.ServeHTTP(w, r)
				body, _ := io.ReadAll(w.Body)
				io.WriteString(out, who+" "+q+" "+w.Result().Status+"\n"+string(body)+"\n")
			}
		}
	})
}
