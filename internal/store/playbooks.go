package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/playbook"
)

// PlaybookRuns implements playbook.Store.
type PlaybookRuns struct{ db *DB }

// PlaybookRuns returns the store of playbook runs.
func (db *DB) PlaybookRuns() *PlaybookRuns { return &PlaybookRuns{db: db} }

const playbookRunColumns = `id, incident_id, service, playbook, step, action, title,
	method, url, headers, body, auth, auth_user,
	confirmed_by, not_rollbackable, state,
	peer_status, peer_body, peer_location, reason, attempts,
	idempotency_key, created_at, updated_at, finished_at`

func scanPlaybookRun(row interface{ Scan(...any) error }) (*playbook.Run, error) {
	var r playbook.Run
	var headers string
	var created, updated, finished scanTime
	err := row.Scan(
		&r.ID,
		&r.IncidentID,
		&r.Service,
		&r.Playbook,
		&r.Step,
		&r.Action,
		&r.Title,
		&r.Request.Method,
		&r.Request.URL,
		&headers,
		&r.Request.Body,
		&r.Request.Auth,
		&r.Request.AuthUser,
		&r.ConfirmedBy,
		&r.NotRollbackable,
		&r.State,
		&r.Answer.Status,
		&r.Answer.Body,
		&r.Answer.Location,
		&r.Reason,
		&r.Attempts,
		&r.IdempotencyKey,
		&created,
		&updated,
		&finished,
	)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(headers), &r.Request.Headers); err != nil {
		return nil, fmt.Errorf("playbook run %d headers: %w", r.ID, err)
	}
	r.Incident = incident.FormatRef(r.IncidentID)
	r.CreatedAt, r.UpdatedAt, r.FinishedAt = created.Time, updated.Time, finished.ptr()
	return &r, nil
}

// CreateRun stores a run, then (in the same transaction) lets enqueue queue
// its job and name it in ev and audit, then stores those.
func (s *PlaybookRuns) CreateRun(ctx context.Context, r *playbook.Run, ev *incident.Event, audit *auth.AuditEntry,
	enqueue func(*sql.Tx, int64) error) error {
	headers, err := json.Marshal(r.Request.Headers)
	if err != nil {
		return err
	}
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO playbook_runs (
			incident_id, service, playbook, step, action, title,
			method, url, headers, body, auth, auth_user,
			confirmed_by, not_rollbackable, state, idempotency_key,
			created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
			r.IncidentID,
			r.Service,
			string(r.Playbook),
			r.Step,
			string(r.Action),
			r.Title,
			r.Request.Method,
			r.Request.URL,
			string(headers),
			r.Request.Body,
			r.Request.Auth,
			r.Request.AuthUser,
			r.ConfirmedBy,
			r.NotRollbackable,
			string(r.State),
			r.IdempotencyKey,
			s.db.t(r.CreatedAt),
			s.db.t(r.UpdatedAt),
		).Scan(&r.ID)
		if err != nil {
			return err
		}
		if err := enqueue(tx, r.ID); err != nil {
			return err
		}
		if ev != nil {
			evs := []incident.Event{*ev}
			if err := s.db.Incidents().appendEvents(ctx, tx, r.IncidentID, evs); err != nil {
				return err
			}
			*ev = evs[0]
		}
		return s.db.appendAudit(ctx, tx, audit)
	})
	if isUniqueViolation(err) {
		return playbook.ErrDuplicateKey
	}
	if err != nil {
		return fmt.Errorf("store playbook run: %w", err)
	}
	return nil
}

// Run returns one run.
func (s *PlaybookRuns) Run(ctx context.Context, id int64) (*playbook.Run, error) {
	r, err := scanPlaybookRun(s.db.SQL.QueryRowContext(ctx, "SELECT "+playbookRunColumns+" FROM playbook_runs WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fail.New(fail.NotFound, "no playbook run %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read playbook run: %w", err)
	}
	return r, nil
}

// RunByKey returns the run with the idempotency key, or nil.
func (s *PlaybookRuns) RunByKey(ctx context.Context, key string) (*playbook.Run, error) {
	r, err := scanPlaybookRun(s.db.SQL.QueryRowContext(ctx, "SELECT "+playbookRunColumns+" FROM playbook_runs WHERE idempotency_key = $1", key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read playbook run: %w", err)
	}
	return r, nil
}

// ListRuns returns an incident's newest runs first.
func (s *PlaybookRuns) ListRuns(ctx context.Context, incidentID int64, limit int) ([]playbook.Run, error) {
	out, err := queryList(ctx, s.db.SQL, deref(scanPlaybookRun), "SELECT "+playbookRunColumns+" FROM playbook_runs WHERE incident_id = $1 ORDER BY id DESC LIMIT $2",
		incidentID, limit)
	if err != nil {
		return nil, fmt.Errorf("list playbook runs: %w", err)
	}
	return out, nil
}

// ClaimRun moves a queued run to running; the condition on the state makes
// the update the lock: of two workers, one changes the row, the other none.
func (s *PlaybookRuns) ClaimRun(ctx context.Context, id int64, at time.Time) (bool, error) {
	res, err := s.db.SQL.ExecContext(ctx, `UPDATE playbook_runs SET state = 'running', attempts = attempts + 1, updated_at = $1
		WHERE id = $2 AND state = 'queued'`, s.db.t(at), id)
	if err != nil {
		return false, fmt.Errorf("claim playbook run: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseRun puts a running run back in the queue with its last answer.
func (s *PlaybookRuns) ReleaseRun(ctx context.Context, id int64, ans playbook.Answer, reason string, at time.Time) error {
	_, err := s.db.SQL.ExecContext(ctx, `UPDATE playbook_runs SET state = 'queued', peer_status = $1, peer_body = $2,
		peer_location = $3, reason = $4, updated_at = $5 WHERE id = $6 AND state = 'running'`,
		ans.Status, ans.Body, ans.Location, reason, s.db.t(at), id)
	if err != nil {
		return fmt.Errorf("release playbook run: %w", err)
	}
	return nil
}

// FinishRun ends a running run with its event and audit entry.
func (s *PlaybookRuns) FinishRun(ctx context.Context, id int64, st playbook.State, ans playbook.Answer, reason string, at time.Time,
	ev *incident.Event, audit *auth.AuditEntry) (bool, error) {
	var done bool
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE playbook_runs SET state = $1, peer_status = $2, peer_body = $3,
			peer_location = $4, reason = $5, updated_at = $6, finished_at = $6 WHERE id = $7 AND state = 'running'`,
			string(st), ans.Status, ans.Body, ans.Location, reason, s.db.t(at), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		done = true
		if ev != nil {
			evs := []incident.Event{*ev}
			if err := s.db.Incidents().appendEvents(ctx, tx, ev.IncidentID, evs); err != nil {
				return err
			}
			*ev = evs[0]
		}
		return s.db.appendAudit(ctx, tx, audit)
	})
	if err != nil {
		return false, fmt.Errorf("finish playbook run: %w", err)
	}
	return done, nil
}
