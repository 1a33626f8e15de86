package server

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/insight"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/notify"
)

// digestEvery is how often the leader looks for a due monthly digest; the
// digest goes out within this long of its configured hour.
const digestEvery = 15 * time.Minute

// openInsights sets up the insight measures over the organisation's zone,
// and the monthly digest job when the config asks for one.
func (s *Server) openInsights(o Options, jc *jobs.Config) {
	cfg := o.Insights
	if cfg == nil {
		cfg = insight.DefaultConfig()
	}
	s.insightConfig = cfg
	s.Insights = &insight.Service{Store: s.DB.Insights(), Catalog: o.Catalog, Zone: o.Policy.Zone, Now: o.Now,
		ReviewWithin: cfg.ReviewWithin, CacheFor: time.Minute}
	if !cfg.Digest.Enabled {
		return
	}
	register := jc.Register
	jc.Register = func(w *river.Workers) {
		river.AddWorker(w, &jobs.InsightDigestWorker{Send: s.SendDigests})
		if register != nil {
			register(w)
		}
	}
	jc.Periodic = append(jc.Periodic, jobs.NewPeriodic(digestEvery,
		func() (river.JobArgs, *river.InsertOpts) { return jobs.InsightDigestArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}))
}

// SendDigests stores each due team digest in the outbox, keyed by team and
// month, so a digest already stored is not sent again. It returns how many
// were built (stored now or before).
func (s *Server) SendDigests(ctx context.Context) (int, error) {
	if s.Outbox.Notifiers[notify.Email] == nil {
		return 0, nil // no e-mail set up
	}
	emailOf := func(ctx context.Context, name string) (string, error) {
		u, err := s.DB.Users().UserByName(ctx, name)
		if fail.CodeOf(err) == fail.NotFound {
			return "", nil
		}
		return u.Email, err
	}
	ds, err := s.Insights.Digests(ctx, s.insightConfig.Digest, emailOf)
	if err != nil {
		return 0, err
	}
	for _, d := range ds {
		msg := notify.Message{Key: d.Key, Channel: notify.Email, Target: "team " + d.Team + " lead",
			To: strings.Join(d.To, ", "), Lang: d.Lang, Subject: d.Subject, Text: d.Text, HTML: d.HTML}
		err := s.DB.Outbox().InTx(ctx, func(tx *sql.Tx) error { return s.Outbox.Store(ctx, tx, msg) })
		if err != nil {
			return 0, err
		}
	}
	return len(ds), nil
}
