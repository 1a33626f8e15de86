package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Periodic is a job inserted every period. River schedules periodic jobs
// from its elected leader, which needs a River client running all the
// time; a Runner pauses its client while the queue is idle (idle.go), so
// each replica inserts periodic jobs from a timer of its own instead. The
// periods are aligned to the clock (every minute on the minute) and each
// insert is unique for its period, so however many replicas there are, a
// job runs once per period.
type Periodic struct {
	// Every is the period.
	Every time.Duration
	// Construct makes the job's arguments and options; nil arguments skip
	// the period.
	Construct river.PeriodicJobConstructor
	// RunOnStart inserts the job for the current period when the runner
	// starts (once across replicas, like any other period).
	RunOnStart bool
	// Needed, when set, is asked at the start of each period whether the
	// job has anything to do (one cheap query); when it has not, the
	// period is skipped, and no replica's queue wakes up for it. An error
	// counts as needed.
	Needed func(ctx context.Context) (bool, error)
	// NeededSince, when set, is asked instead whether anything fell due
	// or changed in (since, now] on the clock Now, since being the last
	// look after which a run was sure to begin (zero at first). A look
	// whose insert met a run already under way (which may have read
	// before the change) keeps its window open for the next look.
	NeededSince func(ctx context.Context, since, now time.Time) (bool, error)
	// Now is NeededSince's clock (the server's, which tests may set).
	Now func() time.Time
}

// WhenSince returns p run only in periods where needed says something fell
// due or changed since the last run surely began (see NeededSince).
func (p Periodic) WhenSince(now func() time.Time, needed func(ctx context.Context, since, now time.Time) (bool, error)) Periodic {
	p.NeededSince, p.Now = needed, now
	return p
}

// When returns p run only in periods where needed says it has work.
func (p Periodic) When(needed func(ctx context.Context) (bool, error)) Periodic {
	p.Needed = needed
	return p
}

// NewPeriodic is a periodic job, with River's constructor and options.
func NewPeriodic(every time.Duration, construct river.PeriodicJobConstructor, opts *river.PeriodicJobOpts) Periodic {
	p := Periodic{Every: every, Construct: construct}
	if opts != nil {
		p.RunOnStart = opts.RunOnStart
	}
	return p
}

// riverPeriodic is p as River's own periodic job, for a client that is
// started directly and never paused (New).
func (p Periodic) riverPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(p.Every), p.Construct, &river.PeriodicJobOpts{RunOnStart: p.RunOnStart})
}

// runPeriodic inserts each periodic job at the start of each of its
// periods until ctx ends. The insert announces itself like any other and
// wakes a paused runner.
func runPeriodic(ctx context.Context, client *Client, list []Periodic, log *slog.Logger) {
	if len(list) == 0 {
		return
	}
	now := time.Now()
	next := make([]time.Time, len(list))
	since := make([]time.Time, len(list)) // for NeededSince
	for i, p := range list {
		if p.Every <= 0 {
			continue
		}
		if p.RunOnStart {
			insertPeriodic(ctx, client, p, &since[i], log)
		}
		next[i] = now.Truncate(p.Every).Add(p.Every)
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		var soonest time.Time
		for _, t := range next {
			if !t.IsZero() && (soonest.IsZero() || t.Before(soonest)) {
				soonest = t
			}
		}
		if soonest.IsZero() {
			return
		}
		timer.Reset(time.Until(soonest))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		now := time.Now()
		for i, p := range list {
			if next[i].IsZero() || next[i].After(now) {
				continue
			}
			// The period that has begun; a timer that fired late (a
			// suspended VM) skips the periods it missed, as River does.
			start := now.Truncate(p.Every)
			insertPeriodic(ctx, client, p, &since[i], log)
			next[i] = start.Add(p.Every)
		}
	}
}

// insertPeriodic inserts p's job for the period now begun. River keys a
// job unique by period with the insert time truncated to the period, the
// same in every replica whenever in the period each one's timer fires.
// (An explicit start time would make the job "scheduled", left for the
// leader's scheduler to release.) since is p's NeededSince window start.
func insertPeriodic(ctx context.Context, client *Client, p Periodic, since *time.Time, log *slog.Logger) {
	var lookedAt time.Time
	if p.NeededSince != nil || p.Needed != nil {
		nctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		var needed bool
		var err error
		if p.NeededSince != nil {
			lookedAt = p.Now()
			needed, err = p.NeededSince(nctx, *since, lookedAt)
		} else {
			needed, err = p.Needed(nctx)
		}
		cancel()
		if err == nil && !needed {
			if p.NeededSince != nil {
				*since = lookedAt
			}
			return
		}
	}
	args, opts := p.Construct()
	if args == nil {
		return
	}
	var o river.InsertOpts
	if opts != nil {
		o = *opts
	} else if withOpts, ok := args.(river.JobArgsWithInsertOpts); ok {
		o = withOpts.InsertOpts()
	}
	// Every state, completed included: once per period, not "one waiting".
	// River keys periods of a second or more; a shorter one (tests) keeps
	// the job's own uniqueness.
	if p.Every >= time.Second {
		o.UniqueOpts = river.UniqueOpts{ByArgs: o.UniqueOpts.ByArgs, ByPeriod: p.Every, ByState: []rivertype.JobState{
			rivertype.JobStateAvailable, rivertype.JobStateCompleted, rivertype.JobStatePending,
			rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled,
		}}
	}
	ictx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	res, err := client.Insert(ictx, args, &o)
	if err != nil {
		if ctx.Err() == nil {
			// The next period tries again, as a leader's missed insert would.
			log.Warn("insert periodic job", "kind", args.Kind(), "err", err)
		}
		return
	}
	if p.NeededSince != nil && (!res.UniqueSkippedAsDuplicate || notStarted(res.Job.State)) {
		*since = lookedAt // a run begins after this look
	}
}

// notStarted tells whether a job in state has yet to begin its run.
func notStarted(state rivertype.JobState) bool {
	switch state {
	case rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateScheduled, rivertype.JobStateRetryable:
		return true
	}
	return false
}
