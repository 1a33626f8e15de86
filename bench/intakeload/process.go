package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// firebreakProcess is `firebreak serve` running as a process of its own, as
// Alertmanager does, so that neither shares a process with the load
// generator.
type firebreakProcess struct {
	cmd  *exec.Cmd
	base string
}

// startFirebreakProcess builds the firebreak binary, writes the config and
// starts `firebreak serve` on a free loopback port, waiting until it is ready.
func startFirebreakProcess(ctx context.Context, dir, config, dbURL string, journal, verbose bool, stderr io.Writer) (*firebreakProcess, error) {
	bin := filepath.Join(dir, "firebreak")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/firebreak")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build firebreak (run from the module root): %v\n%s", err, out)
	}
	cfgPath := filepath.Join(dir, "firebreak.yaml")
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	args := []string{"serve", "--addr", addr, "--config", cfgPath, "--log-level", "warn"}
	if strings.HasPrefix(dbURL, "sqlite:") {
		args = append(args, "--data-dir", filepath.Dir(strings.TrimPrefix(dbURL, "sqlite:")))
	} else {
		args = append(args, "--database-url", dbURL)
	}
	if journal {
		args = append(args, "--intake-journal", filepath.Join(dir, "journal"))
	}
	cmd := exec.Command(bin, args...)
	if verbose {
		cmd.Stderr = stderr
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start firebreak serve: %w", err)
	}
	p := &firebreakProcess{cmd: cmd, base: "http://" + addr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("firebreak serve did not become ready at %s", p.base)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *firebreakProcess) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
	}
}

// openForChecks opens the database beside the server, for counting what it
// stored.
func openForChecks(ctx context.Context, dbURL string) (*sql.DB, error) {
	if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		return sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, err
	}
	return db, db.PingContext(ctx)
}
