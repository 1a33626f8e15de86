package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
)

// Maintenance implements maintenance.Store.
type Maintenance struct{ db *DB }

// Maintenance returns the store of maintenance windows and silences.
func (db *DB) Maintenance() *Maintenance { return &Maintenance{db: db} }

// maxActive bounds what the intake's cache loads: a thousand live windows
// and silences is far past any real calendar.
const maxActive = 1000

const windowColumns = `id, title, reason, services, matchers, starts_at, ends_at, recurrence, public, source,
	created_by, created_at, ended_at, ended_by`

func scanWindow(row interface{ Scan(...any) error }) (maintenance.Window, error) {
	var w maintenance.Window
	var starts, ends, created, ended scanTime
	var recurrence string
	var public int
	err := row.Scan(
		&w.ID,
		&w.Title,
		&w.Reason,
		scanJSON{&w.Services},
		scanJSON{&w.Matchers},
		&starts,
		&ends,
		&recurrence,
		&public,
		&w.Source,
		&w.CreatedBy,
		&created,
		&ended,
		&w.EndedBy,
	)
	if err != nil {
		return w, err
	}
	w.StartsAt, w.EndsAt, w.CreatedAt, w.EndedAt = starts.Time, ends.Time, created.Time, ended.ptr()
	w.Public = public != 0
	if recurrence != "" {
		w.Recurrence = &maintenance.Recurrence{}
		if err := json.Unmarshal([]byte(recurrence), w.Recurrence); err != nil {
			return w, fmt.Errorf("window %d recurrence: %w", w.ID, err)
		}
	}
	if w.Services == nil {
		w.Services = []string{}
	}
	if w.Matchers == nil {
		w.Matchers = []maintenance.Matcher{}
	}
	return w, nil
}

// optTime stores a zero time as NULL.
func (db *DB) optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return db.t(t)
}

// logChange appends to maintenance_changes, moving the change mark.
func (s *Maintenance) logChange(ctx context.Context, tx *sql.Tx, at time.Time, ref, kind, actor string) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO maintenance_changes (at, ref, kind, actor) VALUES ($1, $2, $3, $4)",
		s.db.t(at), ref, kind, actor)
	if err != nil {
		return err
	}
	return s.notifyChange(ctx, tx)
}

// CreateWindow stores a new window and sets its ID.
func (s *Maintenance) CreateWindow(ctx context.Context, w *maintenance.Window) error {
	recurrence := ""
	if w.Recurrence != nil {
		b, err := json.Marshal(w.Recurrence)
		if err != nil {
			return err
		}
		recurrence = string(b)
	}
	public := 0
	if w.Public {
		public = 1
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO maintenance_windows (
				title,
				reason,
				services,
				matchers,
				starts_at,
				ends_at,
				recurrence,
				public,
				source,
				created_by,
				created_at
			) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			w.Title,
			w.Reason,
			jsonText{w.Services},
			jsonText{w.Matchers},
			s.db.optTime(w.StartsAt),
			s.db.optTime(w.EndsAt),
			recurrence,
			public,
			w.Source,
			w.CreatedBy,
			s.db.t(w.CreatedAt),
		).Scan(&w.ID)
		if err != nil {
			return err
		}
		return s.logChange(ctx, tx, w.CreatedAt, w.Ref(), "create", w.CreatedBy)
	})
	if err != nil {
		return fmt.Errorf("create maintenance window: %w", err)
	}
	return nil
}

// GetWindow returns one window.
func (s *Maintenance) GetWindow(ctx context.Context, id int64) (maintenance.Window, error) {
	w, err := scanWindow(s.db.SQL.QueryRowContext(ctx, "SELECT "+windowColumns+" FROM maintenance_windows WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return w, fail.New(fail.NotFound, "maintenance window MW-%d not found", id)
	}
	return w, err
}

func (s *Maintenance) windows(ctx context.Context, q string, qargs ...any) ([]maintenance.Window, error) {
	out, err := queryList(ctx, s.db.SQL, scanWindow, "SELECT "+windowColumns+" FROM maintenance_windows "+q, qargs...)
	if err != nil {
		return nil, fmt.Errorf("list maintenance windows: %w", err)
	}
	return out, nil
}

// ActiveWindows returns the windows not ended early whose end (if any) is
// after at: recurring ones and one-offs still to come or in progress.
func (s *Maintenance) ActiveWindows(ctx context.Context, at time.Time) ([]maintenance.Window, error) {
	return s.windows(ctx, `WHERE ended_at IS NULL AND (ends_at IS NULL OR ends_at > $1) ORDER BY id LIMIT $2`,
		s.db.t(at), maxActive)
}

// ListWindows returns windows newest first below before; all includes
// ended and past ones, otherwise only those live at at (as ActiveWindows).
func (s *Maintenance) ListWindows(ctx context.Context, all bool, before int64, limit int, at time.Time) ([]maintenance.Window, error) {
	if before <= 0 {
		before = 1 << 62
	}
	if all {
		return s.windows(ctx, "WHERE id < $1 ORDER BY id DESC LIMIT $2", before, limit)
	}
	return s.windows(ctx, "WHERE id < $1 AND ended_at IS NULL AND (ends_at IS NULL OR ends_at > $2) ORDER BY id DESC LIMIT $3",
		before, s.db.t(at), limit)
}

// EndWindow ends a window at at and releases the signals it kept quiet:
// their suppression ends now, so their next firing routes as usual.
func (s *Maintenance) EndWindow(ctx context.Context, id int64, by string, at time.Time) (maintenance.Window, error) {
	var w maintenance.Window
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		w, err = scanWindow(tx.QueryRowContext(ctx, "SELECT "+windowColumns+" FROM maintenance_windows WHERE id = $1"+s.db.forUpdate(), id))
		if errors.Is(err, sql.ErrNoRows) {
			return fail.New(fail.NotFound, "maintenance window MW-%d not found", id)
		}
		if err != nil {
			return err
		}
		if w.EndedAt != nil {
			return &fail.Error{Code: fail.Conflict, Field: "window", Message: fmt.Sprintf("%s was ended already by %s", w.Ref(), w.EndedBy)}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE maintenance_windows SET ended_at = $1, ended_by = $2 WHERE id = $3",
			s.db.t(at), by, id); err != nil {
			return err
		}
		w.EndedAt, w.EndedBy = &at, by
		if err := s.release(ctx, tx, w.Ref(), at); err != nil {
			return err
		}
		return s.logChange(ctx, tx, at, w.Ref(), "end", by)
	})
	if err != nil {
		return w, fmt.Errorf("end maintenance window: %w", err)
	}
	return w, nil
}

// release ends the suppression of the signals ref kept quiet.
func (s *Maintenance) release(ctx context.Context, tx *sql.Tx, ref string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE signals SET suppressed_until = $1
		WHERE suppressed_by = $2 AND suppressed_by <> '' AND (suppressed_until IS NULL OR suppressed_until > $1)`, s.db.t(at), ref)
	if err != nil {
		return fmt.Errorf("release suppressed signals: %w", err)
	}
	return nil
}

// ChangeMark returns the newest change's id.
func (s *Maintenance) ChangeMark(ctx context.Context) (int64, error) {
	var mark int64
	if err := s.db.SQL.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM maintenance_changes").Scan(&mark); err != nil {
		return 0, fmt.Errorf("maintenance change mark: %w", err)
	}
	return mark, nil
}

const silenceColumns = "id, matchers, starts_at, ends_at, comment, signal_id, created_by, created_at, ended_at, ended_by"

func scanSilence(row interface{ Scan(...any) error }) (maintenance.Silence, error) {
	var sil maintenance.Silence
	var starts, ends, created, ended scanTime
	var signal sql.NullInt64
	err := row.Scan(
		&sil.ID,
		scanJSON{&sil.Matchers},
		&starts,
		&ends,
		&sil.Comment,
		&signal,
		&sil.CreatedBy,
		&created,
		&ended,
		&sil.EndedBy,
	)
	sil.StartsAt, sil.EndsAt, sil.CreatedAt, sil.EndedAt = starts.Time, ends.Time, created.Time, ended.ptr()
	sil.SignalID = signal.Int64
	if sil.Matchers == nil {
		sil.Matchers = []maintenance.Matcher{}
	}
	return sil, err
}

// CreateSilence stores a new silence and sets its ID.
func (s *Maintenance) CreateSilence(ctx context.Context, sil *maintenance.Silence) error {
	var signal any
	if sil.SignalID != 0 {
		signal = sil.SignalID
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO silences (
				matchers,
				starts_at,
				ends_at,
				comment,
				signal_id,
				created_by,
				created_at
			) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			jsonText{sil.Matchers},
			s.db.t(sil.StartsAt),
			s.db.t(sil.EndsAt),
			sil.Comment,
			signal,
			sil.CreatedBy,
			s.db.t(sil.CreatedAt),
		).Scan(&sil.ID)
		if err != nil {
			return err
		}
		return s.logChange(ctx, tx, sil.CreatedAt, sil.Ref(), "create", sil.CreatedBy)
	})
	if err != nil {
		return fmt.Errorf("create silence: %w", err)
	}
	return nil
}

// GetSilence returns one silence.
func (s *Maintenance) GetSilence(ctx context.Context, id int64) (maintenance.Silence, error) {
	sil, err := scanSilence(s.db.SQL.QueryRowContext(ctx, "SELECT "+silenceColumns+" FROM silences WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return sil, fail.New(fail.NotFound, "silence SIL-%d not found", id)
	}
	return sil, err
}

func (s *Maintenance) silences(ctx context.Context, q string, qargs ...any) ([]maintenance.Silence, error) {
	out, err := queryList(ctx, s.db.SQL, scanSilence, "SELECT "+silenceColumns+" FROM silences "+q, qargs...)
	if err != nil {
		return nil, fmt.Errorf("list silences: %w", err)
	}
	return out, nil
}

// ActiveSilences returns the silences neither ended nor expired at at.
func (s *Maintenance) ActiveSilences(ctx context.Context, at time.Time) ([]maintenance.Silence, error) {
	return s.silences(ctx, "WHERE ended_at IS NULL AND ends_at > $1 ORDER BY id LIMIT $2", s.db.t(at), maxActive)
}

// ListSilences returns active silences (expired false) or expired and
// ended ones, newest first, below the id before.
func (s *Maintenance) ListSilences(ctx context.Context, expired bool, before int64, limit int, at time.Time) ([]maintenance.Silence, error) {
	if before <= 0 {
		before = 1 << 62
	}
	if expired {
		return s.silences(ctx, "WHERE id < $1 AND (ended_at IS NOT NULL OR ends_at <= $2) ORDER BY id DESC LIMIT $3",
			before, s.db.t(at), limit)
	}
	return s.silences(ctx, "WHERE id < $1 AND ended_at IS NULL AND ends_at > $2 ORDER BY id DESC LIMIT $3",
		before, s.db.t(at), limit)
}

// EndSilence ends a silence at at and releases the signals it kept quiet.
func (s *Maintenance) EndSilence(ctx context.Context, id int64, by string, at time.Time) (maintenance.Silence, error) {
	var sil maintenance.Silence
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		sil, err = scanSilence(tx.QueryRowContext(ctx, "SELECT "+silenceColumns+" FROM silences WHERE id = $1"+s.db.forUpdate(), id))
		if errors.Is(err, sql.ErrNoRows) {
			return fail.New(fail.NotFound, "silence SIL-%d not found", id)
		}
		if err != nil {
			return err
		}
		if sil.EndedAt != nil || !sil.EndsAt.After(at) {
			return &fail.Error{Code: fail.Conflict, Field: "silence", Message: sil.Ref() + " has ended already"}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE silences SET ended_at = $1, ended_by = $2 WHERE id = $3", s.db.t(at), by, id); err != nil {
			return err
		}
		sil.EndedAt, sil.EndedBy = &at, by
		if err := s.release(ctx, tx, sil.Ref(), at); err != nil {
			return err
		}
		return s.logChange(ctx, tx, at, sil.Ref(), "end", by)
	})
	if err != nil {
		return sil, fmt.Errorf("end silence: %w", err)
	}
	return sil, nil
}

// AppendEventsTx appends events to an incident's timeline inside tx, for
// hooks that run in the transaction of other events (OnEvents).
func (s *Incidents) AppendEventsTx(ctx context.Context, tx *sql.Tx, incidentID int64, events []incident.Event) error {
	if len(events) == 0 {
		return nil
	}
	return s.appendEvents(ctx, tx, incidentID, events)
}

// SuppressPending marks a signal pending triage as kept quiet by ref until
// until, taking it out of the inbox; a signal no longer pending is left.
func (s *Signals) SuppressPending(ctx context.Context, id int64, ref string, until time.Time) error {
	_, err := s.db.SQL.ExecContext(ctx, `UPDATE signals SET triage = '', triage_reason = '', suppressed_by = $1, suppressed_until = $2
		WHERE id = $3 AND triage = 'pending'`, ref, s.db.t(until), id)
	if err != nil {
		return fmt.Errorf("mark the silenced signal: %w", err)
	}
	return nil
}
