package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/firebreak-oss/firebreak/internal/demo"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// dbFlags are the flags of every command that opens the database itself.
type dbFlags struct {
	dataDir     string
	databaseURL string
}

func (f *dbFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dataDir, "data-dir", envOr("FIREBREAK_DATA_DIR", server.DefaultDataDir),
		"directory of the embedded SQLite database (env FIREBREAK_DATA_DIR)")
	cmd.Flags().StringVar(&f.databaseURL, "database-url", envOr("FIREBREAK_DATABASE_URL", ""),
		"postgres://… to use PostgreSQL instead of SQLite (env FIREBREAK_DATABASE_URL)")
}

func (f *dbFlags) options() server.Options {
	return server.Options{DataDir: f.dataDir, DatabaseURL: f.databaseURL}
}

func newLogger(level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is not one of text, json", format)
}

func newServeCmd() *cobra.Command {
	var db dbFlags
	var addr, configFile, logLevel, logFormat, smtpAddr, baseURL, journalDir, metricsToken string
	var trustProxy bool
	var demoMode bool
	var tune tuningFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run Firebreak: web API, intake and background workers",
		Long: `Run Firebreak. With no flags it keeps its data in an embedded SQLite file
under ./firebreak-data; --database-url postgres://… uses PostgreSQL, and then
any number of replicas may serve side by side. SIGTERM or SIGINT shuts down
gracefully.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := newLogger(logLevel, logFormat)
			if err != nil {
				return err
			}
			tuneGC(os.Getenv)
			opts := db.options()
			opts.Logger = log
			opts.SMTPAddr, opts.TrustProxyHeaders = smtpAddr, trustProxy
			opts.BaseURL, opts.IntakeJournal = baseURL, journalDir
			opts.MetricsToken = metricsToken
			opts.WarmConnections = store.WarmConnections
			switch {
			case configFile != "":
				cfg, err := loadConfig(configFile)
				if err != nil {
					return fmt.Errorf("config:\n%w", err)
				}
				cfg.apply(&opts)
			case demoMode:
				cfg, err := loadDemoConfig()
				if err != nil {
					return fmt.Errorf("demo config:\n%w", err)
				}
				cfg.apply(&opts) // flags included, like every other section
			}
			opts.DemoPeer, opts.DemoOutbox = demoMode, demoMode
			tune.apply(&opts)
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			srv, err := server.Open(ctx, opts)
			if err != nil {
				return err
			}
			ln, err := server.Listen(addr)
			if err != nil {
				srv.DB.Close()
				return err
			}
			if demoMode {
				if configFile == "" {
					// The demo's playbooks call the demo peer at the default
					// address; point them at the one this server listens on.
					opts.Playbooks.Rebase("http://127.0.0.1:8080", server.URL(ln))
				}
				if err := seedDemo(ctx, cmd, srv, ln); err != nil {
					srv.DB.Close()
					return err
				}
			}
			return srv.Serve(ctx, ln)
		},
	}
	db.register(cmd)
	tune.register(cmd)
	cmd.Flags().StringVar(&addr, "addr", envOr("FIREBREAK_ADDR", "127.0.0.1:8080"), "address to listen on (env FIREBREAK_ADDR)")
	cmd.Flags().StringVar(&configFile, "config", envOr("FIREBREAK_CONFIG", ""), "config file with teams and services (env FIREBREAK_CONFIG)")
	cmd.Flags().StringVar(&smtpAddr, "smtp-addr", envOr("FIREBREAK_SMTP_ADDR", ""), "address for the alarm e-mail intake (SMTP), e.g. 127.0.0.1:2525; off when empty (env FIREBREAK_SMTP_ADDR)")
	cmd.Flags().StringVar(&journalDir, "intake-journal", envOr("FIREBREAK_INTAKE_JOURNAL", ""),
		"directory for the intake journal: webhooks answer once alerts are fsync'd there and are stored in the database in large batches; for alert storms (env FIREBREAK_INTAKE_JOURNAL)")
	cmd.Flags().BoolVar(&trustProxy, "trust-proxy-headers", false, "behind one reverse proxy: take client addresses from X-Forwarded-For (the report form's rate limit uses them)")
	cmd.Flags().StringVar(&metricsToken, "metrics-token", envOr("FIREBREAK_METRICS_TOKEN", ""),
		"bearer token a Prometheus off this host needs to scrape /metrics; loopback scrapes need none (env FIREBREAK_METRICS_TOKEN, which keeps it out of ps)")
	cmd.Flags().BoolVar(&demoMode, "demo", false, "load the demo catalog (unless --config is given), seed demo users and incidents, and print an admin token")
	cmd.Flags().StringVar(&baseURL, "base-url", envOr("FIREBREAK_BASE_URL", "http://127.0.0.1:8080"), "the address people open Firebreak at, for links in e-mails (env FIREBREAK_BASE_URL)")
	cmd.Flags().StringVar(&logLevel, "log-level", envOr("FIREBREAK_LOG_LEVEL", "info"), "debug, info, warn or error")
	cmd.Flags().StringVar(&logFormat, "log-format", envOr("FIREBREAK_LOG_FORMAT", "text"), "text or json")
	return cmd
}

func seedDemo(ctx context.Context, cmd *cobra.Command, srv *server.Server, ln net.Listener) error {
	now := time.Now()
	// A year of closed history goes in first, so that the live demo
	// incidents have the newest numbers and head every list.
	seededBefore, err := srv.DB.Users().UserExists(ctx, demo.AdminName)
	if err != nil {
		return err
	}
	first := int64(1)
	if !seededBefore {
		if err := demo.SeedHistory(ctx, srv.DB.Incidents(), srv.DB.Reviews(), srv.Catalog, now); err != nil {
			return fmt.Errorf("seed demo history: %w", err)
		}
		first = demo.HistoryIncidents + 1
	}
	token, seeded, err := demo.Seed(ctx, srv.Users, srv.Passwords, srv.Incidents, srv.Catalog, now)
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	out := cmd.OutOrStdout()
	if seeded {
		if err := demo.SeedChanges(ctx, srv.Changes, srv.Catalog, now); err != nil {
			return fmt.Errorf("seed demo changes: %w", err)
		}
		if err := demo.SeedFlip(ctx, srv.IncidentSwitches(), first); err != nil {
			return fmt.Errorf("seed demo switches: %w", err)
		}
		if err := demo.SeedMaintenance(ctx, srv.Maintenance, srv.Intake, now); err != nil {
			return fmt.Errorf("seed demo maintenance: %w", err)
		}
		fmt.Fprintln(out, "Demo data seeded: users from the demo catalog and a few incidents.")
	}
	fmt.Fprintf(out, "Web: %s/ — sign in as %s with password %s (every demo user has it)\n", server.URL(ln), demo.AdminName, demo.Password)
	fmt.Fprintf(out, "Demo admin token (shown once): %s\n", token)
	fmt.Fprintf(out, "Try: FIREBREAK_TOKEN=%s firebreak incident list\n", token)
	intakeToken, err := demo.IntakeToken(ctx, srv.Users)
	if err != nil {
		return err
	}
	demo.PrintIntake(out, server.URL(ln), intakeToken)
	fmt.Fprintf(out, "Demo outbox (every message the demo would send): %s/demo/outbox\n%s\n", server.URL(ln), strings.Repeat("-", 60))
	return nil
}

func newMigrateCmd() *cobra.Command {
	var db dbFlags
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply database migrations (serve does this too at start)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := server.OpenDB(cmd.Context(), db.options())
			if err != nil {
				return err
			}
			defer d.Close()
			steps, _ := d.Migrations()
			fmt.Fprintf(cmd.OutOrStdout(), "Database (%s) is at schema version %d.\n", d.Dialect, steps[len(steps)-1].Version)
			return nil
		},
	}
	db.register(cmd)
	return cmd
}

func newCheckConfigCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check-config FILE",
		Short: "Validate a config file; every error names file, line and field",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(args[0])
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return fmt.Errorf("%s is not valid", args[0])
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is valid: %s.\n", args[0], cfg.summary())
			return nil
		},
	}
}

// openServer opens the database and core for an admin command.
func openServer(ctx context.Context, db dbFlags) (*server.Server, error) {
	return openServerWith(ctx, db.options())
}

// openServerWith opens the database and core with the given options.
func openServerWith(ctx context.Context, opts server.Options) (*server.Server, error) {
	opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return server.Open(ctx, opts)
}
