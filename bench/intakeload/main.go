// Command intakeload measures how fast Firebreak's Alertmanager webhook takes
// alerts in, beside how fast Alertmanager itself takes in the same alerts, on
// this machine and over loopback only. It starts both itself: Firebreak
// in-process (SQLite in a temporary directory, or the PostgreSQL database
// named by -postgres) and Debian's Alertmanager as a child process.
//
//	go run ./bench/intakeload -duration 10s -concurrency 8
//
// README.md describes the scenarios and how to read the figures.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/server"
)

// Bounds on one invocation, whatever the flags say: a run is at most
// maxDuration long and sends at most maxRequests requests and maxAlerts
// alerts, so a typo cannot flood the machine for hours or fill its disk.
const (
	maxDuration    = 10 * time.Minute
	maxConcurrency = 256
	maxRequests    = 1_000_000
	maxAlerts      = 5_000_000
)

type options struct {
	duration     time.Duration
	concurrency  int
	requests     int
	scenarios    *regexp.Regexp
	json         bool
	postgres     string
	alertmanager string
	drainTimeout time.Duration
	verbose      bool
	inProcess    bool
	journal      bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("intakeload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./bench/intakeload [flags]\n\n"+
			"Sends Alertmanager webhook notifications to an in-process Firebreak and the same\n"+
			"alerts to a local Alertmanager, and compares how fast each takes them in.\n"+
			"Scenarios: %s\n\n", strings.Join(scenarioNames(), ", "))
		fs.PrintDefaults()
	}
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each scenario runs against each target (at most "+maxDuration.String()+")")
	fs.IntVar(&o.concurrency, "concurrency", 8, fmt.Sprintf("concurrent workers, each with one connection (1 to %d)", maxConcurrency))
	fs.IntVar(&o.requests, "requests", 0, fmt.Sprintf("stop a run after this many requests (0: the duration alone; never more than %d requests or %d alerts)", maxRequests, maxAlerts))
	filter := fs.String("scenarios", "", "run only the scenarios whose name matches this regular expression")
	fs.BoolVar(&o.json, "json", false, "print the results as JSON instead of a table")
	fs.StringVar(&o.postgres, "postgres", "", "use this PostgreSQL database (postgres://…@127.0.0.1/…) instead of SQLite in a temporary directory")
	fs.StringVar(&o.alertmanager, "alertmanager", "/usr/bin/prometheus-alertmanager", "the Alertmanager binary")
	fs.DurationVar(&o.drainTimeout, "drain-timeout", 3*time.Minute, "how long to wait after a Firebreak run for routing to catch up before Alertmanager's run")
	fs.BoolVar(&o.verbose, "v", false, "show Firebreak's warnings and errors")
	fs.BoolVar(&o.inProcess, "in-process", false, "run Firebreak inside this process instead of as its own `firebreak serve` (then it shares the CPU with the load generator, which Alertmanager does not)")
	fs.BoolVar(&o.journal, "journal", false, "run Firebreak with an intake journal (serve --intake-journal): webhooks answer once alerts are fsync'd to it, the database follows in large batches")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case o.duration <= 0 || o.duration > maxDuration:
		return o, fmt.Errorf("-duration must be above 0 and at most %s", maxDuration)
	case o.concurrency < 1 || o.concurrency > maxConcurrency:
		return o, fmt.Errorf("-concurrency must be 1 to %d", maxConcurrency)
	case o.requests < 0 || o.requests > maxRequests:
		return o, fmt.Errorf("-requests must be 0 to %d", maxRequests)
	case o.drainTimeout <= 0 || o.drainTimeout > maxDuration:
		return o, fmt.Errorf("-drain-timeout must be above 0 and at most %s", maxDuration)
	}
	re, err := regexp.Compile(*filter)
	if err != nil {
		return o, fmt.Errorf("-scenarios: %w", err)
	}
	o.scenarios = re
	if !slices.ContainsFunc(scenarioNames(), re.MatchString) {
		return o, fmt.Errorf("-scenarios %q matches none of %s", *filter, strings.Join(scenarioNames(), ", "))
	}
	if o.postgres != "" {
		if err := checkPostgres(o.postgres); err != nil {
			return o, err
		}
	}
	return o, nil
}

// checkPostgres holds the database to the loopback rule too: the run writes
// to it as fast as it can. Only the URL form is taken, so that no host=
// keyword can point elsewhere.
func checkPostgres(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return errors.New("-postgres must be a postgres:// URL")
	}
	if u.Query().Has("host") || u.Query().Has("hostaddr") {
		return errors.New("-postgres: name the host in the URL, not in a host= parameter")
	}
	return checkLoopback("-postgres", raw)
}

func scenarioNames() []string {
	var out []string
	for _, s := range scenarios {
		out = append(out, s.Name)
	}
	return out
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "intakeload:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		stop()
		fmt.Fprintln(os.Stderr, "intakeload: FAILED:", err)
		os.Exit(1)
	}
}

// firebreakConfig is the config of the Firebreak under load: the
// Alertmanager source on, and a route that declares an incident for the
// alerts, so each new signal is routed and joins it as in production.
const firebreakConfig = `
teams:
  - name: payments
services:
  - name: checkout-api
    team: payments
intake:
  alertmanager:
    token: %q
  routes:
    - match: {service: checkout-api}
      service: checkout-api
      grade: SEV2
      action: declare
      group_by: [alertname, scenario]
`

// report is everything one invocation measured.
type report struct {
	Command             string           `json:"command"`
	Database            string           `json:"database"`
	AlertmanagerVersion string           `json:"alertmanager_version"`
	Concurrency         int              `json:"concurrency"`
	DurationSeconds     float64          `json:"duration_seconds"`
	GOMAXPROCS          int              `json:"gomaxprocs"`
	Results             []scenarioResult `json:"results"`
}

// scenarioResult compares the two targets on one scenario.
type scenarioResult struct {
	Scenario         string    `json:"scenario"`
	AlertsPerRequest int       `json:"alerts_per_request"`
	Fingerprints     string    `json:"fingerprints"`
	Firebreak        runResult `json:"firebreak"`
	Alertmanager     runResult `json:"alertmanager"`
	// Ratio is Firebreak's accepted alerts/s over Alertmanager's.
	Ratio float64 `json:"ratio_alerts_per_sec"`
	// DistinctSent and DistinctStored must be equal: every fingerprint
	// Firebreak accepted is a signal in its database.
	DistinctSent   int `json:"distinct_sent"`
	DistinctStored int `json:"distinct_stored"`
	// RoutingDrainSeconds is how long routing took, after the Firebreak run
	// ended, to route every signal it left behind.
	RoutingDrainSeconds float64 `json:"routing_drain_seconds"`
	RoutingDrained      bool    `json:"routing_drained"`
	// CPU per alert, in microseconds, of the firebreak serve process from
	// the start of its run until every signal was stored and routed, and of
	// the Alertmanager process during its run (0 with -in-process). Less
	// noisy than the rates, and what the rates depend on once the two
	// cores are busy. A PostgreSQL server's CPU is not in it.
	FirebreakCPUMicros    float64 `json:"firebreak_cpu_us_per_alert"`
	AlertmanagerCPUMicros float64 `json:"alertmanager_cpu_us_per_alert"`
	// The load generator's own CPU per alert while sending to each: it
	// shares the two cores with the target, and a webhook notification
	// is a larger body to build and send than Alertmanager's alert list.
	// 0 with -in-process.
	FirebreakSenderCPUMicros    float64 `json:"firebreak_sender_cpu_us_per_alert"`
	AlertmanagerSenderCPUMicros float64 `json:"alertmanager_sender_cpu_us_per_alert"`
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "intakeload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	token := randomHex(16)
	cfg := fmt.Sprintf(firebreakConfig, token)
	cat, err := catalog.Parse("intakeload.yaml", []byte(cfg))
	if err != nil {
		return err
	}
	in, err := intake.ParseConfig("intakeload.yaml", []byte(cfg), func(s string) bool { _, ok := cat.Service(s); return ok })
	if err != nil {
		return err
	}
	dbURL := o.postgres
	if dbURL == "" {
		dbURL = "sqlite:" + filepath.Join(dir, "firebreak.db")
	}
	var fbBase string
	var fbPID int  // 0: Firebreak runs in this process
	senderPID := 0 // this process, when Firebreak is not in it

	var db *sql.DB
	dialect := "sqlite"
	if o.postgres != "" {
		dialect = "postgres"
	}
	if o.inProcess {
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		if o.verbose {
			logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		}
		opts := server.Options{DatabaseURL: dbURL, Catalog: cat, Intake: in, Logger: logger}
		if o.journal {
			opts.IntakeJournal = filepath.Join(dir, "journal")
		}
		srv, err := server.Open(ctx, opts)
		if err != nil {
			return fmt.Errorf("start Firebreak: %w", err)
		}
		ln, err := server.Listen("127.0.0.1:0")
		if err != nil {
			srv.DB.Close()
			return err
		}
		serveCtx, endServe := context.WithCancel(context.Background())
		served := make(chan error, 1)
		go func() { served <- srv.Serve(serveCtx, ln) }()
		defer func() {
			endServe()
			if err := <-served; err != nil {
				fmt.Fprintln(stderr, "intakeload: Firebreak shutdown:", err)
			}
		}()
		fbBase, db = server.URL(ln), srv.DB.SQL
	} else {
		proc, err := startFirebreakProcess(ctx, dir, cfg, dbURL, o.journal, o.verbose, stderr)
		if err != nil {
			return err
		}
		defer proc.stop()
		fbBase, fbPID, senderPID = proc.base, proc.cmd.Process.Pid, os.Getpid()
		store, err := openForChecks(ctx, dbURL)
		if err != nil {
			return err
		}
		defer store.Close()
		db = store
	}

	am, err := startAlertmanager(ctx, o.alertmanager, dir)
	if err != nil {
		return err
	}
	defer am.stop()
	for what, u := range map[string]string{"Firebreak": fbBase, "Alertmanager": am.base} {
		if err := checkLoopback(what, u); err != nil {
			return err
		}
	}

	rep := report{
		Command: "go run ./bench/intakeload " + strings.Join(os.Args[1:], " "), Database: dialect,
		AlertmanagerVersion: am.version, Concurrency: o.concurrency, DurationSeconds: o.duration.Seconds(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
	progress := func(format string, args ...any) {
		if !o.json {
			fmt.Fprintf(stderr, format+"\n", args...)
		}
	}
	progress("Firebreak at %s (%s), Alertmanager %s at %s; %d workers, %s per run",
		fbBase, rep.Database, am.version, am.base, o.concurrency, o.duration)

	runID := randomHex(4)
	startsAt := time.Now().UTC().Truncate(time.Second)
	start, err := totals(ctx, db)
	if err != nil {
		return err
	}
	fbClient, amClient := newClient(o.concurrency), newClient(o.concurrency)
	wantDistinct := 0
	for _, sc := range scenarios {
		if !o.scenarios.MatchString(sc.Name) {
			continue
		}
		limit := maxRequests
		if o.requests > 0 {
			limit = o.requests
		}
		limit = min(limit, maxAlerts/sc.Batch)
		p := newPayloads(sc, runID, startsAt, am.base)
		res := scenarioResult{Scenario: sc.Name, AlertsPerRequest: sc.Batch, Fingerprints: sc.fingerprintsLabel()}

		before, err := totals(ctx, db)
		if err != nil {
			return err
		}
		progress("%s: Firebreak…", sc.Name)
		fbCPU, err := startCPU(fbPID)
		if err != nil {
			return err
		}
		sender, err := startCPU(senderPID)
		if err != nil {
			return err
		}
		res.Firebreak, err = load(ctx, fbClient, target{
			name: "Firebreak POST /hooks/alertmanager", url: fbBase + "/hooks/alertmanager",
			headers: map[string]string{"Authorization": "Bearer " + token, "User-Agent": "Alertmanager/" + am.version},
			body:    p.webhook, accepted: firebreakAccepted,
		}, sc.Batch, o.concurrency, o.duration, limit)
		if err != nil {
			return err
		}
		if res.FirebreakSenderCPUMicros, err = sender.perAlert(res.Firebreak.Alerts); err != nil {
			return err
		}
		res.DistinctSent = sc.distinct(res.Firebreak.Requests)
		var applying float64
		if o.journal {
			// The answers came once the alerts were in the journal; wait
			// for the database to hold them all before checking.
			progress("%s: waiting for the journal to be applied…", sc.Name)
			if applying, err = waitStored(ctx, db, before, res.DistinctSent, res.Firebreak.Alerts, o.drainTimeout); err != nil {
				return err
			}
		}
		after, err := totals(ctx, db)
		if err != nil {
			return err
		}
		// Nothing accepted is lost: each new fingerprint is one more signal,
		// and each accepted alert one more on some signal's count.
		res.DistinctStored = after.signals - before.signals
		wantDistinct += res.DistinctSent
		if res.DistinctStored != res.DistinctSent {
			return fmt.Errorf("%s: Firebreak stored %d new signals for %d distinct fingerprints accepted", sc.Name, res.DistinctStored, res.DistinctSent)
		}
		if got := after.count - before.count; got != res.Firebreak.Alerts {
			return fmt.Errorf("%s: signal counts rose by %d for %d alerts accepted", sc.Name, got, res.Firebreak.Alerts)
		}

		// Routing follows intake in the same process; let it finish so that
		// it does not share the CPU with Alertmanager's run.
		progress("%s: waiting for routing to catch up…", sc.Name)
		res.RoutingDrainSeconds, res.RoutingDrained, err = waitRouted(ctx, db, o.drainTimeout)
		if err != nil {
			return err
		}
		res.RoutingDrainSeconds += applying
		if res.FirebreakCPUMicros, err = fbCPU.perAlert(res.Firebreak.Alerts); err != nil {
			return err
		}
		if !res.RoutingDrained {
			fmt.Fprintf(stderr, "intakeload: warning: %s: routing had not caught up after %s; Alertmanager's figures share the CPU with it\n", sc.Name, o.drainTimeout)
		}

		progress("%s: Alertmanager…", sc.Name)
		amCPU, err := startCPU(am.cmd.Process.Pid)
		if err != nil {
			return err
		}
		if sender, err = startCPU(senderPID); err != nil {
			return err
		}
		res.Alertmanager, err = load(ctx, amClient, target{
			name: "Alertmanager POST /api/v2/alerts", url: am.base + "/api/v2/alerts",
			headers: map[string]string{"User-Agent": "Prometheus/2.45.0"},
			body:    p.postable, accepted: alertmanagerAccepted(sc.Batch),
		}, sc.Batch, o.concurrency, o.duration, limit)
		if err != nil {
			return err
		}
		if res.AlertmanagerCPUMicros, err = amCPU.perAlert(res.Alertmanager.Alerts); err != nil {
			return err
		}
		if res.AlertmanagerSenderCPUMicros, err = sender.perAlert(res.Alertmanager.Alerts); err != nil {
			return err
		}
		// The webhook payloads carry Alertmanager's own fingerprints; check
		// that it agrees on one.
		if fp, err := am.fingerprintOf(p.labels(0)); err != nil || fp != p.fp.of(0) {
			return fmt.Errorf("%s: Alertmanager's fingerprint of alert 0 is %q (%v), the payloads carry %q", sc.Name, fp, err, p.fp.of(0))
		}
		if res.Alertmanager.AlertsPerSec > 0 {
			res.Ratio = res.Firebreak.AlertsPerSec / res.Alertmanager.AlertsPerSec
		}
		rep.Results = append(rep.Results, res)
	}
	end, err := totals(ctx, db)
	if err != nil {
		return err
	}
	if got := end.signals - start.signals; got != wantDistinct {
		return fmt.Errorf("firebreak holds %d new signals at the end, want %d (one per distinct fingerprint sent)", got, wantDistinct)
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printTable(stdout, rep)
	return nil
}

type signalTotals struct{ signals, count int }

// totals counts Alertmanager signals and their repeats.
func totals(ctx context.Context, db *sql.DB) (signalTotals, error) {
	var t signalTotals
	err := db.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(count), 0) FROM signals WHERE source = 'alertmanager'").Scan(&t.signals, &t.count)
	if err != nil {
		return t, fmt.Errorf("count signals: %w", err)
	}
	return t, nil
}

// waitStored waits until the database holds signals more new signals and
// count more alerts than before, or the timeout; it returns how long it took.
func waitStored(ctx context.Context, db *sql.DB, before signalTotals, signals, count int, timeout time.Duration) (float64, error) {
	start := time.Now()
	for {
		now, err := totals(ctx, db)
		if err != nil {
			return 0, err
		}
		if now.signals-before.signals >= signals && now.count-before.count >= count || time.Since(start) > timeout {
			return time.Since(start).Seconds(), nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitRouted waits until routing has seen every signal, or the timeout.
func waitRouted(ctx context.Context, db *sql.DB, timeout time.Duration) (seconds float64, drained bool, err error) {
	start := time.Now()
	for {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM signals WHERE routed = 0").Scan(&n); err != nil {
			return 0, false, fmt.Errorf("count unrouted signals: %w", err)
		}
		if n == 0 {
			return time.Since(start).Seconds(), true, nil
		}
		if time.Since(start) > timeout {
			return time.Since(start).Seconds(), false, nil
		}
		select {
		case <-ctx.Done():
			return 0, false, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func printTable(w io.Writer, rep report) {
	fmt.Fprintf(w, "%s\nFirebreak on %s vs Alertmanager %s; %d workers, %gs per run, GOMAXPROCS %d\n\n",
		rep.Command, rep.Database, rep.AlertmanagerVersion, rep.Concurrency, rep.DurationSeconds, rep.GOMAXPROCS)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\talerts/req\tFB alerts/s\tFB p50 ms\tFB p99 ms\tAM alerts/s\tAM p50 ms\tAM p99 ms\tFB/AM\tFB CPU µs/alert\tAM CPU µs/alert\tsender CPU FB/AM\tstored/sent\trouting drain s\t")
	for _, r := range rep.Results {
		drain := fmt.Sprintf("%.1f", r.RoutingDrainSeconds)
		if !r.RoutingDrained {
			drain = ">" + drain
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.2f\t%.2f\t%.0f\t%.2f\t%.2f\t%.2f\t%.0f\t%.0f\t%.0f/%.0f\t%d/%d\t%s\t\n", r.Scenario, r.AlertsPerRequest,
			r.Firebreak.AlertsPerSec, r.Firebreak.P50Ms, r.Firebreak.P99Ms,
			r.Alertmanager.AlertsPerSec, r.Alertmanager.P50Ms, r.Alertmanager.P99Ms,
			r.Ratio, r.FirebreakCPUMicros, r.AlertmanagerCPUMicros,
			r.FirebreakSenderCPUMicros, r.AlertmanagerSenderCPUMicros, r.DistinctStored, r.DistinctSent, drain)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nFB: Firebreak's POST /hooks/alertmanager, answered once the signals are committed.\n"+
		"AM: Alertmanager's POST /api/v2/alerts, answered once the alerts are in its memory.\n"+
		"stored/sent: new signals in Firebreak's database / distinct fingerprints it accepted.\n"+
		"CPU µs/alert: the process's CPU per alert accepted; Firebreak's until its signals were stored and routed.\n"+
		"sender CPU: this load generator's CPU per alert sent to each (it shares the cores with both).\n"+
		"routing drain: how long after the Firebreak run until every signal was stored (with -journal) and routed.")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
