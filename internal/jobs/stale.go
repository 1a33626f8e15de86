package jobs

import (
	"context"
	"database/sql"
	"time"

	"github.com/riverqueue/river"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// StaleCheckArgs asks for a check of open incidents that have gone without a
// status update for longer than their grade's cadence allows.
type StaleCheckArgs struct{}

// Kind names the job in the queue.
func (StaleCheckArgs) Kind() string { return "incident.stale_check" }

// InsertOpts keeps at most one pending check: a replica that restarts does not
// pile up duplicates.
func (StaleCheckArgs) InsertOpts() river.InsertOpts { return singleton() }

// OverdueStore is what the stale check needs from the store.
type OverdueStore interface {
	ListIncidents(ctx context.Context, f incident.Filter) ([]*incident.Incident, error)
	UpdateClocks(ctx context.Context, incs []*incident.Incident) (map[int64]incident.Cadence, error)
	AppendEventWith(ctx context.Context, ev *incident.Event, also func(ctx context.Context, tx *sql.Tx) error) error
}

// UserFinder looks up the person to remind.
type UserFinder interface {
	UserByName(ctx context.Context, name string) (auth.User, error)
}

// Reminder is one missed update to tell someone of.
type Reminder struct {
	Incident *incident.Incident
	Event    incident.Event // the update_overdue event, stored
	To       auth.User      // whom to remind; its Email may be empty
	Every    time.Duration
}

// Reminders stores the reminder's message inside tx, the transaction that
// records the missed update, so both are kept or neither.
type Reminders interface {
	Remind(ctx context.Context, tx *sql.Tx, r Reminder) error
}

// StaleCheckWorker records on the timeline every open incident whose last
// status update is older than its grade's cadence, and reminds the person
// in charge of telling: once per interval while the silence lasts.
type StaleCheckWorker struct {
	river.WorkerDefaults[StaleCheckArgs]
	Incidents OverdueStore
	Users     UserFinder
	Reminders Reminders // nil: the timeline entry is the only reminder
	// UpdateEvery is each grade's update cadence (the policy's update_every;
	// nil: incident.Grade.UpdateInterval).
	UpdateEvery func(incident.Grade) time.Duration
	Now         func() time.Time
}

// staleBatch bounds one run; the next run picks up the rest.
const staleBatch = 500

// Work runs one check.
func (w *StaleCheckWorker) Work(ctx context.Context, _ *river.Job[StaleCheckArgs]) error {
	_, err := w.Check(ctx, w.Now())
	return err
}

// Due tells whether some open incident's update is due now: the check's
// reads without its writes. Most minutes nothing is, and the period is
// skipped without waking the queue (Periodic.Needed).
func (w *StaleCheckWorker) Due(ctx context.Context) (bool, error) {
	open, err := w.Incidents.ListIncidents(ctx, incident.Filter{
		Statuses: []incident.Status{incident.Investigating, incident.Identified, incident.Monitoring},
		SeeAll:   true, Limit: staleBatch,
	})
	if err != nil || len(open) == 0 {
		return err != nil, err
	}
	clocks, err := w.Incidents.UpdateClocks(ctx, open)
	if err != nil {
		return true, err
	}
	every := w.UpdateEvery
	if every == nil {
		every = incident.Grade.UpdateInterval
	}
	now := w.Now()
	for _, inc := range open {
		if clocks[inc.ID].Due(every(inc.Grade), now) {
			return true, nil
		}
	}
	return false, nil
}

// Check records and reminds every open incident whose update is due at now,
// and returns how many it reminded.
func (w *StaleCheckWorker) Check(ctx context.Context, now time.Time) (int, error) {
	open, err := w.Incidents.ListIncidents(ctx, incident.Filter{
		Statuses: []incident.Status{incident.Investigating, incident.Identified, incident.Monitoring},
		SeeAll:   true, Limit: staleBatch,
	})
	if err != nil {
		return 0, err
	}
	clocks, err := w.Incidents.UpdateClocks(ctx, open)
	if err != nil {
		return 0, err
	}
	every := w.UpdateEvery
	if every == nil {
		every = incident.Grade.UpdateInterval
	}
	reminded := 0
	for _, inc := range open {
		interval := every(inc.Grade)
		if !clocks[inc.ID].Due(interval, now) {
			continue
		}
		r := Reminder{Incident: inc, Every: interval}
		if name := incident.ReminderRecipient(inc); name != "" {
			if r.To, err = w.Users.UserByName(ctx, name); err != nil {
				r.To = auth.User{Name: name} // gone since: the timeline still says whom
			}
		}
		r.Event = incident.OverdueEvent(inc, clocks[inc.ID], interval, r.To.Name, now)
		switch {
		case w.Reminders == nil:
			r.Event.Data["emailed"], r.Event.Data["why_not"] = false, "no_mail"
		case r.To.Email == "":
			r.Event.Data["emailed"], r.Event.Data["why_not"] = false, "no_address"
		default:
			r.Event.Data["emailed"] = true
		}
		var also func(context.Context, *sql.Tx) error
		if w.Reminders != nil {
			also = func(ctx context.Context, tx *sql.Tx) error { return w.Reminders.Remind(ctx, tx, r) }
		}
		if err := w.Incidents.AppendEventWith(ctx, &r.Event, also); err != nil {
			return reminded, err
		}
		reminded++
	}
	return reminded, nil
}
