// Package server assembles a running Firebreak from its parts: the database,
// the core services, the job queue and the HTTP surface. The CLI's serve
// command and the integration tests both start Firebreak through it.
package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/change"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/insight"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/intake/email"
	"github.com/firebreak-oss/firebreak/internal/intake/form"
	"github.com/firebreak-oss/firebreak/internal/intake/journal"
	"github.com/firebreak-oss/firebreak/internal/intake/slack"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/livewake"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
	"github.com/firebreak-oss/firebreak/internal/notify"
	mailer "github.com/firebreak-oss/firebreak/internal/notify/email"
	"github.com/firebreak-oss/firebreak/internal/notify/lineworks"
	"github.com/firebreak-oss/firebreak/internal/notify/mattermost"
	slacknotify "github.com/firebreak-oss/firebreak/internal/notify/slack"
	teamsnotify "github.com/firebreak-oss/firebreak/internal/notify/teams"
	"github.com/firebreak-oss/firebreak/internal/notify/webhook"
	"github.com/firebreak-oss/firebreak/internal/playbook"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/propagate"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/sso"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/teamtarget"
	"github.com/firebreak-oss/firebreak/internal/warroom"
	"github.com/firebreak-oss/firebreak/internal/web"
	"github.com/firebreak-oss/firebreak/internal/web/api"
	"github.com/firebreak-oss/firebreak/internal/web/hooks"
	"github.com/firebreak-oss/firebreak/internal/web/ofrep"
	"github.com/firebreak-oss/firebreak/internal/web/status"
	"github.com/firebreak-oss/firebreak/internal/web/ui"
)

// Options configure a server. Zero values take the defaults.
type Options struct {
	// DatabaseURL is postgres://… or sqlite:PATH; empty means an SQLite
	// file in DataDir.
	DatabaseURL string
	DataDir     string
	Catalog     *catalog.Catalog
	Intake      *intake.Config // the intake: section of the config file
	Auth        *sso.Config    // the auth: section: single sign-on and sign-in limits
	Notify      *notify.Config // the notify: section: how to reach each channel
	Policy      *policy.Policy // the policy: section: who is told of what
	Logger      *slog.Logger
	Now         func() time.Time
	Jobs        jobs.Config
	// LivePoll is how often live web views look for news (default 1s).
	LivePoll time.Duration
	// WarmConnections is how many PostgreSQL connections Serve opens at
	// start and keeps, so the first declaration's deliveries do not wait
	// for new ones (serve: store.WarmConnections; 0: none, as in tests).
	WarmConnections int
	// SMTPAddr is where the alarm e-mail intake listens; empty: off.
	SMTPAddr string
	// IntakeJournal is a directory for the intake journal: webhooks answer
	// once their alerts are fsync'd there, and one applier moves them into
	// the database in large transactions. Empty: webhooks commit to the
	// database before answering.
	IntakeJournal string
	// TrustProxyHeaders makes the public report form take the client address
	// from X-Forwarded-For, for a server behind one reverse proxy.
	TrustProxyHeaders bool
	Report            *report.Config // the report: section of the config file
	// BaseURL is the address people reach this server at, for links in e-mails.
	BaseURL string
	// Review is the review: section of the config file.
	Review *review.Config
	// Trackers replaces the issue trackers the review section configures.
	Trackers map[review.Tracker]review.IssueTracker
	// ReviewSweepEvery is how often reminders, escalations and recurrence
	// are looked for (default one minute).
	ReviewSweepEvery time.Duration
	// Playbooks is the playbooks: section; RollbackBlocker says when a
	// service's newest deploy is not rollbackable (nil: the change
	// registry decides); DemoPeer
	// mounts the demo peer the demo's playbooks call.
	Playbooks       *playbook.Config
	RollbackBlocker playbook.RollbackBlocker
	DemoPeer        bool
	// Changes is the changes: section of the config file.
	Changes *change.Config
	// DemoOutbox, for `serve --demo` only, delivers every message of every
	// channel to the demo outbox and shows it at /demo/outbox.
	DemoOutbox bool
	// Flags are the switches the flags: section defines.
	Flags []flag.Switch
	// MetricsToken is the bearer token a scrape of /metrics from off this
	// host must carry; empty: loopback scrapes only.
	MetricsToken string
	// Insights is the insights: section: the review deadline and the
	// monthly digest (nil: defaults, no digest).
	Insights *insight.Config
	// Maintenance are the windows the maintenance: section defines.
	Maintenance []maintenance.WindowInput
	// WarRoom is the war_room: section: which incidents get a chat
	// channel of their own (nil: none).
	WarRoom *warroom.Config
}

// DefaultDataDir is where the embedded database lives unless told otherwise.
const DefaultDataDir = "firebreak-data"

// DatabaseURLOrDefault is the database the options name: DatabaseURL, or
// the SQLite file in DataDir.
func (o Options) DatabaseURLOrDefault() string { return o.databaseURL() }

func (o Options) databaseURL() string {
	if o.DatabaseURL != "" {
		return o.DatabaseURL
	}
	dir := o.DataDir
	if dir == "" {
		dir = DefaultDataDir
	}
	return "sqlite:" + filepath.Join(dir, "firebreak.db")
}

// Server is an assembled Firebreak.
type Server struct {
	DB        *store.DB
	Users     *auth.Service
	Passwords *auth.Passwords
	Incidents *incident.Service
	Catalog   *catalog.Catalog
	Intake    *intake.Intake
	// Journaled is the journal webhooks accept into, when one is set.
	Journaled *intake.Journaled
	journal   *journal.Journal
	Router    *intake.Router
	Inbox     *intake.Inbox
	Reports   *report.Service
	Library   *report.Library
	Jobs      *jobs.Client
	// jobRunner works Jobs, pausing it while the queue is idle.
	jobRunner *jobs.Runner
	Outbox    *notify.Outbox // stores and delivers every outbound message
	Propagate *propagate.Propagator
	Review    *review.Service
	Reviews   *store.Reviews
	Syncer    *review.Syncer
	Handler   http.Handler
	log       *slog.Logger
	routeKick chan struct{}
	smtpAddr  string
	warmConns int

	// TeamTargets are the places teams added to be told, on top of the catalog's.
	TeamTargets *teamtarget.Service
	// Playbooks runs the action steps of services' playbooks.
	Playbooks *playbook.Service
	// Changes is the change registry.
	Changes *change.Service

	// Flags changes kill switches; FlagsServed is what OFREP answers from.
	Flags       *flag.Service
	FlagsServed *flag.Served
	flagWatcher *flag.Watcher
	// Insights measures incidents, action items and reviews.
	Insights      *insight.Service
	insightConfig *insight.Config
	liveWake      *livewake.Hub // woken by the timeline listener (live.go)
	// Maintenance plans windows and silences; routing consults the cache.
	Maintenance      *maintenance.Service
	maintenanceCache *maintenance.Cache
	// WarRooms keeps incidents' chat channels; nil when not configured.
	WarRooms *warroom.Rooms
}

// directory checks names against the catalog and the users table.
type directory struct {
	catalog *catalog.Catalog
	users   *store.Users
}

func (d directory) ServiceExists(name string) bool {
	_, ok := d.catalog.Service(name)
	return ok
}

func (d directory) UserExists(ctx context.Context, name string) (bool, error) {
	return d.users.UserExists(ctx, name)
}

// TeamOf names the team that owns a service, for team-scoped permissions.
func (d directory) TeamOf(service string) string {
	svc, _ := d.catalog.Service(service)
	return svc.Team
}

// LeadOf names a team's lead, who always sees its restricted incidents.
func (d directory) LeadOf(team string) string {
	t, _ := d.catalog.Team(team)
	return t.Lead
}

// OpenDB opens and migrates the database the options name.
func OpenDB(ctx context.Context, o Options) (*store.DB, error) {
	db, err := store.Open(ctx, o.databaseURL())
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := jobs.Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Open connects to the database, migrates it and builds every part.
func Open(ctx context.Context, o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	// Only a config file's grants are audited: admin commands that open the
	// database without one must not log "the catalog became empty".
	configGiven := o.Catalog != nil
	if o.Catalog == nil {
		o.Catalog = catalog.Empty()
	}
	if o.Intake == nil {
		o.Intake = intake.DefaultConfig()
	}
	if o.Report == nil {
		o.Report = report.DefaultConfig()
	}
	if o.Policy == nil {
		o.Policy = policy.DefaultPolicy()
	}
	if o.Auth == nil {
		o.Auth = sso.DefaultConfig()
	}
	db, err := OpenDB(ctx, o)
	if err != nil {
		return nil, err
	}
	s := &Server{DB: db, Catalog: o.Catalog, log: o.Logger, smtpAddr: o.SMTPAddr, warmConns: o.WarmConnections}
	users := db.Users()
	s.Users = auth.NewService(users, o.Now)
	s.Users.TeamExists = func(name string) bool { _, ok := o.Catalog.Team(name); return ok }
	s.Incidents = incident.NewService(db.Incidents(), directory{o.Catalog, users}, o.Now)
	s.Incidents.AuditTo(s.Users)
	if configGiven {
		if err := recordGrants(ctx, s.Users, o); err != nil {
			db.Close()
			return nil, err
		}
	}
	signals := db.Signals()
	s.routeKick = make(chan struct{}, 1)
	s.Intake = intake.New(signals, o.Now, s.routeSoon)
	s.Router = &intake.Router{Store: signals, Incidents: s.Incidents, Config: o.Intake, Now: o.Now}
	var webhookIntake hooks.Acceptor = s.Intake
	if o.IntakeJournal != "" {
		var applied int64
		id, err := journal.ID(o.IntakeJournal)
		if err == nil {
			applied, err = signals.JournalApplied(ctx, id)
		}
		if err == nil {
			s.journal, err = journal.Open(o.IntakeJournal, applied)
		}
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("intake journal: %w", err)
		}
		s.Journaled = intake.NewJournaled(s.Intake, s.journal, signals, applied, s.Router, o.Logger.With("component", "intake-journal"))
		webhookIntake = s.Journaled
	}
	s.Inbox = &intake.Inbox{Store: signals, Incidents: s.Incidents, Now: o.Now}
	s.TeamTargets = &teamtarget.Service{Store: db.TeamTargets(), Now: o.Now,
		TeamExists: func(name string) bool { _, ok := o.Catalog.Team(name); return ok },
		NamedTarget: func(ch policy.Channel, name string) bool {
			return o.Notify != nil && o.Notify.HasTarget(notify.Channel(ch), name)
		}}
	if err := s.openMaintenance(ctx, o); err != nil {
		db.Close()
		return nil, fmt.Errorf("maintenance: %w", err)
	}
	if err := s.openFlags(ctx, o); err != nil {
		db.Close()
		return nil, fmt.Errorf("flags: %w", err)
	}
	if s.Outbox, err = newOutbox(db, o, s.TeamTargets); err != nil {
		db.Close()
		return nil, err
	}
	s.Propagate = &propagate.Propagator{Policy: o.Policy, Catalog: o.Catalog, Incidents: db.Incidents(), Outbox: s.Outbox, DB: db.SQL,
		TeamTargets: s.TeamTargets, People: users, Timeline: db.Incidents(), Now: o.Now}
	db.OnEvents = s.withMaintenanceNote(s.Propagate.AfterEvents)
	s.Reports = &report.Service{Store: db.Reports(reportMail(s.Outbox)), Incidents: s.Incidents, Users: users, Config: o.Report,
		Policy: o.Policy, Catalog: o.Catalog, BaseURL: o.BaseURL, Now: o.Now}
	s.Library = &report.Library{Index: db.Search(), Incidents: s.Incidents}
	jc := o.Jobs
	if _, ok := s.Outbox.Notifiers[notify.Email]; ok && jc.Reminders == nil {
		// Missed status updates are told by e-mail when mail is set up.
		link := o.BaseURL // the --base-url flag, or the policy's base_url
		if link == "" {
			link = o.Policy.BaseURL
		}
		jc.Reminders = jobs.OutboxReminders{Outbox: s.Outbox, BaseURL: link}
	}
	if jc.UpdateEvery == nil {
		jc.UpdateEvery = o.Policy.UpdateEvery // each grade's update_every
	}
	if err := s.openReview(o, &jc); err != nil {
		db.Close()
		return nil, err
	}
	s.openChanges(o)
	s.openInsights(o, &jc)
	s.openPlaybooks(o, &jc)
	rooms := s.openWarRooms(o, &jc)
	s.WarRooms = rooms
	register := jc.Register
	jc.Register = func(w *river.Workers) {
		river.AddWorker(w, &jobs.RouteSignalsWorker{Router: s.Router})
		river.AddWorker(w, s.Outbox.Worker())
		river.AddWorker(w, s.Propagate.Worker())
		river.AddWorker(w, s.Outbox.RescueWorker())
		river.AddWorker(w, &jobs.ReportRemindWorker{Remind: s.Reports.Remind})
		river.AddWorker(w, &jobs.SearchBackfillWorker{Index: db.Search()})
		river.AddWorker(w, s.flagLeftWorker(o))
		if register != nil {
			register(w)
		}
	}
	// Routing follows each accepted batch at once (routeSoon); the periodic
	// run picks up whatever a crash or a race left behind. Every run is a
	// few writes, so it is not frequent: an idle server should cost nothing.
	jc.Periodic = append(jc.Periodic, jobs.NewPeriodic(routeCatchUpEvery,
		func() (river.JobArgs, *river.InsertOpts) { return jobs.RouteSignalsArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}).
		When(unrouted(signals)))
	if jc.Queues == nil {
		jc.Queues = map[string]river.QueueConfig{}
	}
	jc.Queues[notify.QueueName] = notify.QueueConfig
	jc.Periodic = append(jc.Periodic, jobs.NewPeriodic(notify.RescueEvery,
		func() (river.JobArgs, *river.InsertOpts) { return notify.RescueArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}).
		When(jobs.RunningIn(db, notify.QueueName)))
	jc.Periodic = append(jc.Periodic,
		jobs.NewPeriodic(15*time.Minute,
			func() (river.JobArgs, *river.InsertOpts) { return jobs.ReportRemindArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
		jobs.NewPeriodic(time.Minute,
			func() (river.JobArgs, *river.InsertOpts) { return jobs.SearchBackfillArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}).
			When(unindexed(db)),
		flagLeftPeriodic())
	if jc.Logger == nil {
		// River reports every start and stop at info; keep the log for what matters.
		jc.Logger = o.Logger.With("component", "jobs")
	}
	if s.jobRunner, err = jobs.Open(db, o.Now, jc); err != nil {
		db.Close()
		return nil, err
	}
	s.Jobs = s.jobRunner.Client
	s.Outbox.Queue, s.Propagate.Queue = s.Jobs, s.Jobs
	s.Playbooks.Queue = s.Jobs
	if rooms != nil {
		rooms.Queue = s.Jobs
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(web.Gauges{Incidents: s.incidentCounts, Jobs: func(ctx context.Context) (map[string]int, error) {
		return jobs.Counts(ctx, db)
	}, Log: o.Logger})
	s.Passwords = auth.NewPasswords(users, o.Now)
	var signOn ui.SSO
	if o.Auth.OIDC != nil {
		signOn = sso.NewClient(o.Auth.OIDC, db.SSOLogins(), o.Now)
	}
	webUI := &ui.UI{Incidents: s.Incidents, Passwords: s.Passwords, Users: users, Catalog: o.Catalog, Inbox: s.Inbox,
		Log: o.Logger, Now: o.Now, LivePoll: o.LivePoll, Cadence: db.Incidents(), UpdateEvery: jc.UpdateEvery,
		Propagate: s.Propagate, Messages: db.Outbox(), Reports: s.Reports, Library: s.Library, Review: s.Review,
		Accounts: s.Users, SSO: signOn, Logins: loginLimits(db, o),
		TrustProxyHeaders: o.TrustProxyHeaders, TeamTargets: s.TeamTargets, Playbooks: s.Playbooks, Changes: s.Changes,
		Flags: s.Flags, Switches: s.IncidentSwitches(), Insights: s.Insights, Maintenance: s.Maintenance}
	if o.DemoOutbox {
		webUI.DemoOutbox = db.Outbox()
	}
	s.liveWake = &livewake.Hub{}
	webUI.LiveWake = s.liveWake
	health := &writeHealth{db: db}
	webUI.StoreHealth = health.last
	webUI.WarRooms = db.WarRooms()
	s.Handler = web.Handler(web.Deps{
		API: &api.API{Incidents: s.Incidents, Auth: s.Users, Users: s.Users, Catalog: o.Catalog, Inbox: s.Inbox, Signals: signals, Log: o.Logger,
			Propagate: s.Propagate, Messages: db.Outbox(), Reports: s.Reports, Library: s.Library, Review: s.Review,
			TeamTargets: s.TeamTargets, Playbooks: s.Playbooks, Changes: s.Changes, Flags: s.Flags, Switches: s.IncidentSwitches(),
			Insights: s.Insights, Maintenance: s.Maintenance},
		TrackerHooks: &hooks.TrackerHooks{Review: s.Review, Log: o.Logger},
		ChangeHooks:  &hooks.ChangeHooks{Changes: s.Changes, Config: s.Changes.Config, Log: o.Logger, Now: o.Now},
		Hooks:        &hooks.Hooks{Intake: webhookIntake, Config: o.Intake, Log: o.Logger, Now: o.Now, Tokens: s.Users},
		Slack: slack.NewHandler(o.Intake.Slack.SigningSecret, s.Intake, o.Now, o.Logger,
			slack.WithIncidents(users, s.Incidents), slack.WithFlags(s.IncidentSwitches()), slack.WithNotes(s.Incidents, rooms)),
		Chat: s.chatHandler(o, rooms),
		ReportForm: form.NewHandler(form.Config{Services: serviceNames(o.Catalog), RateLimit: o.Intake.Form.RateLimit,
			RateWindow: o.Intake.Form.RateWindow, TrustProxyHeaders: o.TrustProxyHeaders, Shared: formLimits(db)}, s.Intake, o.Now, o.Logger),
		UI:           webUI.Handler(),
		Ready:        health.ready,
		Metrics:      reg,
		MetricsToken: o.MetricsToken,
		Log:          o.Logger,
		OFREP:        &ofrep.Handler{Served: s.FlagsServed, Tokens: &ofrep.TokenCache{Auth: s.Users, Now: o.Now}, Log: o.Logger},
		Status: &status.Handler{Store: db.Incidents(), Services: func() []string { return serviceNames(o.Catalog) },
			SignedIn: webUI.SignedInUser, Now: o.Now, Zone: o.Policy.Zone, Log: o.Logger, Maintenance: s.statusSchedule},
	})
	s.Handler = expectWork(s.jobRunner, s.Handler)
	if o.DemoPeer {
		s.Handler = withDemoPeer(s.Handler)
	}
	return s, nil
}

// expectWork starts a paused job queue as soon as a request that writes
// arrives (a declaration, an alert, a form), so the jobs it inserts find
// the queue's client started rather than wait for it (jobs.Runner.Expect).
func expectWork(r *jobs.Runner, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			r.Expect()
		}
		next.ServeHTTP(w, req)
	})
}

// newOutbox builds the outbox with the channels the notify section sets up.
// Webhooks are signed with the partner's secret from the policy, or the
// secret a team gave its own webhook.
func newOutbox(db *store.DB, o Options, teams *teamtarget.Service) (*notify.Outbox, error) {
	ob := notify.NewOutbox(db.Outbox())
	ob.Now, ob.Log = o.Now, o.Logger.With("component", "notify")
	if o.Notify != nil && o.Notify.Email != nil {
		n, err := mailer.New(*o.Notify.Email)
		if err != nil {
			return nil, err
		}
		ob.Notifiers[notify.Email] = n
	}
	if o.Notify != nil && o.Notify.Slack != nil {
		ob.Notifiers[notify.Slack] = slacknotify.New(*o.Notify.Slack, db.Outbox())
	}
	ob.Notifiers[notify.Webhook] = webhook.New(func(m *notify.Message) string {
		if secret := o.Policy.Secret(m.TargetKey); secret != "" {
			return secret
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		secret, err := teams.Secret(ctx, m.TargetKey)
		if err != nil {
			o.Logger.Warn("look up a team webhook's secret", "target", m.Target, "err", err)
		}
		return secret
	})
	ob.Notifiers[notify.Mattermost] = mattermost.New()
	if o.Notify != nil && o.Notify.Teams != nil {
		ob.Notifiers[notify.Teams] = teamsnotify.New(o.Notify.Teams)
	}
	if o.Notify != nil && o.Notify.LineWorks != nil {
		ob.Notifiers[notify.LineWorks] = lineworks.New(o.Notify.LineWorks, o.Now)
	}
	if o.DemoOutbox {
		ob.UseDemoOutbox()
		if err := useDemoChat(ob, o); err != nil {
			return nil, err
		}
	}
	return ob, nil
}

func (s *Server) incidentCounts(ctx context.Context) (map[[2]string]int, error) {
	rows, err := s.DB.Incidents().CountByStatusAndGrade(ctx)
	if err != nil {
		return nil, err
	}
	out := map[[2]string]int{}
	for _, r := range rows {
		out[[2]string{string(r.Status), r.Grade.String()}] = r.Count
	}
	return out, nil
}

// routeCatchUpEvery is how often signals that no kick routed are looked for.
const routeCatchUpEvery = 30 * time.Second

// shutdownGrace is how long in-flight requests get to finish on shutdown.
const shutdownGrace = 15 * time.Second

// Serve answers HTTP on ln and works the job queue until ctx is cancelled,
// then shuts down gracefully: it stops taking requests, lets those in flight
// finish, stops the workers and closes the database.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	defer s.DB.Close()
	if err := s.jobRunner.Start(ctx); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	go s.DB.Warm(ctx, s.warmConns)
	go s.routeOnKick(ctx)
	go s.flagWatcher.Run(ctx)
	go s.listenTimeline(ctx)
	go s.maintenanceCache.Run(ctx)
	s.listenMattermost(ctx)
	if s.Journaled != nil {
		// The applier outlives the HTTP server, so what the last requests
		// put in the journal is applied before the database closes.
		applyCtx, stopApplying := context.WithCancel(context.WithoutCancel(ctx))
		applied := make(chan struct{})
		go func() { defer close(applied); s.Journaled.Run(applyCtx) }()
		defer func() {
			stopApplying()
			<-applied
			dctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			defer cancel()
			if err := s.Journaled.Drain(dctx); err != nil {
				s.log.Warn("intake journal not fully applied; the next start applies the rest", "err", err)
			}
			s.journal.Close()
		}()
	}
	if s.smtpAddr != "" {
		mail := email.NewServer(s.smtpAddr, s.Intake, s.log.With("component", "smtp"))
		sl, err := net.Listen("tcp", s.smtpAddr)
		if err != nil {
			return fmt.Errorf("alarm e-mail intake: %w", err)
		}
		go func() {
			if err := mail.Serve(sl); err != nil {
				s.log.Error("alarm e-mail intake stopped", "err", err)
			}
		}()
		defer mail.Close()
		s.log.Info("alarm e-mail intake is listening", "addr", sl.Addr().String())
	}
	// Live streams never finish by themselves; their context ends when
	// shutdown begins, so they let go instead of holding shutdown up.
	streams, endStreams := context.WithCancel(context.Background())
	defer endStreams()
	hs := &http.Server{
		Handler: s.Handler, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:    slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext: func(net.Listener) context.Context { return streams },
	}
	hs.RegisterOnShutdown(endStreams)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("firebreak is serving", "addr", "http://"+ln.Addr().String(), "database", string(s.DB.Dialect))
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := hs.Shutdown(sctx)
	if jerr := s.jobRunner.Stop(sctx); jerr != nil {
		err = errors.Join(err, fmt.Errorf("stop job queue: %w", jerr))
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return err
}

// Listen opens the TCP listener for addr; ":0" picks a free port.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// URL returns the base URL of a listener on the loopback interface.
func URL(ln net.Listener) string {
	return "http://127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// routeSoon asks for a routing run without blocking the request that
// accepted signals; kicks that come while one is pending are merged.
func (s *Server) routeSoon() {
	select {
	case s.routeKick <- struct{}{}:
	default:
	}
}

// routeOnKick turns kicks into routing jobs, at most one every 100 ms: a
// storm of requests costs a handful of queue inserts, not one each.
func (s *Server) routeOnKick(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.routeKick:
		}
		err := jobs.QueueRouting(ctx, s.Jobs)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("queue routing run", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func serviceNames(c *catalog.Catalog) []string {
	var out []string
	for _, svc := range c.Services() {
		out = append(out, svc.Name)
	}
	return out
}

// reportMail hands report e-mails (shares, reminders) to the outbox inside
// the report's transaction, one message per recipient, threaded with the
// incident's other messages.
func reportMail(ob *notify.Outbox) store.MailOutbox {
	return func(ctx context.Context, tx *sql.Tx, incidentID int64, mails []report.Mail) error {
		msgs := make([]notify.Message, len(mails))
		for i, m := range mails {
			msgs[i] = notify.Message{Key: m.Key, IncidentID: incidentID, Channel: notify.Email, Target: m.To, To: m.To,
				Lang: m.Lang, Thread: notify.IncidentThread(incidentID), Subject: m.Subject, Text: m.Text, HTML: m.HTML}
		}
		return ob.Store(ctx, tx, msgs...)
	}
}

// recordGrants writes to the audit log what the config file grants, when it
// differs from what the log last recorded: the sign-on group rules, which
// team owns each service (and so whose responders may change its incidents),
// and the communication policy.
func recordGrants(ctx context.Context, users *auth.Service, o Options) error {
	owners := map[string]string{}
	for _, svc := range o.Catalog.Services() {
		owners[svc.Name] = svc.Team
	}
	if err := users.RecordConfig(ctx, "config:service-owners", owners); err != nil {
		return fmt.Errorf("audit the catalog's owners: %w", err)
	}
	if err := users.RecordConfig(ctx, "config:auth", o.Auth.Grants()); err != nil {
		return fmt.Errorf("audit the auth section: %w", err)
	}
	// Who is told of what is policy too: its changes are logged as
	// config.policy, at the first start that uses them.
	if err := users.RecordConfigAs(ctx, "config.policy", "config:policy", o.Policy.Audited()); err != nil {
		return fmt.Errorf("audit the policy section: %w", err)
	}
	return nil
}
