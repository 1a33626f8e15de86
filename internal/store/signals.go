package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
)

// Signals keeps intake signals, routing groups and rejected payloads.
type Signals struct {
	db *DB
}

// Signals returns the signal store.
func (db *DB) Signals() *Signals { return &Signals{db: db} }

// maxCachedRows is the largest batch whose statements are kept prepared,
// besides a full chunk. Small batches are the common case in a storm of
// one-alert requests without the journal, full chunks with it (the applier
// stores hundreds at a time); parsing their SQL anew each time was a tenth
// of the commit's CPU.
const maxCachedRows = 16

// stmt returns the statement for q inside tx: kept prepared on the database
// when it is for a small batch or a full chunk, prepared for this once
// otherwise. Call the returned func when done with it.
func (s *Signals) stmt(ctx context.Context, tx *sql.Tx, rows int, q string) (*sql.Stmt, func(), error) {
	if rows > maxCachedRows && rows != chunk {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}
	cache := &s.db.prepared
	st, ok := cache.Load(q)
	if !ok {
		prepared, err := s.db.SQL.PrepareContext(ctx, q)
		if err != nil {
			return nil, nil, err
		}
		var loaded bool
		if st, loaded = cache.LoadOrStore(q, prepared); loaded {
			prepared.Close()
		}
	}
	txStmt := tx.StmtContext(ctx, st.(*sql.Stmt))
	return txStmt, func() { txStmt.Close() }, nil
}

// AcceptSignals stores a batch of signals in one transaction: a new
// (source, fingerprint) is inserted, a known one has its count, last-seen
// time, status and text updated. A signal that already joined an incident
// and changes status leaves an event on that incident's timeline.
//
// The work is set-based, because a storm is what this must survive: one
// lookup for the whole batch, multi-row inserts, one multi-row update. The
// batch is applied in order, so repeats inside it count as repeats.
func (s *Signals) AcceptSignals(ctx context.Context, sigs []*intake.Signal) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error { return s.accept(ctx, tx, sigs, nil) })
}

// AcceptJournaled stores signals read from an intake journal and records,
// in the same transaction, that the journal is applied up to offset. New
// signals that route (when it is not nil) places are stored routed, with
// their join events: a storm's signals are then written once, not
// written, read back and written again by routing.
func (s *Signals) AcceptJournaled(ctx context.Context, sigs []*intake.Signal, journal string, offset int64, route intake.ArrivalRouter) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.accept(ctx, tx, sigs, route); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO intake_journal (journal, applied) VALUES ($1, $2)
			ON CONFLICT (journal) DO UPDATE SET applied = excluded.applied`, journal, offset)
		if err != nil {
			return fmt.Errorf("record the journal offset: %w", err)
		}
		return nil
	})
}

// JournalApplied returns the offset an intake journal is applied up to (0
// before it is first used).
func (s *Signals) JournalApplied(ctx context.Context, journal string) (int64, error) {
	var n int64
	err := s.db.SQL.QueryRowContext(ctx, `SELECT applied FROM intake_journal WHERE journal = $1`, journal).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the journal offset: %w", err)
	}
	return n, nil
}

func (s *Signals) accept(ctx context.Context, tx *sql.Tx, sigs []*intake.Signal, route intake.ArrivalRouter) error {
	rows, order, err := s.lookup(ctx, tx, sigs)
	if err != nil {
		return err
	}
	var events []incident.Event
	var inserts, updates []*signalRow
	for _, key := range order {
		r := rows[key]
		for _, sig := range r.sigs {
			if !r.exists && sig == r.sigs[0] {
				r.status, r.count = sig.Status, 1
			} else {
				if sig.Status == intake.Firing {
					r.count++ // a resolved notice is news, not a repeat
				}
				if r.incidentID.Valid && sig.Status != r.status {
					sig.ID, sig.Count = r.id, r.count
					events = append(events, intake.StatusEvent(sig, r.incidentID.Int64))
				}
				r.status = sig.Status
			}
			sig.Count, r.last = r.count, sig
		}
		if r.exists && r.suppressedBy != "" && r.last.Status == intake.Firing &&
			(!r.suppressedUntil.Valid || !r.last.LastSeen.Before(r.suppressedUntil.Time)) {
			// Quiet no longer: routing sees it afresh, and may open an
			// incident or find it still (or again) suppressed.
			r.unroute = true
		}
		if r.exists {
			updates = append(updates, r)
		} else {
			inserts = append(inserts, r)
		}
	}
	var joined []*intake.Signal
	if route != nil {
		open := s.openGroupIncidents(tx)
		for _, r := range inserts {
			placed, err := route.PlaceOnArrival(ctx, r.last, open)
			if err != nil {
				return fmt.Errorf("route signal: %w", err)
			}
			if placed && r.last.IncidentID != 0 {
				joined = append(joined, r.last)
			}
		}
	}
	if err := s.insertRows(ctx, tx, inserts); err != nil {
		return err
	}
	if err := s.updateRows(ctx, tx, updates); err != nil {
		return err
	}
	for _, r := range rows {
		for _, sig := range r.sigs {
			sig.ID = r.id
		}
	}
	for _, sig := range joined {
		events = append(events, route.JoinedEvent(sig))
	}
	return s.db.Incidents().insertEvents(ctx, tx, events)
}

// openGroupIncidents finds, inside tx, the open incident a routing group
// feeds, remembering each group's answer for the rest of the transaction.
func (s *Signals) openGroupIncidents(tx *sql.Tx) intake.OpenGroupIncident {
	seen := map[string]int64{}
	return func(ctx context.Context, key string) (int64, error) {
		if id, ok := seen[key]; ok {
			return id, nil
		}
		var id int64
		var status incident.Status
		err := tx.QueryRowContext(ctx, `SELECT g.incident_id, i.status FROM signal_groups g
			JOIN incidents i ON i.id = g.incident_id WHERE g.group_key = $1`, key).Scan(&id, &status)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			id = 0
		case err != nil:
			return 0, fmt.Errorf("find the incident of group %s: %w", key, err)
		case !status.Open():
			id = 0 // a resolved incident's group starts afresh
		}
		seen[key] = id
		return id, nil
	}
}

type signalKey struct{ source, fingerprint string }

// signalRow is one (source, fingerprint) of a batch: the stored row, if
// any, and the batch's signals for it in order.
type signalRow struct {
	id         int64
	exists     bool
	status     intake.Status
	incidentID sql.NullInt64
	count      int
	sigs       []*intake.Signal
	last       *intake.Signal // its text and times are what is stored
	// A stored signal a maintenance window or silence kept quiet, and
	// when that ended; unroute is set when it fires again after then.
	suppressedBy    string
	suppressedUntil scanTime
	unroute         bool
}

// chunk bounds the rows of one statement, well inside both databases'
// limits on bound parameters.
const chunk = 200

func (s *Signals) lookup(ctx context.Context, tx *sql.Tx, sigs []*intake.Signal) (map[signalKey]*signalRow, []signalKey, error) {
	rows := map[signalKey]*signalRow{}
	var order []signalKey
	for _, sig := range sigs {
		k := signalKey{sig.Source, sig.Fingerprint}
		r, ok := rows[k]
		if !ok {
			r = &signalRow{}
			rows[k] = r
			order = append(order, k)
		}
		r.sigs = append(r.sigs, sig)
	}
	for i := 0; i < len(order); i += chunk {
		part := order[i:min(i+chunk, len(order))]
		var a args
		tuples := make([]string, len(part))
		for j, k := range part {
			tuples[j] = "(" + a.add(k.source) + ", " + a.add(k.fingerprint) + ")"
		}
		q := "SELECT id, source, fingerprint, status, incident_id, count, suppressed_by, suppressed_until FROM signals WHERE (source, fingerprint) IN (VALUES " + strings.Join(tuples, ", ") + ")"
		st, done, err := s.stmt(ctx, tx, len(part), s.db.rebind(q))
		if err != nil {
			return nil, nil, fmt.Errorf("find signals: %w", err)
		}
		res, err := st.QueryContext(ctx, a...)
		if err != nil {
			done()
			return nil, nil, fmt.Errorf("find signals: %w", err)
		}
		for res.Next() {
			var k signalKey
			var r signalRow
			var until scanTime
			if err := res.Scan(&r.id, &k.source, &k.fingerprint, &r.status, &r.incidentID, &r.count, &r.suppressedBy, &until); err != nil {
				res.Close()
				done()
				return nil, nil, err
			}
			row := rows[k]
			row.id, row.exists, row.status, row.incidentID, row.count = r.id, true, r.status, r.incidentID, r.count
			row.suppressedBy, row.suppressedUntil = r.suppressedBy, until
		}
		res.Close()
		done()
		if err := res.Err(); err != nil {
			return nil, nil, err
		}
	}
	return rows, order, nil
}

func (s *Signals) insertRows(ctx context.Context, tx *sql.Tx, rows []*signalRow) error {
	db := s.db
	for i := 0; i < len(rows); i += chunk {
		part := rows[i:min(i+chunk, len(rows))]
		var a args
		values := make([]string, len(part))
		byKey := map[signalKey]*signalRow{}
		for j, r := range part {
			sig, first := r.last, r.sigs[0]
			byKey[signalKey{sig.Source, sig.Fingerprint}] = r
			routed, incidentID := 0, any(nil)
			if sig.Routed {
				routed = 1
			}
			if sig.IncidentID != 0 {
				incidentID = sig.IncidentID
			}
			values[j] = "(" + strings.Join([]string{a.add(sig.Source), a.add(sig.Fingerprint), a.add(string(r.status)),
				a.add(sig.Title), a.add(sig.Summary), a.add(jsonText{sig.Labels}), a.add(sig.Reporter), a.add(db.t(first.StartsAt)),
				a.add(db.tp(sig.ResolvedAt)), a.add(r.count), a.add(db.t(first.LastSeen)), a.add(db.t(sig.LastSeen)),
				a.add(routed), a.add(sig.Service), a.add(int(sig.Grade)), a.add(sig.GroupKey), db.cast(a.add(incidentID), "bigint"),
				a.add(string(sig.Triage)), a.add(sig.TriageReason), a.add(sig.SuppressedBy),
				db.cast(a.add(db.tp(sig.SuppressedUntil)), "timestamptz")}, ", ") + ")"
		}
		st, done, err := s.stmt(ctx, tx, len(part), db.rebind(`INSERT INTO signals (source, fingerprint, status, title, summary, labels, reporter,
			starts_at, resolved_at, count, first_seen, last_seen, routed, service, grade, group_key, incident_id, triage, triage_reason,
			suppressed_by, suppressed_until)
			VALUES `+strings.Join(values, ", ")+` RETURNING id, source, fingerprint`))
		if err != nil {
			return fmt.Errorf("insert signals: %w", err)
		}
		res, err := st.QueryContext(ctx, a...)
		if err != nil {
			done()
			return fmt.Errorf("insert signals: %w", err)
		}
		for res.Next() {
			var id int64
			var k signalKey
			if err := res.Scan(&id, &k.source, &k.fingerprint); err != nil {
				res.Close()
				done()
				return err
			}
			byKey[k].id = id
		}
		res.Close()
		done()
		if err := res.Err(); err != nil {
			return fmt.Errorf("insert signals: %w", err)
		}
	}
	return nil
}

// updateRows writes the new state of known signals with one statement per
// chunk: UPDATE … FROM (VALUES …), which both databases understand (their
// VALUES columns are both named column1, column2, …).
func (s *Signals) updateRows(ctx context.Context, tx *sql.Tx, rows []*signalRow) error {
	db := s.db
	for i := 0; i < len(rows); i += chunk {
		part := rows[i:min(i+chunk, len(rows))]
		var a args
		values := make([]string, len(part))
		for j, r := range part {
			sig := r.last
			values[j] = "(" + strings.Join([]string{db.cast(a.add(r.id), "bigint"), a.add(string(r.status)), a.add(sig.Title),
				a.add(sig.Summary), a.add(jsonText{sig.Labels}), db.cast(a.add(db.tp(sig.ResolvedAt)), "timestamptz"),
				db.cast(a.add(r.count), "integer"), db.cast(a.add(db.t(sig.LastSeen)), "timestamptz"),
				db.cast(a.add(boolInt(r.unroute)), "integer")}, ", ") + ")"
		}
		// A released suppressed signal (column9 = 1) goes back to routing's
		// backlog with its suppression cleared.
		_, err := tx.ExecContext(ctx, db.rebind(`UPDATE signals SET status = v.column2, title = v.column3, summary = v.column4,
			labels = v.column5, resolved_at = v.column6, count = v.column7, last_seen = v.column8,
			routed = CASE WHEN v.column9 = 1 THEN 0 ELSE signals.routed END,
			suppressed_by = CASE WHEN v.column9 = 1 THEN '' ELSE signals.suppressed_by END,
			suppressed_until = CASE WHEN v.column9 = 1 THEN NULL ELSE signals.suppressed_until END
			FROM (VALUES `+strings.Join(values, ", ")+`) AS v WHERE signals.id = v.column1`), a...)
		if err != nil {
			return fmt.Errorf("update signals: %w", err)
		}
	}
	return nil
}

// maxRejected bounds the rejected-signals log: the newest are kept.
const maxRejected = 1000

// maxRejectedBody bounds one stored body.
const maxRejectedBody = 64 << 10

// RejectSignal keeps a payload that could not be read, for an admin to see.
func (s *Signals) RejectSignal(ctx context.Context, source, reason string, body []byte, at time.Time) error {
	if len(body) > maxRejectedBody {
		body = body[:maxRejectedBody]
	}
	text := string(body)
	if !utf8.ValidString(text) {
		text = fmt.Sprintf("%q", body)
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO rejected_signals (source, reason, body, received_at) VALUES ($1, $2, $3, $4)",
			source, reason, text, s.db.t(at)); err != nil {
			return fmt.Errorf("keep rejected signal: %w", err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM rejected_signals WHERE id <= (SELECT id FROM rejected_signals ORDER BY id DESC LIMIT 1 OFFSET $1)`, maxRejected)
		return err
	})
}

// Rejected is one payload kept in the rejected-signals log.
type Rejected struct {
	ID         int64     `json:"id"`
	Source     string    `json:"source"`
	Reason     string    `json:"reason"`
	Body       string    `json:"body"`
	ReceivedAt time.Time `json:"received_at"`
}

// ListRejected returns up to limit rejected payloads below the id, newest first.
func (s *Signals) ListRejected(ctx context.Context, before int64, limit int) ([]Rejected, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := s.db.SQL.QueryContext(ctx, "SELECT id, source, reason, body, received_at FROM rejected_signals WHERE id < $1 ORDER BY id DESC LIMIT $2", before, limit)
	if err != nil {
		return nil, fmt.Errorf("list rejected signals: %w", err)
	}
	defer rows.Close()
	out := []Rejected{}
	for rows.Next() {
		var r Rejected
		var at scanTime
		if err := rows.Scan(&r.ID, &r.Source, &r.Reason, &r.Body, &at); err != nil {
			return nil, err
		}
		r.ReceivedAt = at.Time
		out = append(out, r)
	}
	return out, rows.Err()
}

const signalColumns = `id, source, fingerprint, status, title, summary, labels, reporter, starts_at, resolved_at, count,
	first_seen, last_seen, routed, service, grade, group_key, incident_id, triage, triage_reason, suppressed_by, suppressed_until`

func scanSignal(row interface{ Scan(...any) error }) (*intake.Signal, error) {
	var sig intake.Signal
	var starts, resolved, first, last, until scanTime
	var incidentID sql.NullInt64
	var routed int
	err := row.Scan(&sig.ID, &sig.Source, &sig.Fingerprint, &sig.Status, &sig.Title, &sig.Summary, scanJSON{&sig.Labels},
		&sig.Reporter, &starts, &resolved, &sig.Count, &first, &last, &routed, &sig.Service, &sig.Grade, &sig.GroupKey,
		&incidentID, &sig.Triage, &sig.TriageReason, &sig.SuppressedBy, &until)
	if err != nil {
		return nil, err
	}
	sig.SuppressedUntil = until.ptr()
	sig.StartsAt, sig.ResolvedAt, sig.FirstSeen, sig.LastSeen = starts.Time, resolved.ptr(), first.Time, last.Time
	sig.Routed, sig.IncidentID = routed == 1, incidentID.Int64
	if sig.Labels == nil {
		sig.Labels = map[string]string{}
	}
	return &sig, nil
}

func (s *Signals) list(ctx context.Context, q string, args ...any) ([]*intake.Signal, error) {
	out, err := queryList(ctx, s.db.SQL, scanSignal, "SELECT "+signalColumns+" FROM signals "+q, args...)
	if err != nil {
		return nil, fmt.Errorf("list signals: %w", err)
	}
	return out, nil
}

// The conditions of routing's backlog and the triage inbox, each served by
// a partial index of just those signals (migration 0029).
const (
	unroutedWhere = "WHERE routed = 0 ORDER BY id LIMIT $1"
	// triage <> '' tells the databases that signals_triage holds the rows:
	// a bound state alone does not say it is not ''.
	triageWhere = "WHERE triage = $1 AND triage <> '' AND id < $2 ORDER BY id DESC LIMIT $3"
)

// UnroutedSignals returns up to limit signals that routing has not seen, oldest first.
func (s *Signals) UnroutedSignals(ctx context.Context, limit int) ([]*intake.Signal, error) {
	return s.list(ctx, unroutedWhere, limit)
}

// SignalsByTriage returns signals in a triage state with an id below before, newest first.
func (s *Signals) SignalsByTriage(ctx context.Context, state intake.Triage, before int64, limit int) ([]*intake.Signal, error) {
	if before <= 0 {
		before = 1 << 62
	}
	return s.list(ctx, triageWhere, string(state), before, limit)
}

// SignalsOfIncident returns up to limit signals that joined an incident, newest first.
func (s *Signals) SignalsOfIncident(ctx context.Context, incidentID int64, limit int) ([]*intake.Signal, error) {
	return s.list(ctx, "WHERE incident_id = $1 ORDER BY id DESC LIMIT $2", incidentID, limit)
}

// GetSignal returns one signal.
func (s *Signals) GetSignal(ctx context.Context, id int64) (*intake.Signal, error) {
	sigs, err := s.list(ctx, "WHERE id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(sigs) == 0 {
		return nil, fail.New(fail.NotFound, "signal %d not found", id)
	}
	return sigs[0], nil
}

// GroupIncident returns the incident a routing group opened, or 0.
func (s *Signals) GroupIncident(ctx context.Context, key string) (int64, error) {
	var id int64
	err := s.db.SQL.QueryRowContext(ctx, "SELECT incident_id FROM signal_groups WHERE group_key = $1", key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// SetGroupIncident records the incident a routing group now feeds.
func (s *Signals) SetGroupIncident(ctx context.Context, key string, incidentID int64) error {
	_, err := s.db.SQL.ExecContext(ctx, `INSERT INTO signal_groups (group_key, incident_id) VALUES ($1, $2)
		ON CONFLICT (group_key) DO UPDATE SET incident_id = excluded.incident_id`, key, incidentID)
	return err
}

// SaveRoutings stores where each signal went (an incident or the triage
// inbox) and appends the join events, in one transaction, with one UPDATE
// per chunk of signals.
func (s *Signals) SaveRoutings(ctx context.Context, routed []intake.Routed) error {
	db := s.db
	return db.inTx(ctx, func(tx *sql.Tx) error {
		// Only signals still unrouted take a decision: a second router that
		// read the same backlog, or a person who merged a signal meanwhile,
		// must not be overwritten, nor get a join event it did not make.
		saved := make(map[int64]bool, len(routed))
		for i := 0; i < len(routed); i += chunk {
			part := routed[i:min(i+chunk, len(routed))]
			var a args
			values := make([]string, len(part))
			for j, r := range part {
				sig := r.Signal
				var incidentID any
				if sig.IncidentID != 0 {
					incidentID = sig.IncidentID
				}
				values[j] = "(" + strings.Join([]string{db.cast(a.add(sig.ID), "bigint"), a.add(sig.Service),
					db.cast(a.add(int(sig.Grade)), "integer"), a.add(sig.GroupKey), db.cast(a.add(incidentID), "bigint"),
					a.add(string(sig.Triage)), a.add(sig.TriageReason), a.add(sig.SuppressedBy),
					db.cast(a.add(db.tp(sig.SuppressedUntil)), "timestamptz")}, ", ") + ")"
			}
			rows, err := tx.QueryContext(ctx, db.rebind(`UPDATE signals SET routed = 1, service = v.column2, grade = v.column3,
				group_key = v.column4, incident_id = v.column5, triage = v.column6, triage_reason = v.column7,
				suppressed_by = v.column8, suppressed_until = v.column9
				FROM (VALUES `+strings.Join(values, ", ")+`) AS v WHERE signals.id = v.column1 AND signals.routed = 0
				RETURNING signals.id`), a...)
			if err != nil {
				return fmt.Errorf("save signal routing: %w", err)
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return fmt.Errorf("save signal routing: %w", err)
				}
				saved[id] = true
			}
			if err := rows.Close(); err != nil {
				return fmt.Errorf("save signal routing: %w", err)
			}
		}
		var events []incident.Event
		for _, r := range routed {
			if r.Event != nil && saved[r.Signal.ID] {
				events = append(events, *r.Event)
			}
		}
		return db.Incidents().insertEvents(ctx, tx, events)
	})
}

// SettleTriage stores a triage outcome if the signal is still pending.
func (s *Signals) SettleTriage(ctx context.Context, sig *intake.Signal, ev *incident.Event) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		var incidentID any
		if sig.IncidentID != 0 {
			incidentID = sig.IncidentID
		}
		res, err := tx.ExecContext(ctx, `UPDATE signals SET triage = $1, triage_reason = $2, incident_id = $3
			WHERE id = $4 AND triage = 'pending'`, string(sig.Triage), sig.TriageReason, incidentID, sig.ID)
		if err != nil {
			return fmt.Errorf("settle triage: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &fail.Error{Code: fail.Conflict, Field: "signal", Message: "signal " + intake.SignalRef(sig.ID) + " was settled by someone else"}
		}
		if ev != nil {
			return s.db.Incidents().appendEvents(ctx, tx, ev.IncidentID, []incident.Event{*ev})
		}
		return nil
	})
}

// SuppressedSignals returns signals a maintenance window or silence kept
// quiet, newest first, with an id below before.
func (s *Signals) SuppressedSignals(ctx context.Context, before int64, limit int) ([]*intake.Signal, error) {
	if before <= 0 {
		before = 1 << 62
	}
	return s.list(ctx, "WHERE suppressed_by <> '' AND id < $1 ORDER BY id DESC LIMIT $2", before, limit)
}
