package testutil

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// PostgresCluster is a PostgreSQL server of one test's own, which the test
// may stop and start again on the same port: the fault tests take the
// database away from running replicas. PostgresURL's shared server cannot
// be stopped, since other tests use it.
type PostgresCluster struct {
	// URL is the cluster's "firebreak" database.
	URL string

	dir, data string
	port      int
	proc      *exec.Cmd
	exited    chan struct{}
}

// StartPostgresCluster makes and starts a cluster that is removed when the
// test ends. Without PostgreSQL installed the test fails under CI=true and
// is skipped otherwise.
func StartPostgresCluster(t testing.TB) *PostgresCluster {
	t.Helper()
	initdb := filepath.Join(PostgresBinDir, "initdb")
	if _, err := os.Stat(initdb); err != nil {
		Missing(t, "PostgreSQL ("+initdb+")")
	}
	dir, err := os.MkdirTemp("", "firebreak-pgc-")
	if err != nil {
		t.Fatal(err)
	}
	c := &PostgresCluster{dir: dir, data: filepath.Join(dir, "data")}
	t.Cleanup(func() {
		c.Stop(t)
		_ = os.RemoveAll(dir)
	})
	cred, err := postgresCredential(dir)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(initdb, "-D", c.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v: %s", err, out)
	}
	if c.port, err = netListenLoopback(); err != nil {
		t.Fatal(err)
	}
	c.Start(t)
	admin, err := sql.Open("pgx", c.adminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE firebreak"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/firebreak?sslmode=disable", c.port)
	return c
}

func (c *PostgresCluster) adminURL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Start starts the server (again) and waits until it takes connections.
func (c *PostgresCluster) Start(t testing.TB) {
	t.Helper()
	if c.proc != nil {
		t.Fatal("the cluster is already running")
	}
	cred, err := postgresCredential(c.dir)
	if err != nil {
		t.Fatal(err)
	}
	proc := exec.Command(filepath.Join(PostgresBinDir, "postgres"), "-D", c.data,
		"-p", strconv.Itoa(c.port), "-k", c.dir, "-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "shared_buffers=32MB")
	proc.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGQUIT}
	logf, _ := os.OpenFile(filepath.Join(c.dir, "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	proc.Stdout, proc.Stderr = logf, logf
	if err := proc.Start(); err != nil {
		t.Fatalf("start postgres: %v", err)
	}
	c.proc, c.exited = proc, make(chan struct{})
	go func() { _ = proc.Wait(); close(c.exited) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		db, err := sql.Open("pgx", c.adminURL())
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
			t.Fatalf("postgres did not start: %v: %s", err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop shuts the server down fast (SIGINT: open connections are cut, as
// when a database host goes away) and waits until it is gone.
func (c *PostgresCluster) Stop(t testing.TB) {
	t.Helper()
	if c.proc == nil {
		return
	}
	_ = c.proc.Process.Signal(syscall.SIGINT)
	select {
	case <-c.exited:
	case <-time.After(20 * time.Second):
		_ = c.proc.Process.Kill()
		<-c.exited
	}
	c.proc = nil
}
