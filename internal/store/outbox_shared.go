package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/firebreak-oss/firebreak/internal/batch"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/notify"
)

// ClaimSlot is TakeSlot in a transaction of the store's choosing: on SQLite
// a round shared with concurrent deliveries (one disk flush for many), on
// PostgreSQL the one upsert on its own, which commits by itself (one round
// trip, and the row lock is held for no longer than the statement).
func (s *Outbox) ClaimSlot(ctx context.Context, destination string, every time.Duration, now time.Time) (time.Duration, error) {
	if s.db.Dialect == Postgres {
		return s.takeSlot(ctx, s.db.SQL, destination, every, now)
	}
	var wait time.Duration
	err := s.group.Do(ctx, func(tx *sql.Tx) (err error) {
		wait, err = s.takeSlot(ctx, tx, destination, every, now)
		return err
	})
	return wait, err
}

// outcome is one delivery's result waiting for its shared write.
type outcome struct {
	id     int64
	status notify.Status
	ref    string
	reason string
	at     time.Time
	ev     *incident.Event
	done   bool // set by the round: the message was still pending
}

// FinishShared is Finish in a transaction shared with concurrent
// deliveries' outcomes. It reports false when the message was no longer
// pending (an earlier try recorded it), and then writes nothing.
//
// On PostgreSQL a round writes all of its outcomes with two statements:
// one UPDATE of the messages still pending, one INSERT of their timeline
// events. Each outcome in a transaction of its own cost four round trips
// on a pooled connection, and every such commit sent a timeline
// notification: PostgreSQL serialises the commits of all transactions that
// notify (they queue for one lock), so 200 deliveries made 200 commits in
// single file (docs/benchmarks.md, "Declare → 200 messages"). SQLite runs
// the outcome in the shared rounds of InSharedTx, where statements cost no
// network.
func (s *Outbox) FinishShared(ctx context.Context, id int64, st notify.Status, ref, reason string, at time.Time, ev *incident.Event) (bool, error) {
	if s.db.Dialect != Postgres {
		var done bool
		err := s.group.Do(ctx, func(tx *sql.Tx) (err error) {
			done, err = s.Finish(ctx, tx, id, st, ref, reason, at, ev)
			return err
		})
		return done, err
	}
	o := &outcome{id: id, status: st, ref: ref, reason: reason, at: at, ev: ev}
	if err := s.outcomes.Do(ctx, o); err != nil {
		return false, err
	}
	return o.done, nil
}

// newOutcomeGroup writes PostgreSQL outcomes in shared rounds, each one
// statement that commits by itself. If a round fails, each outcome is
// written again in a transaction of its own, so one bad outcome cannot fail
// the others.
func newOutcomeGroup(s *Outbox) *batch.Group[*outcome] {
	return &batch.Group[*outcome]{Max: 256, Run: func(ctx context.Context, outs []*outcome) []error {
		err := s.finishAll(ctx, outs)
		if err == nil || len(outs) == 1 {
			return batch.Same(len(outs), err)
		}
		errs := make([]error, len(outs))
		for i, o := range outs {
			o.done = false
			errs[i] = s.db.inTx(ctx, func(tx *sql.Tx) (err error) {
				o.done, err = s.Finish(ctx, tx, o.id, o.status, o.ref, o.reason, o.at, o.ev)
				return err
			})
		}
		return errs
	}}
}

// finishAllSQL marks the still pending messages of a round sent or failed
// and appends the timeline events of those it marked, in the round's order,
// in one statement: one round trip, and a statement is a transaction of its
// own. Its text does not depend on the round's size, so each connection
// prepares it once.
const finishAllSQL = `WITH v AS (
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
			WITH ORDINALITY AS v (id, status, ref, reason, at, ord)
	), done AS (
		UPDATE outbound_messages AS m SET
			status = v.status,
			external_id = v.ref,
			attempts = m.attempts + 1,
			last_error = CASE WHEN v.reason = '' THEN m.last_error ELSE v.reason END,
			sent_at = CASE WHEN v.status = 'failed' THEN m.sent_at ELSE v.at END,
			failed_at = CASE WHEN v.status = 'failed' THEN v.at ELSE m.failed_at END
		FROM v
		WHERE m.id = v.id AND m.status = 'pending'
		RETURNING m.id
	), events AS (
		INSERT INTO timeline_events (incident_id, at, actor, kind, data)
		SELECT e.incident_id, e.at, e.actor, e.kind, e.data
		FROM unnest($6::bigint[], $7::bigint[], $8::timestamptz[], $9::text[], $10::text[], $11::text[])
			WITH ORDINALITY AS e (message_id, incident_id, at, actor, kind, data, ord)
		JOIN done ON done.id = e.message_id
		ORDER BY e.ord
	)
	SELECT id FROM done`

// finishAll writes a round of outcomes (PostgreSQL only) and sets each
// one's done.
func (s *Outbox) finishAll(ctx context.Context, outs []*outcome) error {
	byID := make(map[int64]*outcome, len(outs))
	var ids []int64
	var statuses, refs, reasons []string
	var ats []time.Time
	var evMessages, evIncidents []int64
	var evAts []time.Time
	var actors, kinds, data []string
	for _, o := range outs {
		o.done = false
		if byID[o.id] != nil {
			// Two outcomes of one message in a round: the first one
			// wins, as it would one after the other.
			continue
		}
		byID[o.id] = o
		ids = append(ids, o.id)
		statuses = append(statuses, string(o.status))
		refs = append(refs, o.ref)
		reasons = append(reasons, o.reason)
		ats = append(ats, o.at.UTC())
		if ev := o.ev; ev != nil {
			d, err := jsonText{ev.Data}.Value()
			if err != nil {
				return fmt.Errorf("append timeline events: %w", err)
			}
			evMessages = append(evMessages, o.id)
			evIncidents = append(evIncidents, ev.IncidentID)
			evAts = append(evAts, ev.At.UTC())
			actors = append(actors, ev.Actor)
			kinds = append(kinds, string(ev.Kind))
			data = append(data, d.(string))
		}
	}
	rows, err := s.db.SQL.QueryContext(ctx, finishAllSQL, ids, statuses, refs, reasons, ats,
		evMessages, evIncidents, evAts, actors, kinds, data)
	if err != nil {
		return fmt.Errorf("finish outbound messages: %w", err)
	}
	defer rows.Close()
	var done []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("finish outbound messages: %w", err)
		}
		done = append(done, id)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("finish outbound messages: %w", err)
	}
	// Only once the statement has committed does an outcome count.
	for _, id := range done {
		byID[id].done = true
	}
	return nil
}
