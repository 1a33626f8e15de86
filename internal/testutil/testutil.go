// Package testutil starts the real components Firebreak's tests run against
// (a throwaway PostgreSQL server, free ports) and handles their absence: under
// CI=true a missing component fails the test, elsewhere it skips it.
package testutil

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

// Missing stops a test whose component is not on this machine. Under CI the
// test fails, so a CI run never passes by skipping.
func Missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required under CI=true but is not available", what)
	}
	t.Skipf("%s is not available; skipping (it is required under CI=true)", what)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// SQLiteURL returns the database URL of a new SQLite file in the test's
// temporary directory.
func SQLiteURL(t testing.TB) string {
	t.Helper()
	return "sqlite:" + filepath.Join(t.TempDir(), "firebreak.db")
}

func netListenLoopback() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
