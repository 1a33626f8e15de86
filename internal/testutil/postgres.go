package testutil

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// PostgresBinDir is where Debian installs the PostgreSQL 15 server programs.
var PostgresBinDir = "/usr/lib/postgresql/15/bin"

// PostgresEnv names a variable that, when set to an admin URL, makes tests use
// that server instead of starting their own.
const PostgresEnv = "FIREBREAK_TEST_POSTGRES"

var pg struct {
	once     sync.Once
	adminURL string
	proc     *exec.Cmd
	dir      string
	err      error
	dbSeq    atomic.Int64
}

// Main runs a package's tests and then stops the PostgreSQL server that they
// may have started and removes the test OIDC provider they may have built.
// Packages that call PostgresURL or StartOIDCProvider use it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	StopPostgres()
	removeOIDCProviderBuild()
	return code
}

// PostgresURL returns the URL of a new, empty database on a throwaway
// PostgreSQL server started for this test process. The database is dropped
// when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	pg.once.Do(func() {
		if u := os.Getenv(PostgresEnv); u != "" {
			pg.adminURL = u
			return
		}
		pg.adminURL, pg.err = startPostgres()
	})
	if pg.err != nil {
		Missing(t, "PostgreSQL ("+pg.err.Error()+")")
	}
	name := fmt.Sprintf("fbtest_%d_%d", os.Getpid(), pg.dbSeq.Add(1))
	admin, err := sql.Open("pgx", pg.adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", pg.adminURL)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, _ := url.Parse(pg.adminURL)
	u.Path = "/" + name
	return u.String()
}

// startPostgres makes a new cluster in a temporary directory and starts it on
// a free loopback port. Durability settings are off: the cluster is thrown
// away with the test process.
func startPostgres() (string, error) {
	initdb := filepath.Join(PostgresBinDir, "initdb")
	if _, err := os.Stat(initdb); err != nil {
		return "", fmt.Errorf("no %s: install Debian's postgresql-15", initdb)
	}
	dir, err := os.MkdirTemp("", "firebreak-pg-")
	if err != nil {
		return "", err
	}
	pg.dir = dir
	cred, err := postgresCredential(dir)
	if err != nil {
		return "", err
	}
	data := filepath.Join(dir, "data")
	cmd := exec.Command(initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("initdb: %v: %s", err, out)
	}
	port := 0
	{
		l, err := netListenLoopback()
		if err != nil {
			return "", err
		}
		port = l
	}
	proc := exec.Command(filepath.Join(PostgresBinDir, "postgres"), "-D", data,
		"-p", strconv.Itoa(port), "-k", dir, "-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "shared_buffers=64MB")
	// Pdeathsig takes the server down with a test process that dies early.
	proc.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGQUIT}
	logf, _ := os.Create(filepath.Join(dir, "postgres.log"))
	proc.Stdout, proc.Stderr = logf, logf
	if err := proc.Start(); err != nil {
		return "", fmt.Errorf("start postgres: %w", err)
	}
	pg.proc = proc
	adminURL := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		db, err := sql.Open("pgx", adminURL)
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		if err == nil {
			return adminURL, nil
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
			return "", fmt.Errorf("postgres did not start: %v: %s", err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// postgresCredential returns the identity to run the server as: PostgreSQL
// refuses to run as root, so as root we switch to the postgres user.
func postgresCredential(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.New("running as root and there is no postgres user")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// StopPostgres stops the server PostgresURL started, if any.
func StopPostgres() {
	if pg.proc != nil && pg.proc.Process != nil {
		_ = pg.proc.Process.Signal(syscall.SIGINT) // fast shutdown
		done := make(chan struct{})
		go func() { _ = pg.proc.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = pg.proc.Process.Kill()
		}
	}
	if pg.dir != "" {
		_ = os.RemoveAll(pg.dir)
	}
}
