package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/report"
)

// MailOutbox stores e-mails inside the transaction that decided to send
// them; the notification outbox delivers them after commit, with retries.
type MailOutbox func(ctx context.Context, tx *sql.Tx, incidentID int64, mails []report.Mail) error

// Reports implements report.Store.
type Reports struct {
	db     *DB
	outbox MailOutbox
}

// Reports returns the report store; mails go through outbox.
func (db *DB) Reports(outbox MailOutbox) *Reports { return &Reports{db: db, outbox: outbox} }

const reportColumns = `incident_id, owner, lang, revision, sections, tbd_since, due_at, first_shared_at, shared_revision,
	reminded_at, created_at, updated_at, ` + overdueFlagged

// overdueFlagged reads whether a report's incident was flagged late already:
// the timeline is the record, so reminders sent before the deadline do not
// hide the flag.
const overdueFlagged = `EXISTS (SELECT 1 FROM timeline_events e WHERE e.incident_id = reports.incident_id AND e.kind = 'report_overdue')`

func scanReport(row interface{ Scan(...any) error }) (*report.Report, error) {
	var r report.Report
	var due, shared, reminded, created, updated scanTime
	err := row.Scan(&r.IncidentID, &r.Owner, &r.Lang, &r.Revision, scanJSON{&r.Sections}, scanJSON{&r.TBDSince},
		&due, &shared, &r.SharedRevision, &reminded, &created, &updated, &r.OverdueFlagged)
	if err != nil {
		return nil, err
	}
	r.DueAt, r.FirstSharedAt, r.RemindedAt, r.CreatedAt, r.UpdatedAt = due.Time, shared.ptr(), reminded.ptr(), created.Time, updated.Time
	if r.Sections == nil {
		r.Sections = map[string]string{}
	}
	if r.TBDSince == nil {
		r.TBDSince = map[string]time.Time{}
	}
	return &r, nil
}

func (s *Reports) get(ctx context.Context, q queryer, incidentID int64, lock string) (*report.Report, error) {
	r, err := scanReport(q.QueryRowContext(ctx, "SELECT "+reportColumns+" FROM reports WHERE incident_id = $1"+lock, incidentID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fail.New(fail.NotFound, "%s has no report yet", incident.FormatRef(incidentID))
	}
	if err != nil {
		return nil, fmt.Errorf("get report: %w", err)
	}
	return r, nil
}

// GetReport returns an incident's report.
func (s *Reports) GetReport(ctx context.Context, incidentID int64) (*report.Report, error) {
	return s.get(ctx, s.db.SQL, incidentID, "")
}

// CreateReport stores a new report, its first revision and the incident's
// search document, and notes the start on the timeline.
func (s *Reports) CreateReport(ctx context.Context, r *report.Report, first report.Revision) error {
	db := s.db
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM reports WHERE incident_id = $1", r.IncidentID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fail.New(fail.Conflict, "%s has a report already", incident.FormatRef(r.IncidentID))
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO reports (incident_id, owner, lang, revision, sections, tbd_since, tbd_count, due_at,
			first_shared_at, shared_revision, reminded_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			r.IncidentID, r.Owner, r.Lang, r.Revision, jsonText{r.Sections}, jsonText{r.TBDSince}, len(r.TBDSince), db.t(r.DueAt),
			db.tp(r.FirstSharedAt), r.SharedRevision, db.tp(r.RemindedAt), db.t(r.CreatedAt), db.t(r.UpdatedAt))
		if err != nil {
			return fmt.Errorf("insert report: %w", err)
		}
		if err := s.insertRevision(ctx, tx, r.IncidentID, first); err != nil {
			return err
		}
		ev := []incident.Event{{Kind: report.EventStarted, Actor: r.Owner, At: r.CreatedAt, Data: map[string]any{"owner": r.Owner}}}
		if err := db.Incidents().appendEvents(ctx, tx, r.IncidentID, ev); err != nil {
			return err
		}
		return db.reindexChanged(ctx, tx, r.IncidentID)
	})
}

func (s *Reports) insertRevision(ctx context.Context, tx *sql.Tx, incidentID int64, rev report.Revision) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO report_revisions (incident_id, number, author, at, sections) VALUES ($1, $2, $3, $4, $5)",
		incidentID, rev.Number, rev.Author, s.db.t(rev.At), jsonText{rev.Sections})
	if err != nil {
		return fmt.Errorf("insert report revision: %w", err)
	}
	return nil
}

// UpdateReport runs a read-modify-write of a report in one transaction:
// the report, a new revision, a share, its mails (into the outbox) and
// timeline events commit together or not at all.
func (s *Reports) UpdateReport(ctx context.Context, incidentID int64, change func(*report.Report) (report.Change, error)) (*report.Report, error) {
	db := s.db
	var out *report.Report
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		r, err := s.get(ctx, tx, incidentID, db.forUpdate())
		if err != nil {
			return err
		}
		before := r.Revision
		ch, err := change(r)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE reports SET owner = $1, lang = $2, revision = $3, sections = $4, tbd_since = $5,
			tbd_count = $6, first_shared_at = $7, shared_revision = $8, reminded_at = $9, updated_at = $10, due_at = $11 WHERE incident_id = $12`,
			r.Owner, r.Lang, r.Revision, jsonText{r.Sections}, jsonText{r.TBDSince}, len(r.TBDSince), db.tp(r.FirstSharedAt),
			r.SharedRevision, db.tp(r.RemindedAt), db.t(r.UpdatedAt), db.t(r.DueAt), incidentID)
		if err != nil {
			return fmt.Errorf("update report: %w", err)
		}
		if ch.Revision != nil {
			if err := s.insertRevision(ctx, tx, incidentID, *ch.Revision); err != nil {
				return err
			}
		}
		if sh := ch.Share; sh != nil {
			_, err := tx.ExecContext(ctx, "INSERT INTO report_shares (incident_id, revision, by_user, at, recipients, changes) VALUES ($1, $2, $3, $4, $5, $6)",
				incidentID, sh.Revision, sh.By, db.t(sh.At), jsonText{sh.Recipients}, sh.Changes)
			if err != nil {
				return fmt.Errorf("insert report share: %w", err)
			}
		}
		if len(ch.Mails) > 0 {
			if s.outbox == nil {
				return errors.New("report mail: no outbox is configured, so nothing can be sent")
			}
			if err := s.outbox(ctx, tx, incidentID, ch.Mails); err != nil {
				return fmt.Errorf("store report mail: %w", err)
			}
		}
		if err := db.Incidents().appendEvents(ctx, tx, incidentID, ch.Events); err != nil {
			return err
		}
		if r.Revision != before {
			if err := db.reindexChanged(ctx, tx, incidentID); err != nil {
				return err
			}
		}
		out = r
		return nil
	})
	return out, err
}

// ListRevisions returns up to limit revisions, newest first.
func (s *Reports) ListRevisions(ctx context.Context, incidentID int64, limit int) ([]report.Revision, error) {
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT number, author, at, sections FROM report_revisions
		WHERE incident_id = $1 ORDER BY number DESC LIMIT $2`, incidentID, limit)
	if err != nil {
		return nil, fmt.Errorf("list report revisions: %w", err)
	}
	defer rows.Close()
	out := []report.Revision{}
	for rows.Next() {
		var rev report.Revision
		var at scanTime
		if err := rows.Scan(&rev.Number, &rev.Author, &at, scanJSON{&rev.Sections}); err != nil {
			return nil, err
		}
		rev.At = at.Time
		out = append(out, rev)
	}
	return out, rows.Err()
}

// GetRevision returns one revision.
func (s *Reports) GetRevision(ctx context.Context, incidentID int64, number int) (*report.Revision, error) {
	var rev report.Revision
	var at scanTime
	err := s.db.SQL.QueryRowContext(ctx, `SELECT number, author, at, sections FROM report_revisions
		WHERE incident_id = $1 AND number = $2`, incidentID, number).Scan(&rev.Number, &rev.Author, &at, scanJSON{&rev.Sections})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fail.New(fail.NotFound, "%s report has no revision %d", incident.FormatRef(incidentID), number)
	}
	if err != nil {
		return nil, fmt.Errorf("get report revision: %w", err)
	}
	rev.At = at.Time
	return &rev, nil
}

// ListShares returns up to limit shares, newest first.
func (s *Reports) ListShares(ctx context.Context, incidentID int64, limit int) ([]report.Share, error) {
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT revision, by_user, at, recipients, changes FROM report_shares
		WHERE incident_id = $1 ORDER BY id DESC LIMIT $2`, incidentID, limit)
	if err != nil {
		return nil, fmt.Errorf("list report shares: %w", err)
	}
	defer rows.Close()
	out := []report.Share{}
	for rows.Next() {
		var sh report.Share
		var at scanTime
		if err := rows.Scan(&sh.Revision, &sh.By, &at, scanJSON{&sh.Recipients}, &sh.Changes); err != nil {
			return nil, err
		}
		sh.At = at.Time
		out = append(out, sh)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.fillDeliveries(ctx, incidentID, out)
}

// ListPending returns a page of reports with TBD sections or an unshared
// first report, in incident order after q.After.
func (s *Reports) ListPending(ctx context.Context, q report.PendingQuery) ([]*report.Report, error) {
	a := args{q.After}
	where := "(tbd_count > 0 OR first_shared_at IS NULL) AND incident_id > $1"
	if !q.NotRemindedSince.IsZero() {
		where += " AND (reminded_at IS NULL OR reminded_at <= " + a.add(s.db.t(q.NotRemindedSince)) + ")"
	}
	out, err := queryList(ctx, s.db.SQL, scanReport, "SELECT "+reportColumns+" FROM reports WHERE "+where+
		" ORDER BY incident_id LIMIT "+a.add(q.Limit), a...)
	if err != nil {
		return nil, fmt.Errorf("list pending reports: %w", err)
	}
	return out, nil
}

// ListUnstarted returns a page of open or resolved incidents without a
// report, declared before their grade's cutoff, in incident order.
func (s *Reports) ListUnstarted(ctx context.Context, q report.PendingQuery, cutoffs map[incident.Grade]time.Time) ([]int64, error) {
	if len(cutoffs) == 0 {
		return nil, nil
	}
	a := args{q.After, string(incident.Closed)}
	var byGrade []string
	for g := incident.SEV1; g <= incident.SEV5; g++ {
		if c, ok := cutoffs[g]; ok {
			byGrade = append(byGrade, fmt.Sprintf("(i.grade = %d AND i.created_at < %s)", int(g), a.add(s.db.t(c))))
		}
	}
	where := "i.id > $1 AND i.status <> $2 AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.incident_id = i.id) AND (" +
		strings.Join(byGrade, " OR ") + ")"
	if !q.NotRemindedSince.IsZero() {
		where += " AND NOT EXISTS (SELECT 1 FROM timeline_events e WHERE e.incident_id = i.id AND e.kind = " +
			a.add(string(report.EventReminded)) + " AND e.at > " + a.add(s.db.t(q.NotRemindedSince)) + ")"
	}
	ids, err := s.db.queryIDs(ctx, "SELECT i.id FROM incidents i WHERE "+where+" ORDER BY i.id LIMIT "+a.add(q.Limit), a...)
	if err != nil {
		return nil, fmt.Errorf("list incidents without a report: %w", err)
	}
	return ids, nil
}

// RemindUnstarted reads whether the incident was flagged late and when its
// owner was last reminded, and stores the mails and events decide returns,
// in one transaction with the incident locked, so two runs cannot both
// remind. A report started meanwhile makes it a no-op.
func (s *Reports) RemindUnstarted(ctx context.Context, incidentID int64, decide func(report.Unstarted) (report.Change, error)) error {
	db := s.db
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, "SELECT id FROM incidents WHERE id = $1"+db.forUpdate(), incidentID).Scan(&id); err != nil {
			return fmt.Errorf("remind of %s: %w", incident.FormatRef(incidentID), err)
		}
		var st report.Unstarted
		var started bool
		var reminded scanTime
		err := tx.QueryRowContext(ctx, `SELECT
			EXISTS (SELECT 1 FROM reports WHERE incident_id = $1),
			EXISTS (SELECT 1 FROM timeline_events WHERE incident_id = $1 AND kind = $2),
			(SELECT MAX(at) FROM timeline_events WHERE incident_id = $1 AND kind = $3)`,
			incidentID, string(report.EventOverdue), string(report.EventReminded)).Scan(&started, &st.OverdueFlagged, &reminded)
		if err != nil {
			return fmt.Errorf("remind of %s: %w", incident.FormatRef(incidentID), err)
		}
		if started {
			return nil
		}
		st.RemindedAt = reminded.ptr()
		ch, err := decide(st)
		if err != nil {
			return err
		}
		if len(ch.Mails) > 0 {
			if s.outbox == nil {
				return errors.New("report mail: no outbox is configured, so nothing can be sent")
			}
			if err := s.outbox(ctx, tx, incidentID, ch.Mails); err != nil {
				return fmt.Errorf("store report mail: %w", err)
			}
		}
		return db.Incidents().appendEvents(ctx, tx, incidentID, ch.Events)
	})
}

// TBDMarkers returns how many TBD sections each incident's report has
// and since when the oldest has been TBD.
func (s *Reports) TBDMarkers(ctx context.Context, incidentIDs []int64) (map[int64]report.TBDMarker, error) {
	out := map[int64]report.TBDMarker{}
	if len(incidentIDs) == 0 {
		return out, nil
	}
	ids := make([]any, len(incidentIDs))
	for i, id := range incidentIDs {
		ids[i] = id
	}
	var a args
	rows, err := s.db.SQL.QueryContext(ctx, "SELECT incident_id, tbd_count, tbd_since FROM reports WHERE tbd_count > 0 AND incident_id IN "+a.in(ids), a...)
	if err != nil {
		return nil, fmt.Errorf("count TBD sections: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var m report.TBDMarker
		var since map[string]time.Time
		if err := rows.Scan(&id, &m.Count, scanJSON{&since}); err != nil {
			return nil, err
		}
		for _, t := range since {
			if m.Since.IsZero() || t.Before(m.Since) {
				m.Since = t
			}
		}
		out[id] = m
	}
	return out, rows.Err()
}
