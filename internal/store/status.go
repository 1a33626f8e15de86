package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/statuspage"
)

// StatusIncidents returns the incidents a status page shows (see
// statuspage.Store): open ones newest first, or those resolved since
// q.ResolvedFrom by latest resolution.
func (s *Incidents) StatusIncidents(ctx context.Context, q statuspage.Query) ([]*incident.Incident, error) {
	var a args
	vis := make([]any, len(q.Visibilities))
	for i, v := range q.Visibilities {
		vis[i] = string(v)
	}
	where := "i.visibility IN " + a.in(vis)
	order := "i.id DESC"
	if q.Open {
		where += " AND i.status IN ('investigating', 'identified', 'monitoring')"
	} else {
		where += " AND i.status IN ('resolved', 'closed') AND i.resolved_at >= " + a.add(s.db.t(q.ResolvedFrom))
		order = "i.resolved_at DESC, i.id DESC"
	}
	return s.queryIncidents(ctx, "SELECT "+incidentColumns+" FROM incidents i WHERE "+where+
		" ORDER BY "+order+" LIMIT "+a.add(q.Limit), a)
}

// jsonTrue is the condition that the JSON text column col holds true under
// key. The dialects read JSON differently; this is the one marked variant.
func (db *DB) jsonTrue(col, key string) string {
	if db.Dialect == Postgres {
		return "(" + col + "::jsonb ->> '" + key + "') = 'true'"
	}
	return "json_extract(" + col + ", '$." + key + "') = 1"
}

// StatusUpdates returns up to perIncident newest status updates of each
// incident, newest first; only public ones when publicOnly. One query for
// all the incidents, bounded per incident by a window.
func (s *Incidents) StatusUpdates(ctx context.Context, ids []int64, publicOnly bool, perIncident int) (map[int64][]incident.Event, error) {
	out := map[int64][]incident.Event{}
	if len(ids) == 0 {
		return out, nil
	}
	var a args
	in := make([]any, len(ids))
	for i, id := range ids {
		in[i] = id
	}
	where := "incident_id IN " + a.in(in) + " AND kind = " + a.add(string(incident.EventStatusUpdate))
	if publicOnly {
		where += " AND " + s.db.jsonTrue("data", "public")
	}
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT id, incident_id, at, actor, kind, data FROM (
		SELECT id, incident_id, at, actor, kind, data, ROW_NUMBER() OVER (PARTITION BY incident_id ORDER BY id DESC) AS n
		FROM timeline_events WHERE `+where+`) e WHERE n <= `+a.add(perIncident)+` ORDER BY incident_id, id DESC`, a...)
	if err != nil {
		return nil, fmt.Errorf("status updates: %w", err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, err
	}
	for _, ev := range evs {
		out[ev.IncidentID] = append(out[ev.IncidentID], ev)
	}
	return out, nil
}

// UpdateClocks returns where each incident stands against its update
// cadence: its last status update (or its creation) and Firebreak's last
// reminder since. One query for all the incidents.
func (s *Incidents) UpdateClocks(ctx context.Context, incs []*incident.Incident) (map[int64]incident.Cadence, error) {
	out := make(map[int64]incident.Cadence, len(incs))
	if len(incs) == 0 {
		return out, nil
	}
	var a args
	in := make([]any, len(incs))
	for i, inc := range incs {
		in[i] = inc.ID
		out[inc.ID] = incident.Cadence{LastUpdate: inc.CreatedAt}
	}
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT incident_id, kind, MAX(at) FROM timeline_events
		WHERE incident_id IN `+a.in(in)+` AND kind IN (`+a.add(string(incident.EventStatusUpdate))+`, `+
		a.add(string(incident.EventUpdateOverdue))+`) GROUP BY incident_id, kind`, a...)
	if err != nil {
		return nil, fmt.Errorf("update clocks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind string
		var at scanTime
		if err := rows.Scan(&id, &kind, &at); err != nil {
			return nil, fmt.Errorf("update clocks: %w", err)
		}
		c := out[id]
		if incident.EventKind(kind) == incident.EventStatusUpdate {
			if at.Time.After(c.LastUpdate) {
				c.LastUpdate = at.Time
			}
		} else {
			c.LastReminder = at.Time
		}
		out[id] = c
	}
	return out, rows.Err()
}

// AppendEventWith adds one event to an incident's timeline and runs also in
// the same transaction, so that what follows from the event (a message in
// the outbox, say) is stored with it or not at all. also may be nil.
func (s *Incidents) AppendEventWith(ctx context.Context, ev *incident.Event, also func(ctx context.Context, tx *sql.Tx) error) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		evs := []incident.Event{*ev}
		if err := s.appendEvents(ctx, tx, ev.IncidentID, evs); err != nil {
			return err
		}
		*ev = evs[0]
		if also == nil {
			return nil
		}
		return also(ctx, tx)
	})
}
