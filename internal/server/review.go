package server

import (
	"context"
	"database/sql"
	"time"

	"github.com/riverqueue/river"

	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/review/tracker"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// reviewSweepEvery is how often reminders, escalations and recurrence are
// looked for, unless Options.ReviewSweepEvery says otherwise.
const reviewSweepEvery = time.Minute

// openReview builds the review core: closing waits for its required
// stages, tracker sync goes through jobs stored with the item's change, and
// the sweep and the tracker poll run as periodic jobs.
func (s *Server) openReview(o Options, jc *jobs.Config) error {
	cfg := o.Review
	if cfg == nil {
		cfg = review.DefaultConfig()
	}
	s.Reviews = s.DB.Reviews()
	svc, err := review.NewService(s.Reviews, s.Incidents, o.Catalog, cfg, s.DB.Users().UserExists, o.Now)
	if err != nil {
		return err
	}
	s.Review = svc
	s.Incidents.SetCloseCheck(svc.MissingForClose)
	trackers := o.Trackers
	if trackers == nil {
		trackers = tracker.FromConfig(cfg)
	}
	s.Syncer = &review.Syncer{Service: svc, Trackers: trackers}
	s.Reviews.EnqueueSync = func(ctx context.Context, tx *sql.Tx, itemID int64, op string) error {
		_, err := s.Jobs.InsertTx(ctx, tx, jobs.TrackerSyncArgs{ItemID: itemID, Op: op}, nil)
		return err
	}
	every := o.ReviewSweepEvery
	if every == 0 {
		every = reviewSweepEvery
	}
	register := jc.Register
	jc.Register = func(w *river.Workers) {
		river.AddWorker(w, &jobs.TrackerSyncWorker{Syncer: s.Syncer})
		river.AddWorker(w, &jobs.TrackerPollWorker{Syncer: s.Syncer})
		river.AddWorker(w, &jobs.ReviewSweepWorker{Review: svc, Now: o.Now, Window: max(10*every, time.Hour)})
		if register != nil {
			register(w)
		}
	}
	jc.Periodic = append(jc.Periodic,
		river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) { return jobs.ReviewSweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}))
	if len(trackers) > 0 {
		jc.Periodic = append(jc.Periodic, river.NewPeriodicJob(river.PeriodicInterval(cfg.PollEvery),
			func() (river.JobArgs, *river.InsertOpts) { return jobs.TrackerPollArgs{}, nil }, nil))
	}
	return nil
}

// reviewStore is the store the review writes through.
var _ review.Store = (*store.Reviews)(nil)
