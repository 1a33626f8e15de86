package server

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/notify"
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
	s.Reviews.SendNotice = s.mailNotice
	s.DB.OnIndexed = func(ctx context.Context, tx *sql.Tx, incidentID int64) error {
		_, err := s.Jobs.InsertTx(ctx, tx, jobs.RecurrenceCheckArgs{IncidentID: incidentID}, nil)
		return err
	}
	every := o.ReviewSweepEvery
	if every == 0 {
		every = reviewSweepEvery
	}
	window := max(10*every, time.Hour)
	register := jc.Register
	jc.Register = func(w *river.Workers) {
		river.AddWorker(w, &jobs.TrackerSyncWorker{Syncer: s.Syncer})
		river.AddWorker(w, &jobs.TrackerPollWorker{Syncer: s.Syncer})
		river.AddWorker(w, &jobs.ReviewSweepWorker{Review: svc, Now: o.Now, Window: window})
		river.AddWorker(w, &jobs.RecurrenceCheckWorker{Review: svc, Now: o.Now})
		if register != nil {
			register(w)
		}
	}
	jc.Periodic = append(jc.Periodic,
		jobs.NewPeriodic(every,
			func() (river.JobArgs, *river.InsertOpts) { return jobs.ReviewSweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}).
			WhenSince(o.Now, (&sweepNeed{review: svc, window: window}).needed))
	if len(trackers) > 0 {
		jc.Periodic = append(jc.Periodic, jobs.NewPeriodic(cfg.PollEvery,
			func() (river.JobArgs, *river.InsertOpts) { return jobs.TrackerPollArgs{}, nil }, nil))
	}
	return nil
}

// mailNotice stores a reminder or escalation as an e-mail in the outbox,
// inside the transaction that records it, when e-mail is configured; the
// timeline event is recorded either way.
func (s *Server) mailNotice(ctx context.Context, tx *sql.Tx, n review.Notice) error {
	if s.Outbox.Notifiers[notify.Email] == nil {
		return nil
	}
	to := n.Fallback
	if u, err := s.DB.Users().UserByName(ctx, n.To); err == nil && u.Email != "" {
		to = u.Email
	} else if err != nil && fail.CodeOf(err) != fail.NotFound {
		return err
	}
	if to == "" {
		return nil // nobody to write to; the timeline has it
	}
	return s.Outbox.Store(ctx, tx, notify.Message{
		Key:     fmt.Sprintf("review:item:%d:%s", n.ItemID, n.Key),
		Channel: notify.Email, To: to, Target: "user " + n.To, Subject: n.Subject, Text: n.Text,
		IncidentID: n.IncidentID, Thread: notify.IncidentThread(n.IncidentID),
	})
}

// reviewStore is the store the review writes through.
var _ review.Store = (*store.Reviews)(nil)
