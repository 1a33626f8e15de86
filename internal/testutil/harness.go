package testutil

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// EachDatabase runs fn as a subtest once against a new SQLite file and once
// against a new PostgreSQL database, so one suite covers both.
func EachDatabase(t *testing.T, fn func(t *testing.T, url string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLiteURL(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, PostgresURL(t)) })
}

// OpenStore opens and migrates the database at url, closing it when the
// test ends.
func OpenStore(t testing.TB, url string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// Running is a Firebreak server started in-process for a test.
type Running struct {
	Base   string // http://127.0.0.1:port
	Server *server.Server
}

// StartServer opens a Firebreak with the options and serves it on a free
// loopback port until the test ends, failing the test if shutdown fails.
// The server's log is discarded unless FIREBREAK_TEST_LOG is set.
func StartServer(t testing.TB, opts server.Options) *Running {
	t.Helper()
	return StartServerWith(t, func(string) server.Options { return opts })
}

// StartServerWith is StartServer for options that depend on the server's
// own address (such as a sign-on redirect URL): options is called with the
// base URL before the server opens.
func StartServerWith(t testing.TB, options func(base string) server.Options) *Running {
	t.Helper()
	ln, err := server.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opts := options(server.URL(ln))
	ctx, cancel := context.WithCancel(context.Background())
	if opts.Logger == nil {
		opts.Logger = TestLogger()
	}
	srv, err := server.Open(ctx, opts)
	if err != nil {
		cancel()
		ln.Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &Running{Base: server.URL(ln), Server: srv}
}

// TestLogger shows the server's warnings and errors when FIREBREAK_TEST_LOG
// is set, and nothing otherwise.
func TestLogger() *slog.Logger {
	if os.Getenv("FIREBREAK_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
