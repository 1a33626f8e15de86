package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/notify"
)

// RoundOutcome is one outcome of a round written by FinishRound.
type RoundOutcome struct {
	ID     int64
	Status notify.Status
	Ref    string
	Reason string
	At     time.Time
	Event  *incident.Event
}

// FinishRound writes outcomes as one shared round, as concurrent
// FinishShared calls that meet in a round would be, and returns whether
// each one was recorded: tests can then fix a round's make-up, which
// concurrent callers cannot.
func (s *Outbox) FinishRound(ctx context.Context, rs []RoundOutcome) ([]bool, []error) {
	done := make([]bool, len(rs))
	if s.db.Dialect == Postgres {
		outs := make([]*outcome, len(rs))
		for i, r := range rs {
			outs[i] = &outcome{id: r.ID, status: r.Status, ref: r.Ref, reason: r.Reason, at: r.At, ev: r.Event}
		}
		errs := s.outcomes.Run(ctx, outs)
		for i, o := range outs {
			done[i] = o.done
		}
		return done, errs
	}
	fns := make([]func(*sql.Tx) error, len(rs))
	for i, r := range rs {
		fns[i] = func(tx *sql.Tx) (err error) {
			done[i], err = s.Finish(ctx, tx, r.ID, r.Status, r.Ref, r.Reason, r.At, r.Event)
			return err
		}
	}
	return done, s.group.Run(ctx, fns)
}
