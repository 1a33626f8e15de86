package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// alertmanagerConfig routes every alert to a receiver that sends nothing:
// the run measures how fast Alertmanager takes alerts in, and a notifier
// would load Firebreak while Alertmanager is being measured.
const alertmanagerConfig = `
route:
  receiver: blackhole
receivers:
  - name: blackhole
`

// alertmanagerProc is an Alertmanager started for the run.
type alertmanagerProc struct {
	base    string
	version string
	cmd     *exec.Cmd
	exited  chan struct{}
	logPath string
}

// startAlertmanager runs the Alertmanager binary on a free loopback port,
// without clustering, keeping its state and log in dir.
func startAlertmanager(ctx context.Context, bin, dir string) (*alertmanagerProc, error) {
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("no Alertmanager at %s: install Debian's prometheus-alertmanager or pass -alertmanager", bin)
	}
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfg, []byte(alertmanagerConfig), 0o600); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	logPath := filepath.Join(dir, "alertmanager.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child holds its own descriptor
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.path="+filepath.Join(dir, "alertmanager-data"),
		"--web.listen-address="+addr, "--cluster.listen-address=", "--log.level=warn")
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group keeps a terminal's Ctrl-C for us, so we stop it
	// in order; Pdeathsig takes it down if we die first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start Alertmanager: %w", err)
	}
	am := &alertmanagerProc{base: "http://" + addr, cmd: cmd, exited: make(chan struct{}), logPath: logPath}
	go func() { _ = cmd.Wait(); close(am.exited) }()
	if err := am.waitReady(ctx); err != nil {
		am.stop()
		return nil, err
	}
	return am, nil
}

func (am *alertmanagerProc) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-am.exited:
			log, _ := os.ReadFile(am.logPath)
			return fmt.Errorf("alertmanager exited at start: %s", log)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if v, err := am.status(); err == nil {
			am.version = v
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("alertmanager did not become ready within 15s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// status reads Alertmanager's version from its status API, which answers
// once it is ready.
func (am *alertmanagerProc) status() (string, error) {
	resp, err := http.Get(am.base + "/api/v2/status")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", errors.New(resp.Status)
	}
	var st struct {
		VersionInfo struct {
			Version string `json:"version"`
		} `json:"versionInfo"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return "", err
	}
	return st.VersionInfo.Version, nil
}

// fingerprintOf returns the fingerprint Alertmanager gave the alert with
// these scenario, run and instance labels, or "" when it holds none.
func (am *alertmanagerProc) fingerprintOf(labels map[string]string) (string, error) {
	q := url.Values{}
	for _, k := range []string{"scenario", "run", "instance"} {
		q.Add("filter", fmt.Sprintf("%s=%q", k, labels[k]))
	}
	resp, err := http.Get(am.base + "/api/v2/alerts?" + q.Encode())
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var alerts []struct {
		Fingerprint string `json:"fingerprint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&alerts); err != nil {
		return "", fmt.Errorf("GET /api/v2/alerts: %w", err)
	}
	if len(alerts) != 1 {
		return "", fmt.Errorf("GET /api/v2/alerts: %d alerts match, want 1", len(alerts))
	}
	return alerts[0].Fingerprint, nil
}

// stop ends Alertmanager: politely first, then by force.
func (am *alertmanagerProc) stop() {
	_ = am.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-am.exited:
	case <-time.After(5 * time.Second):
		_ = am.cmd.Process.Kill()
		<-am.exited
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
