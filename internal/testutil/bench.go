package testutil

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/server"
)

// BenchServe serves GET path through h b.N times, after one request that
// warms caches as a running server's would be, and reports the handler time
// per request as p50-ms and p95-ms. An answer other than 200 fails.
func BenchServe(b *testing.B, h http.Handler, path string, cookies ...*http.Cookie) {
	b.Helper()
	BenchRequests(b, h, func() *http.Request {
		r := httptest.NewRequest("GET", path, nil)
		for _, c := range cookies {
			r.AddCookie(c)
		}
		return r
	})
}

// BenchRequests serves the requests newRequest makes through h as
// BenchServe does: one to warm caches, then b.N measured, reported as p50-ms
// and p95-ms. An answer other than 200 fails.
func BenchRequests(b *testing.B, h http.Handler, newRequest func() *http.Request) {
	b.Helper()
	serve := func() time.Duration {
		r := newRequest()
		w := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(w, r)
		d := time.Since(start)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", r.URL, w.Code, w.Body)
		}
		return d
	}
	serve()
	times := make([]time.Duration, 0, b.N)
	cpu0 := processCPU()
	b.ResetTimer()
	for range b.N {
		times = append(times, serve())
	}
	b.StopTimer()
	// CPU time says what a request costs this process when the machine is
	// shared and wall time mostly measures the wait for a core.
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	slices.Sort(times)
	pct := func(q float64) float64 { return float64(times[int(q*float64(len(times)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchEachDatabase runs fn as a sub-benchmark once against a new SQLite
// file and once against a new PostgreSQL database.
func BenchEachDatabase(b *testing.B, fn func(b *testing.B, url string)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, SQLiteURL(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, PostgresURL(b)) })
}

// BenchSite opens a Firebreak on dbURL for a page benchmark, without
// serving it (requests go straight to its Handler), with the demo catalog
// and a responder "bench" signed in; it returns the server and the session
// cookie. The database closes when the benchmark ends.
func BenchSite(b *testing.B, dbURL string) (*server.Server, *http.Cookie) {
	b.Helper()
	ctx := context.Background()
	cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := server.Open(ctx, server.Options{DatabaseURL: dbURL, Catalog: cat, Logger: TestLogger()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.DB.Close() })
	const password = "bench password 벤치"
	AddUsers(b, srv, password, map[string]auth.Role{"bench": auth.Responder})
	secret, _, _, err := srv.Passwords.SignIn(ctx, "bench", password)
	if err != nil {
		b.Fatal(err)
	}
	return srv, &http.Cookie{Name: "fb_session", Value: secret}
}

// AddUsers adds users with the given roles to a Firebreak, each with the
// password and the address name@example.com.
func AddUsers(t testing.TB, srv *server.Server, password string, roles map[string]auth.Role) {
	t.Helper()
	ctx := context.Background()
	for name, role := range roles {
		if _, err := srv.Users.AddUser(ctx, name, name+"@example.com", role); err != nil {
			t.Fatal(err)
		}
		if err := srv.Passwords.SetPassword(ctx, name, password); err != nil {
			t.Fatal(err)
		}
	}
}
