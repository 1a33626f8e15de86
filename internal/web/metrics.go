package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// observe logs each request and counts it by route pattern (never by raw
// path, which would leak incident ids into label values and grow without
// bound).
func observe(next http.Handler, reg *prometheus.Registry, log *slog.Logger) http.Handler {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "firebreak_http_requests_total", Help: "HTTP requests by method, route pattern and status code.",
	}, []string{"method", "route", "code"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "firebreak_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"method", "route"})
	reg.MustRegister(requests, latency)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		requests.WithLabelValues(r.Method, route, strconv.Itoa(rec.status)).Inc()
		latency.WithLabelValues(r.Method, route).Observe(elapsed.Seconds())
		log.DebugContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", elapsed)
	})
}

// Gauges reads the state-derived metrics at scrape time.
type Gauges struct {
	// Incidents returns counts keyed by status and grade label.
	Incidents func(ctx context.Context) (map[[2]string]int, error)
	// Jobs returns job counts keyed by queue state.
	Jobs func(ctx context.Context) (map[string]int, error)
	Log  *slog.Logger
}

var (
	incidentsDesc = prometheus.NewDesc("firebreak_incidents", "Incidents by status and grade.", []string{"status", "grade"}, nil)
	jobsDesc      = prometheus.NewDesc("firebreak_jobs", "Jobs in the durable queue by state; available, scheduled and retryable make the queue depth, discarded are final failures.", []string{"state"}, nil)
	depthDesc     = prometheus.NewDesc("firebreak_job_queue_depth", "Jobs waiting to run (available, scheduled or retryable).", nil, nil)
	failedDesc    = prometheus.NewDesc("firebreak_jobs_failed", "Jobs that failed finally and were discarded with their errors kept.", nil, nil)
)

// Describe implements prometheus.Collector.
func (g Gauges) Describe(ch chan<- *prometheus.Desc) {
	ch <- incidentsDesc
	ch <- jobsDesc
	ch <- depthDesc
	ch <- failedDesc
}

// Collect implements prometheus.Collector with two small aggregate queries.
func (g Gauges) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if counts, err := g.Incidents(ctx); err != nil {
		g.Log.Warn("metrics: count incidents", "err", err)
	} else {
		for k, n := range counts {
			ch <- prometheus.MustNewConstMetric(incidentsDesc, prometheus.GaugeValue, float64(n), k[0], k[1])
		}
	}
	jobs, err := g.Jobs(ctx)
	if err != nil {
		g.Log.Warn("metrics: count jobs", "err", err)
		return
	}
	for state, n := range jobs {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n), state)
	}
	ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(jobs["available"]+jobs["scheduled"]+jobs["retryable"]))
	ch <- prometheus.MustNewConstMetric(failedDesc, prometheus.GaugeValue, float64(jobs["discarded"]))
}
