// Package web composes Firebreak's HTTP surface: the JSON API, health and
// readiness probes and Prometheus metrics, behind request logging and
// metrics middleware.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/firebreak-oss/firebreak/internal/web/api"
	"github.com/firebreak-oss/firebreak/internal/web/chat"
	"github.com/firebreak-oss/firebreak/internal/web/hooks"
	"github.com/firebreak-oss/firebreak/internal/web/ofrep"
	"github.com/firebreak-oss/firebreak/internal/web/status"
)

// Deps is what the HTTP surface needs.
type Deps struct {
	API   *api.API
	UI    http.Handler // the web site, at /
	Hooks *hooks.Hooks // intake webhooks under /hooks/
	// TrackerHooks are the Jira and GitHub webhooks that bring issue
	// status changes back to action items.
	TrackerHooks *hooks.TrackerHooks
	Slack        http.Handler // the Slack slash command
	// ReportForm is the public report form: no sign-in, rate-limited.
	ReportForm http.Handler
	Ready      func(ctx context.Context) error // nil when the database answers
	Metrics    *prometheus.Registry
	// MetricsToken lets a scrape from off this host read /metrics; without
	// it only loopback scrapes may (see metricsGuard).
	MetricsToken string
	Log          *slog.Logger
	Status       *status.Handler // the status page and its feed, under /status

	// ChangeHooks bring changes from GitHub and deploy tools.
	ChangeHooks *hooks.ChangeHooks
	OFREP       *ofrep.Handler // kill switches over OpenFeature, under /ofrep/v1
	// Chat is the Slack app's Events API and interactivity endpoints.
	Chat *chat.Handler
}

// Handler returns the root handler.
func Handler(d Deps) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(api.Prefix+"/", d.API.Handler())
	mux.Handle("/", d.UI)
	d.Hooks.Register(mux)
	if d.TrackerHooks != nil {
		d.TrackerHooks.Register(mux)
	}
	if d.ChangeHooks != nil {
		d.ChangeHooks.Register(mux)
	}
	mux.Handle("POST /hooks/slack", d.Slack)
	if d.Chat != nil {
		d.Chat.Register(mux)
	}
	mux.Handle("/report", d.ReportForm)
	if d.Status != nil {
		d.Status.Register(mux)
	}
	if d.OFREP != nil {
		d.OFREP.Register(mux)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := d.Ready(ctx); err != nil {
			d.Log.WarnContext(ctx, "not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			var nw interface{ NotWritable() string }
			if errors.As(err, &nw) {
				_, _ = w.Write([]byte(nw.NotWritable() + "\n"))
				return
			}
			_, _ = w.Write([]byte("database unreachable\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", metricsGuard(d.MetricsToken, promhttp.HandlerFor(d.Metrics, promhttp.HandlerOpts{})))
	return observe(baseHeaders(mux), d.Metrics, d.Log)
}

// baseHeaders sets what every answer carries: no content sniffing, no
// framing, HSTS when reached over TLS (directly or through a proxy that says
// so; browsers ignore it over plain HTTP anyway), and for the API, which
// serves no pages, a policy that lets nothing load. The web pages and the
// report form set their own, stricter-for-pages policy on top.
func baseHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		if strings.HasPrefix(r.URL.Path, api.Prefix+"/") || r.URL.Path == "/metrics" {
			h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
			// API answers and metrics are per caller; no cache may keep them.
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}
