package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/review"
)

// Reviews implements review.Store.
type Reviews struct {
	db *DB
	// EnqueueSync stores, inside the transaction that changed an item, the
	// job that tells its tracker ("create" or "push"). Nil: no tracker sync.
	EnqueueSync func(ctx context.Context, tx *sql.Tx, itemID int64, op string) error
	// SendNotice stores, inside the transaction that records a reminder or
	// escalation, the message that carries it. Nil: the timeline event is
	// the only record.
	SendNotice func(ctx context.Context, tx *sql.Tx, n review.Notice) error
}

// Reviews returns the review store.
func (db *DB) Reviews() *Reviews { return &Reviews{db: db} }

// Retrospectives returns the stages recorded for an incident.
func (s *Reviews) Retrospectives(ctx context.Context, incidentID int64) ([]review.Retrospective, error) {
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT incident_id, stage, scheduled_at, facilitator, attendees, notes, narrative,
		held_at, updated_by, created_at, updated_at FROM retrospectives WHERE incident_id = $1 ORDER BY stage DESC`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("list reviews: %w", err)
	}
	defer rows.Close()
	var out []review.Retrospective
	for rows.Next() {
		var r review.Retrospective
		var sched, held, created, updated scanTime
		if err := rows.Scan(&r.IncidentID, &r.Stage, &sched, &r.Facilitator, scanJSON{&r.Attendees}, &r.Notes, scanJSON{&r.Narrative},
			&held, &r.UpdatedBy, &created, &updated); err != nil {
			return nil, fmt.Errorf("list reviews: %w", err)
		}
		r.ScheduledAt, r.HeldAt, r.CreatedAt, r.UpdatedAt = sched.ptr(), held.ptr(), created.Time, updated.Time
		out = append(out, r)
	}
	return out, rows.Err()
}

// SaveRetrospective inserts or replaces one stage and appends its event. A
// stage once held stays held: saving notes later keeps its held time.
func (s *Reviews) SaveRetrospective(ctx context.Context, r *review.Retrospective, ev incident.Event) error {
	db := s.db
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var held scanTime
		var created scanTime
		err := tx.QueryRowContext(ctx, "SELECT held_at, created_at FROM retrospectives WHERE incident_id = $1 AND stage = $2"+db.forUpdate(),
			r.IncidentID, string(r.Stage)).Scan(&held, &created)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO retrospectives (incident_id, stage, scheduled_at, facilitator, attendees, notes,
				narrative, held_at, updated_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
				r.IncidentID, string(r.Stage), db.tp(r.ScheduledAt), r.Facilitator, jsonText{r.Attendees}, r.Notes, jsonText{r.Narrative},
				db.tp(r.HeldAt), r.UpdatedBy, db.t(r.CreatedAt), db.t(r.UpdatedAt))
		case err == nil:
			if r.HeldAt == nil {
				r.HeldAt = held.ptr()
			} else if held.Valid {
				r.HeldAt = held.ptr()
			}
			r.CreatedAt = created.Time
			_, err = tx.ExecContext(ctx, `UPDATE retrospectives SET scheduled_at = $1, facilitator = $2, attendees = $3, notes = $4,
				narrative = $5, held_at = $6, updated_by = $7, updated_at = $8 WHERE incident_id = $9 AND stage = $10`,
				db.tp(r.ScheduledAt), r.Facilitator, jsonText{r.Attendees}, r.Notes, jsonText{r.Narrative}, db.tp(r.HeldAt),
				r.UpdatedBy, db.t(r.UpdatedAt), r.IncidentID, string(r.Stage))
		}
		if err != nil {
			return fmt.Errorf("save review: %w", err)
		}
		return db.Incidents().appendEvents(ctx, tx, r.IncidentID, []incident.Event{ev})
	})
}

const itemColumns = `id, incident_id, stage, title, description, category, term, owner, due_at, status, task_force, tracker,
	tracker_key, tracker_url, tracker_state, tracker_error, tracker_synced_at, created_by, created_at, updated_at, done_at, tracker_pending`

func scanItem(row interface{ Scan(...any) error }) (*review.ActionItem, error) {
	var it review.ActionItem
	var due, synced, created, updated, done scanTime
	err := row.Scan(&it.ID, &it.IncidentID, &it.Stage, &it.Title, &it.Description, &it.Category, &it.Term, &it.Owner, &due,
		&it.Status, &it.TaskForce, &it.Link.Tracker, &it.Link.Key, &it.Link.URL, &it.Link.State, &it.Link.Error, &synced,
		&it.CreatedBy, &created, &updated, &done, &it.Link.Pending)
	if err != nil {
		return nil, err
	}
	it.DueAt, it.Link.SyncedAt, it.CreatedAt, it.UpdatedAt, it.DoneAt = due.ptr(), synced.ptr(), created.Time, updated.Time, done.ptr()
	return &it, nil
}

// CreateItem stores a new item, its event and, for an item with a tracker,
// the job that files its issue, all in one transaction.
func (s *Reviews) CreateItem(ctx context.Context, it *review.ActionItem, ev incident.Event) error {
	db := s.db
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO action_items (incident_id, stage, title, description, category, term, owner,
			due_at, status, task_force, tracker, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
			it.IncidentID, string(it.Stage), it.Title, it.Description, string(it.Category), string(it.Term), it.Owner,
			db.tp(it.DueAt), string(it.Status), it.TaskForce, string(it.Link.Tracker), it.CreatedBy, db.t(it.CreatedAt),
			db.t(it.UpdatedAt)).Scan(&it.ID)
		if err != nil {
			return fmt.Errorf("insert action item: %w", err)
		}
		ev.Data["item"] = it.ID
		if err := db.Incidents().appendEvents(ctx, tx, it.IncidentID, []incident.Event{ev}); err != nil {
			return err
		}
		if it.Link.Tracker != "" && s.EnqueueSync != nil {
			return s.EnqueueSync(ctx, tx, it.ID, "create")
		}
		return nil
	})
}

// GetItem loads one item.
func (s *Reviews) GetItem(ctx context.Context, id int64) (*review.ActionItem, error) {
	return s.getItem(ctx, s.db.SQL, id, "")
}

func (s *Reviews) getItem(ctx context.Context, q queryer, id int64, lock string) (*review.ActionItem, error) {
	it, err := scanItem(q.QueryRowContext(ctx, "SELECT "+itemColumns+" FROM action_items WHERE id = $1"+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fail.New(fail.NotFound, "action item %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get action item: %w", err)
	}
	return it, nil
}

// UpdateItem runs a read-modify-write of one item in a transaction.
func (s *Reviews) UpdateItem(ctx context.Context, id int64, change func(*review.ActionItem) (*incident.Event, bool, error)) (*review.ActionItem, error) {
	var out *review.ActionItem
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.updateItem(ctx, tx, id, change)
		return err
	})
	return out, err
}

// UpdateItems runs the read-modify-write of UpdateItem over several items
// in one transaction: all of them change, or none does.
func (s *Reviews) UpdateItems(ctx context.Context, ids []int64, change func(*review.ActionItem) (*incident.Event, bool, error)) ([]*review.ActionItem, error) {
	var out []*review.ActionItem
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		for _, id := range ids {
			it, err := s.updateItem(ctx, tx, id, change)
			if err != nil {
				return err
			}
			out = append(out, it)
		}
		return nil
	})
	return out, err
}

func (s *Reviews) updateItem(ctx context.Context, tx *sql.Tx, id int64, change func(*review.ActionItem) (*incident.Event, bool, error)) (*review.ActionItem, error) {
	db := s.db
	it, err := s.getItem(ctx, tx, id, db.forUpdate())
	if err != nil {
		return nil, err
	}
	ev, push, err := change(it)
	if err != nil {
		return nil, err
	}
	if err := s.writeItem(ctx, tx, it); err != nil {
		return nil, err
	}
	if ev != nil {
		if err := db.Incidents().appendEvents(ctx, tx, it.IncidentID, []incident.Event{*ev}); err != nil {
			return nil, err
		}
	}
	if push && it.Link.Tracker != "" && s.EnqueueSync != nil {
		if err := s.EnqueueSync(ctx, tx, it.ID, "push"); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE action_items SET tracker_pending = tracker_pending + 1 WHERE id = $1", it.ID); err != nil {
			return nil, fmt.Errorf("count pending push: %w", err)
		}
		it.Link.Pending++
	}
	return it, nil
}

func (s *Reviews) writeItem(ctx context.Context, q queryer, it *review.ActionItem) error {
	db := s.db
	_, err := q.ExecContext(ctx, `UPDATE action_items SET title = $1, description = $2, category = $3, term = $4, owner = $5,
		due_at = $6, status = $7, task_force = $8, tracker = $9, tracker_key = $10, tracker_url = $11, tracker_state = $12,
		tracker_error = $13, tracker_synced_at = $14, updated_at = $15, done_at = $16 WHERE id = $17`,
		it.Title, it.Description, string(it.Category), string(it.Term), it.Owner, db.tp(it.DueAt), string(it.Status), it.TaskForce,
		string(it.Link.Tracker), it.Link.Key, it.Link.URL, it.Link.State, it.Link.Error, db.tp(it.Link.SyncedAt), db.t(it.UpdatedAt),
		db.tp(it.DoneAt), it.ID)
	if err != nil {
		return fmt.Errorf("update action item: %w", err)
	}
	return nil
}

// SetTrackerLink records an item's issue (or the last sync error) and,
// when given, an event on its incident's timeline.
func (s *Reviews) SetTrackerLink(ctx context.Context, id int64, link review.TrackerLink, ev *incident.Event) error {
	db := s.db
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE action_items SET tracker = $1, tracker_key = $2, tracker_url = $3, tracker_state = $4,
			tracker_error = $5, tracker_synced_at = $6 WHERE id = $7`,
			string(link.Tracker), link.Key, link.URL, link.State, link.Error, db.tp(link.SyncedAt), id)
		if err != nil {
			return fmt.Errorf("set tracker link: %w", err)
		}
		if ev == nil {
			return nil
		}
		return db.Incidents().appendEvents(ctx, tx, ev.IncidentID, []incident.Event{*ev})
	})
}

// Pushed records a successful push: the link as the tracker now has it,
// and pushed fewer changes pending (those made during the push remain).
func (s *Reviews) Pushed(ctx context.Context, id int64, link review.TrackerLink, pushed int) error {
	_, err := s.db.SQL.ExecContext(ctx, `UPDATE action_items SET tracker = $1, tracker_key = $2, tracker_url = $3, tracker_state = $4,
		tracker_error = $5, tracker_synced_at = $6,
		tracker_pending = CASE WHEN tracker_pending > $7 THEN tracker_pending - $8 ELSE 0 END WHERE id = $9`,
		string(link.Tracker), link.Key, link.URL, link.State, link.Error, s.db.tp(link.SyncedAt), pushed, pushed, id)
	if err != nil {
		return fmt.Errorf("record push: %w", err)
	}
	return nil
}

// ListItems returns the items that match f, by id (or, for one tracker's
// items, least recently synced first, so polls go round them all).
func (s *Reviews) ListItems(ctx context.Context, f review.ItemFilter) ([]*review.ActionItem, error) {
	var a args
	var where []string
	if len(f.IncidentIDs) > 0 {
		vs := make([]any, len(f.IncidentIDs))
		for i, id := range f.IncidentIDs {
			vs[i] = id
		}
		where = append(where, "incident_id IN "+a.in(vs))
	}
	if len(f.Statuses) > 0 {
		vs := make([]any, len(f.Statuses))
		for i, st := range f.Statuses {
			vs[i] = string(st)
		}
		where = append(where, "status IN "+a.in(vs))
	}
	for col, v := range map[string]string{"term": string(f.Term), "category": string(f.Category), "owner": f.Owner,
		"task_force": f.TaskForce, "tracker": string(f.Tracker)} {
		if v != "" {
			where = append(where, col+" = "+a.add(v))
		}
	}
	if f.DueBefore != nil {
		where = append(where, "due_at IS NOT NULL AND due_at <= "+a.add(s.db.t(*f.DueBefore)))
	}
	if f.NotEscalated {
		where = append(where, "NOT EXISTS (SELECT 1 FROM action_item_notices n WHERE n.item_id = action_items.id AND n.kind = "+
			a.add(review.NoticeEscalation)+" AND n.due_at = action_items.due_at)")
	}
	if f.VisibleTo != "" { // in the query, so a page and its cursor never count a hidden item
		where = append(where, "incident_id IN (SELECT i.id FROM incidents i WHERE i.visibility <> 'restricted' OR EXISTS "+
			"(SELECT 1 FROM incident_members m WHERE m.incident_id = i.id AND m.user_name = "+a.add(f.VisibleTo)+"))")
	}
	order := " ORDER BY id"
	if f.Tracker != "" {
		where = append(where, "tracker_key <> ''")
		order = " ORDER BY tracker_synced_at NULLS FIRST, id"
	} else if f.AfterID > 0 {
		where = append(where, "id > "+a.add(f.AfterID))
	}
	q := "SELECT " + itemColumns + " FROM action_items"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q += order + " LIMIT " + a.add(limit)
	out, err := queryList(ctx, s.db.SQL, scanItem, q, a...)
	if err != nil {
		return nil, fmt.Errorf("list action items: %w", err)
	}
	return out, nil
}

// ItemByTrackerKey finds the item linked to an issue.
func (s *Reviews) ItemByTrackerKey(ctx context.Context, t review.Tracker, key string) (*review.ActionItem, error) {
	it, err := scanItem(s.db.SQL.QueryRowContext(ctx, "SELECT "+itemColumns+" FROM action_items WHERE tracker = $1 AND tracker_key = $2",
		string(t), key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fail.New(fail.NotFound, "no action item is linked to %s issue %s", t, key)
	}
	if err != nil {
		return nil, fmt.Errorf("item by tracker key: %w", err)
	}
	return it, nil
}

// CommonItems returns the titles earlier items of a category used most.
// Suggestions are shown to everyone, so items of restricted incidents are
// left out: neither their titles nor their counts show.
func (s *Reviews) CommonItems(ctx context.Context, category review.Category, limit int) ([]review.Suggestion, error) {
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT MIN(a.title), COUNT(*) AS n FROM action_items a
		JOIN incidents i ON i.id = a.incident_id WHERE a.category = $1 AND i.visibility <> 'restricted'
		GROUP BY LOWER(a.title) ORDER BY n DESC, MIN(a.title) LIMIT $2`, string(category), limit)
	if err != nil {
		return nil, fmt.Errorf("common action items: %w", err)
	}
	defer rows.Close()
	out := []review.Suggestion{}
	for rows.Next() {
		sg := review.Suggestion{Category: category}
		if err := rows.Scan(&sg.Title, &sg.Count); err != nil {
			return nil, err
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

// RecurrenceCandidates returns the incidents before inc to compare it with:
// up to limit that started since the given time, newest first, for the
// text comparison, and up to limit more of any age that share a service
// and a cause tag with it, found in the query, so an old incident of the
// same cause is never crowded out by newer ones.
func (s *Reviews) RecurrenceCandidates(ctx context.Context, inc *incident.Incident, since time.Time, limit int) ([]*incident.Incident, error) {
	// Earlier means started earlier (an imported past incident has a higher
	// number than the ones it precedes); on the same start, the lower number.
	started := s.db.t(inc.StartedAt)
	recent, err := s.listIncidents(ctx, `i.id <> $1 AND (i.started_at < $2 OR (i.started_at = $2 AND i.id < $1))
		AND i.started_at >= $3 ORDER BY i.started_at DESC, i.id DESC LIMIT $4`, inc.ID, started, s.db.t(since), limit)
	if err != nil || len(inc.Services) == 0 || len(inc.CauseTags) == 0 {
		return recent, err
	}
	var a args
	services, causes := make([]any, len(inc.Services)), make([]any, len(inc.CauseTags))
	for i, v := range inc.Services {
		services[i] = v
	}
	for i, v := range inc.CauseTags {
		causes[i] = v
	}
	// cause_tags is a JSON array of strings; each dialect unpacks it its way.
	tags := "json_each(i.cause_tags) AS c"
	if s.db.Dialect == Postgres {
		tags = "jsonb_array_elements_text(i.cause_tags::jsonb) AS c(value)"
	}
	id := a.add(inc.ID)
	at := a.add(started)
	where := "i.id <> " + id + " AND (i.started_at < " + at + " OR (i.started_at = " + at + " AND i.id < " + id + "))" +
		" AND EXISTS (SELECT 1 FROM incident_services sv WHERE sv.incident_id = i.id AND sv.service IN " + a.in(services) + ")" +
		" AND EXISTS (SELECT 1 FROM " + tags + " WHERE c.value IN " + a.in(causes) + ")" +
		" ORDER BY i.started_at DESC, i.id DESC LIMIT " + a.add(limit)
	same, err := s.listIncidents(ctx, where, a...)
	if err != nil {
		return nil, fmt.Errorf("recurrence candidates: %w", err)
	}
	for _, x := range same {
		if !slices.ContainsFunc(recent, func(r *incident.Incident) bool { return r.ID == x.ID }) {
			recent = append(recent, x)
		}
	}
	return recent, nil
}

// IncidentsToCheck returns up to limit incidents changed since t and not
// checked for recurrence since their last change, the most recently
// changed first.
func (s *Reviews) IncidentsToCheck(ctx context.Context, since time.Time, limit int) ([]*incident.Incident, error) {
	return s.listIncidents(ctx, `i.updated_at >= $1 AND NOT EXISTS (SELECT 1 FROM recurrence_checks c
		WHERE c.incident_id = i.id AND c.checked_at >= i.updated_at) ORDER BY i.updated_at DESC, i.id DESC LIMIT $2`, s.db.t(since), limit)
}

// MarkChecked records that an incident was checked for recurrence as it
// stood at its last change.
func (s *Reviews) MarkChecked(ctx context.Context, inc *incident.Incident) error {
	_, err := s.db.SQL.ExecContext(ctx, `INSERT INTO recurrence_checks (incident_id, checked_at) VALUES ($1, $2)
		ON CONFLICT (incident_id) DO UPDATE SET checked_at = excluded.checked_at`, inc.ID, s.db.t(inc.UpdatedAt))
	if err != nil {
		return fmt.Errorf("mark recurrence checked: %w", err)
	}
	return nil
}

// IncidentsByID loads the named incidents with their services and members.
// Callers pass bounded lists (one page of items).
func (s *Reviews) IncidentsByID(ctx context.Context, ids []int64) ([]*incident.Incident, error) {
	var out []*incident.Incident
	for chunk := range slices.Chunk(ids, 500) {
		var a args
		vs := make([]any, len(chunk))
		for i, id := range chunk {
			vs[i] = id
		}
		incs, err := s.listIncidents(ctx, "i.id IN "+a.in(vs), a...)
		if err != nil {
			return nil, err
		}
		out = append(out, incs...)
	}
	return out, nil
}

func (s *Reviews) listIncidents(ctx context.Context, where string, a ...any) ([]*incident.Incident, error) {
	return s.db.Incidents().queryIncidents(ctx, "SELECT "+incidentColumns+" FROM incidents i WHERE "+where, a)
}

// SaveMatches stores the matches not stored yet and, if there are any, the
// event that records them, in one transaction.
func (s *Reviews) SaveMatches(ctx context.Context, incidentID int64, ms []review.Match, ev func([]review.Match) incident.Event) ([]review.Match, error) {
	db := s.db
	var fresh []review.Match
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		fresh = nil
		for _, m := range ms {
			res, err := tx.ExecContext(ctx, `INSERT INTO incident_recurrences (incident_id, earlier_id, reason, score, shared, found_at)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (incident_id, earlier_id) DO NOTHING`,
				incidentID, m.EarlierID, m.Reason, m.Score, jsonText{m.Shared}, db.t(ev(nil).At))
			if err != nil {
				return fmt.Errorf("save recurrence: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				fresh = append(fresh, m)
			}
		}
		if len(fresh) == 0 {
			return nil
		}
		if err := db.markRecurs(ctx, tx, incidentID); err != nil {
			return err
		}
		return db.Incidents().appendEvents(ctx, tx, incidentID, []incident.Event{ev(fresh)})
	})
	return fresh, err
}

// Matches returns an incident's stored recurrence matches, newest earlier
// incident first.
func (s *Reviews) Matches(ctx context.Context, incidentID int64) ([]review.Match, error) {
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT r.earlier_id, r.reason, r.score, r.shared, i.title, i.started_at
		FROM incident_recurrences r JOIN incidents i ON i.id = r.earlier_id WHERE r.incident_id = $1 ORDER BY r.earlier_id DESC LIMIT 50`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("list recurrences: %w", err)
	}
	defer rows.Close()
	out := []review.Match{}
	for rows.Next() {
		m := review.Match{IncidentID: incidentID}
		var started scanTime
		if err := rows.Scan(&m.EarlierID, &m.Reason, &m.Score, scanJSON{&m.Shared}, &m.Title, &started); err != nil {
			return nil, err
		}
		m.Earlier, m.StartedAt = incident.FormatRef(m.EarlierID), started.Time
		out = append(out, m)
	}
	return out, rows.Err()
}

// RecordNotice stores a reminder or escalation once, with its event and its
// message; it returns false when it had been given already.
func (s *Reviews) RecordNotice(ctx context.Context, n review.Notice, ev incident.Event) (bool, error) {
	db := s.db
	given := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO action_item_notices (item_id, key, kind, recipient, subject, body, given_at, due_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (item_id, key) DO NOTHING`,
			n.ItemID, n.Key, n.Kind, n.To, n.Subject, n.Text, db.t(ev.At), db.t(n.DueAt))
		if err != nil {
			return fmt.Errorf("record notice: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return nil
		}
		given = true
		if err := db.Incidents().appendEvents(ctx, tx, n.IncidentID, []incident.Event{ev}); err != nil {
			return err
		}
		if s.SendNotice != nil && n.To != "" { // no one to escalate to: the timeline has it
			return s.SendNotice(ctx, tx, n)
		}
		return nil
	})
	return given, err
}

// DueDatesNear returns the due dates of open items (open or in progress)
// due at or before until whose due date is at or after from or which changed
// after changed: the items a review sweep could newly owe a notice. It
// reads only an index's worth of rows on a quiet database.
func (s *Reviews) DueDatesNear(ctx context.Context, from, until, changed time.Time) ([]review.DueDate, error) {
	out, err := queryList(ctx, s.db.SQL, func(row rowScanner) (review.DueDate, error) {
		var due scanTime
		var d review.DueDate
		err := row.Scan(&due, &d.Changed)
		d.Due = due.Time
		return d, err
	}, `SELECT due_at, CASE WHEN updated_at > $3 THEN 1 ELSE 0 END FROM action_items
		WHERE status IN ('open', 'in_progress') AND due_at IS NOT NULL AND due_at <= $1 AND (due_at >= $2 OR updated_at > $3)`,
		s.db.t(until), s.db.t(from), s.db.t(changed))
	if err != nil {
		return nil, fmt.Errorf("due dates near: %w", err)
	}
	return out, nil
}
