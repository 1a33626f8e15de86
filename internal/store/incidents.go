package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Incidents implements incident.Store.
type Incidents struct{ db *DB }

// Incidents returns the incident store.
func (db *DB) Incidents() *Incidents { return &Incidents{db: db} }

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

const incidentColumns = `i.id, i.title, i.summary, i.grade, i.status, i.source, i.visibility, i.labels, i.cause_tags,
	i.created_by, i.started_at, i.detected_at, i.acknowledged_at, i.mitigated_at, i.resolved_at, i.closed_at,
	i.created_at, i.updated_at, i.detection`

func scanIncident(row interface{ Scan(...any) error }) (*incident.Incident, error) {
	var inc incident.Incident
	var started, detected, acked, mitigated, resolved, closed, created, updated scanTime
	err := row.Scan(&inc.ID, &inc.Title, &inc.Summary, &inc.Grade, &inc.Status, &inc.Source, &inc.Visibility,
		scanJSON{&inc.Labels}, scanJSON{&inc.CauseTags}, &inc.CreatedBy,
		&started, &detected, &acked, &mitigated, &resolved, &closed, &created, &updated, &inc.Detection)
	if err != nil {
		return nil, err
	}
	inc.StartedAt, inc.DetectedAt, inc.CreatedAt, inc.UpdatedAt = started.Time, detected.Time, created.Time, updated.Time
	inc.AcknowledgedAt, inc.MitigatedAt, inc.ResolvedAt, inc.ClosedAt = acked.ptr(), mitigated.ptr(), resolved.ptr(), closed.ptr()
	inc.Roles = map[incident.Role]string{}
	if inc.Labels == nil {
		inc.Labels = map[string]string{}
	}
	if inc.CauseTags == nil {
		inc.CauseTags = []string{}
	}
	inc.Services, inc.Members = []string{}, []string{}
	return &inc, nil
}

// CreateIncident stores a new incident and its first events.
func (s *Incidents) CreateIncident(ctx context.Context, inc *incident.Incident, events []incident.Event) error {
	db := s.db
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO incidents (title, summary, grade, status, source, visibility, labels,
			cause_tags, created_by, started_at, detected_at, acknowledged_at, mitigated_at, resolved_at, closed_at,
			created_at, updated_at, detection) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
			$18)
			RETURNING id`,
			inc.Title, inc.Summary, int(inc.Grade), string(inc.Status), inc.Source, string(inc.Visibility),
			jsonText{inc.Labels}, jsonText{nonNil(inc.CauseTags)}, inc.CreatedBy, db.t(inc.StartedAt), db.t(inc.DetectedAt),
			db.tp(inc.AcknowledgedAt), db.tp(inc.MitigatedAt), db.tp(inc.ResolvedAt), db.tp(inc.ClosedAt),
			db.t(inc.CreatedAt), db.t(inc.UpdatedAt),
			string(inc.Detection)).Scan(&inc.ID)
		if err != nil {
			return fmt.Errorf("insert incident: %w", err)
		}
		if err := s.writeChildren(ctx, tx, inc); err != nil {
			return err
		}
		if err := db.writeFacts(ctx, tx, inc); err != nil {
			return err
		}
		if err := s.appendEvents(ctx, tx, inc.ID, events); err != nil {
			return err
		}
		if err := db.reindexChanged(ctx, tx, inc.ID); err != nil {
			return err
		}
		return s.afterEvents(ctx, tx, inc, events)
	})
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// writeChildren replaces the incident's services, roles and members. The sets
// are small, so rewriting them is simpler than diffing.
func (s *Incidents) writeChildren(ctx context.Context, tx *sql.Tx, inc *incident.Incident) error {
	for _, table := range []string{"incident_services", "incident_roles", "incident_members"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE incident_id = $1", inc.ID); err != nil {
			return fmt.Errorf("clear %s: %w", table, err)
		}
	}
	for i, svc := range inc.Services {
		if _, err := tx.ExecContext(ctx, "INSERT INTO incident_services (incident_id, position, service) VALUES ($1, $2, $3)", inc.ID, i, svc); err != nil {
			return fmt.Errorf("insert incident service: %w", err)
		}
	}
	for _, role := range incident.Roles {
		if u := inc.Roles[role]; u != "" {
			if _, err := tx.ExecContext(ctx, "INSERT INTO incident_roles (incident_id, role, user_name) VALUES ($1, $2, $3)", inc.ID, string(role), u); err != nil {
				return fmt.Errorf("insert incident role: %w", err)
			}
		}
	}
	for _, m := range inc.Members {
		if _, err := tx.ExecContext(ctx, "INSERT INTO incident_members (incident_id, user_name) VALUES ($1, $2)", inc.ID, m); err != nil {
			return fmt.Errorf("insert incident member: %w", err)
		}
	}
	return nil
}

func (s *Incidents) appendEvents(ctx context.Context, q queryer, incidentID int64, events []incident.Event) error {
	for i := range events {
		ev := &events[i]
		ev.IncidentID = incidentID
		err := q.QueryRowContext(ctx, "INSERT INTO timeline_events (incident_id, at, actor, kind, data) VALUES ($1, $2, $3, $4, $5) RETURNING id",
			incidentID, s.db.t(ev.At), ev.Actor, string(ev.Kind), jsonText{ev.Data}).Scan(&ev.ID)
		if err != nil {
			return fmt.Errorf("append timeline event: %w", err)
		}
	}
	return nil
}

// insertEvents appends events, each to its own IncidentID, with one
// statement per chunk: routing a storm joins thousands of signals to an
// incident at once, and a statement per event was most of its cost. The
// events' ids are not read back, so it suits callers that do not need
// them.
func (s *Incidents) insertEvents(ctx context.Context, tx *sql.Tx, events []incident.Event) error {
	for i := 0; i < len(events); i += chunk {
		part := events[i:min(i+chunk, len(events))]
		var a args
		values := make([]string, len(part))
		for j, ev := range part {
			values[j] = "(" + strings.Join([]string{a.add(ev.IncidentID), a.add(s.db.t(ev.At)), a.add(ev.Actor),
				a.add(string(ev.Kind)), a.add(jsonText{ev.Data})}, ", ") + ")"
		}
		if _, err := tx.ExecContext(ctx, s.db.rebind("INSERT INTO timeline_events (incident_id, at, actor, kind, data) VALUES "+
			strings.Join(values, ", ")), a...); err != nil {
			return fmt.Errorf("append timeline events: %w", err)
		}
	}
	return nil
}

func (s *Incidents) afterEvents(ctx context.Context, tx *sql.Tx, inc *incident.Incident, events []incident.Event) error {
	if s.db.OnEvents == nil || len(events) == 0 {
		return nil
	}
	if err := s.db.OnEvents(ctx, tx, inc, events); err != nil {
		return fmt.Errorf("after timeline events: %w", err)
	}
	return nil
}

// GetIncident loads one incident with its services, roles and members.
func (s *Incidents) GetIncident(ctx context.Context, id int64) (*incident.Incident, error) {
	return s.get(ctx, s.db.SQL, id, "")
}

// GetVisibleIncident is GetIncident for viewer: a restricted incident viewer
// is not a member of (unless seeAll) is not found. The check is in the
// query, so such an incident costs what a missing one does and its
// existence does not show in the answer's timing.
func (s *Incidents) GetVisibleIncident(ctx context.Context, id int64, viewer string, seeAll bool) (*incident.Incident, error) {
	if seeAll {
		return s.GetIncident(ctx, id)
	}
	return s.getWhere(ctx, s.db.SQL, id, " AND "+visibleTo("$2"), viewer)
}

// visibleTo is the condition that incident i is visible to the user named
// by the parameter user.
func visibleTo(user string) string {
	return "(i.visibility <> 'restricted' OR EXISTS (SELECT 1 FROM incident_members m WHERE m.incident_id = i.id AND m.user_name = " + user + "))"
}

func (s *Incidents) get(ctx context.Context, q queryer, id int64, lock string) (*incident.Incident, error) {
	return s.getWhere(ctx, q, id, lock)
}

// getWhere loads incident id with cond appended to its query (a further
// condition on i with parameters from $2, or a lock clause).
func (s *Incidents) getWhere(ctx context.Context, q queryer, id int64, cond string, condArgs ...any) (*incident.Incident, error) {
	inc, err := scanIncident(q.QueryRowContext(ctx, "SELECT "+incidentColumns+" FROM incidents i WHERE i.id = $1"+cond, append([]any{id}, condArgs...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fail.New(fail.NotFound, "incident %s not found", incident.FormatRef(id))
	}
	if err != nil {
		return nil, fmt.Errorf("get incident: %w", err)
	}
	if err := s.loadChildren(ctx, q, []*incident.Incident{inc}); err != nil {
		return nil, err
	}
	return inc, nil
}

// loadChildren fills services, roles and members of the incidents with one
// query per child table.
func (s *Incidents) loadChildren(ctx context.Context, q queryer, incs []*incident.Incident) error {
	if len(incs) == 0 {
		return nil
	}
	byID := make(map[int64]*incident.Incident, len(incs))
	ids := make([]any, len(incs))
	for i, inc := range incs {
		byID[inc.ID] = inc
		ids[i] = inc.ID
	}
	each := func(query string, fn func(inc *incident.Incident, a, b string)) error {
		var a args
		rows, err := q.QueryContext(ctx, fmt.Sprintf(query, a.in(ids)), a...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var x, y string
			if err := rows.Scan(&id, &x, &y); err != nil {
				return err
			}
			fn(byID[id], x, y)
		}
		return rows.Err()
	}
	err := each("SELECT incident_id, service, '' FROM incident_services WHERE incident_id IN %s ORDER BY incident_id, position",
		func(inc *incident.Incident, svc, _ string) { inc.Services = append(inc.Services, svc) })
	if err == nil {
		err = each("SELECT incident_id, role, user_name FROM incident_roles WHERE incident_id IN %s",
			func(inc *incident.Incident, role, user string) { inc.Roles[incident.Role(role)] = user })
	}
	if err == nil {
		err = each("SELECT incident_id, user_name, '' FROM incident_members WHERE incident_id IN %s ORDER BY incident_id, user_name",
			func(inc *incident.Incident, user, _ string) { inc.Members = append(inc.Members, user) })
	}
	if err != nil {
		return fmt.Errorf("load incident details: %w", err)
	}
	return nil
}

// UpdateIncident runs a read-modify-write of one incident in a transaction.
func (s *Incidents) UpdateIncident(ctx context.Context, id int64, change func(*incident.Incident) ([]incident.Event, error)) (*incident.Incident, error) {
	return s.ChangeIncident(ctx, id, func(inc *incident.Incident) (incident.Changes, error) {
		events, err := change(inc)
		return incident.Changes{Events: events}, err
	})
}

// ChangeIncident is UpdateIncident whose change may also name audit log
// entries; they are written in the same transaction, so a change never
// stands unaudited.
func (s *Incidents) ChangeIncident(ctx context.Context, id int64, change func(*incident.Incident) (incident.Changes, error)) (*incident.Incident, error) {
	db := s.db
	var out *incident.Incident
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		inc, err := s.get(ctx, tx, id, db.forUpdate())
		if err != nil {
			return err
		}
		c, err := change(inc)
		if err != nil {
			return err
		}
		events := c.Events
		_, err = tx.ExecContext(ctx, `UPDATE incidents SET title = $1, summary = $2, grade = $3, status = $4, visibility = $5,
			labels = $6, cause_tags = $7, started_at = $8, detected_at = $9, acknowledged_at = $10, mitigated_at = $11,
			resolved_at = $12, closed_at = $13, updated_at = $14,
			detection = $16
			WHERE id = $15`,
			inc.Title, inc.Summary, int(inc.Grade), string(inc.Status), string(inc.Visibility), jsonText{inc.Labels},
			jsonText{nonNil(inc.CauseTags)}, db.t(inc.StartedAt), db.t(inc.DetectedAt), db.tp(inc.AcknowledgedAt),
			db.tp(inc.MitigatedAt), db.tp(inc.ResolvedAt), db.tp(inc.ClosedAt), db.t(inc.UpdatedAt), id,
			string(inc.Detection))
		if err != nil {
			return fmt.Errorf("update incident: %w", err)
		}
		if err := s.writeChildren(ctx, tx, inc); err != nil {
			return err
		}
		if err := db.writeFacts(ctx, tx, inc); err != nil {
			return err
		}
		if err := s.appendEvents(ctx, tx, id, events); err != nil {
			return err
		}
		for _, e := range c.Audit {
			if err := db.appendAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		if err := db.reindexChanged(ctx, tx, id); err != nil {
			return err
		}
		if err := s.afterEvents(ctx, tx, inc, events); err != nil {
			return err
		}
		out = inc
		return nil
	})
	return out, err
}

// ListIncidents returns the incidents that match f, newest first.
func (s *Incidents) ListIncidents(ctx context.Context, f incident.Filter) ([]*incident.Incident, error) {
	var a args
	var where []string
	if len(f.Statuses) > 0 {
		vs := make([]any, len(f.Statuses))
		for i, st := range f.Statuses {
			vs[i] = string(st)
		}
		where = append(where, "i.status IN "+a.in(vs))
	}
	if len(f.Grades) > 0 {
		vs := make([]any, len(f.Grades))
		for i, g := range f.Grades {
			vs[i] = int(g)
		}
		where = append(where, "i.grade IN "+a.in(vs))
	}
	if f.Service != "" {
		where = append(where, "EXISTS (SELECT 1 FROM incident_services s WHERE s.incident_id = i.id AND s.service = "+a.add(f.Service)+")")
	}
	if !f.Since.IsZero() {
		where = append(where, "i.started_at >= "+a.add(s.db.t(f.Since)))
	}
	if f.BeforeID > 0 {
		where = append(where, "i.id < "+a.add(f.BeforeID))
	}
	if f.Text != "" {
		like := s.db.likeOp()
		pat := a.add("%" + escapeLike(f.Text) + "%")
		where = append(where, "(i.title "+like+" "+pat+" ESCAPE '\\' OR i.summary "+like+" "+pat+" ESCAPE '\\')")
	}
	if f.Member != "" {
		where = append(where, "EXISTS (SELECT 1 FROM incident_members mm WHERE mm.incident_id = i.id AND mm.user_name = "+a.add(f.Member)+")")
	}
	if !f.SeeAll {
		where = append(where, visibleTo(a.add(f.VisibleTo)))
	}
	q := "SELECT " + incidentColumns + " FROM incidents i"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY i.id DESC LIMIT " + a.add(f.Limit)
	return s.queryIncidents(ctx, q, a)
}

// queryIncidents runs a query of incidentColumns and loads each incident's
// services, roles and members.
func (s *Incidents) queryIncidents(ctx context.Context, q string, a args) ([]*incident.Incident, error) {
	out, err := queryList(ctx, s.db.SQL, scanIncident, q, a...)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	return out, s.loadChildren(ctx, s.db.SQL, out)
}

// LatestEvents returns the newest limit events below before, oldest first.
func (s *Incidents) LatestEvents(ctx context.Context, incidentID, before int64, limit int) ([]incident.Event, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT id, incident_id, at, actor, kind, data FROM timeline_events
		WHERE incident_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, incidentID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("latest timeline: %w", err)
	}
	out, err := scanEvents(rows)
	slices.Reverse(out)
	return out, err
}

// ListEvents returns up to limit timeline events after the given id.
func (s *Incidents) ListEvents(ctx context.Context, incidentID, after int64, limit int) ([]incident.Event, error) {
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT id, incident_id, at, actor, kind, data FROM timeline_events
		WHERE incident_id = $1 AND id > $2 ORDER BY id LIMIT $3`, incidentID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list timeline: %w", err)
	}
	return scanEvents(rows)
}

func scanEvents(rows *sql.Rows) ([]incident.Event, error) {
	defer rows.Close()
	out := []incident.Event{}
	for rows.Next() {
		var ev incident.Event
		var at scanTime
		if err := rows.Scan(&ev.ID, &ev.IncidentID, &at, &ev.Actor, &ev.Kind, scanJSON{&ev.Data}); err != nil {
			return nil, fmt.Errorf("list timeline: %w", err)
		}
		ev.At = at.Time
		out = append(out, ev)
	}
	return out, rows.Err()
}

// AppendEvent adds one event to an incident's timeline without changing the
// incident. Background checks use it for what they observe.
func (s *Incidents) AppendEvent(ctx context.Context, ev *incident.Event) error {
	evs := []incident.Event{*ev}
	if err := s.appendEvents(ctx, s.db.SQL, ev.IncidentID, evs); err != nil {
		return err
	}
	*ev = evs[0]
	return nil
}

// LatestEvent returns the newest event of a kind on an incident, or nil.
func (s *Incidents) LatestEvent(ctx context.Context, incidentID int64, kind incident.EventKind) (*incident.Event, error) {
	var ev incident.Event
	var at scanTime
	err := s.db.SQL.QueryRowContext(ctx, `SELECT id, incident_id, at, actor, kind, data FROM timeline_events
		WHERE incident_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1`, incidentID, string(kind)).
		Scan(&ev.ID, &ev.IncidentID, &at, &ev.Actor, &ev.Kind, scanJSON{&ev.Data})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latest %s event: %w", kind, err)
	}
	ev.At = at.Time
	return &ev, nil
}

// StatusGradeCount is how many incidents have one status and grade.
type StatusGradeCount struct {
	Status incident.Status
	Grade  incident.Grade
	Count  int
}

// CountByStatusAndGrade counts incidents by status and grade; the result
// has at most 25 rows whatever the table's size. Restricted incidents are
// left out: the counts are served to anyone who can reach /metrics, and a
// restricted incident must not show even as a count.
func (s *Incidents) CountByStatusAndGrade(ctx context.Context) ([]StatusGradeCount, error) {
	rows, err := s.db.SQL.QueryContext(ctx, "SELECT status, grade, COUNT(*) FROM incidents WHERE visibility <> 'restricted' GROUP BY status, grade")
	if err != nil {
		return nil, fmt.Errorf("count incidents: %w", err)
	}
	defer rows.Close()
	var out []StatusGradeCount
	for rows.Next() {
		var c StatusGradeCount
		if err := rows.Scan(&c.Status, &c.Grade, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
