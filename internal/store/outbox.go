package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/batch"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/notify"
)

// Outbox implements notify.Store.
type Outbox struct {
	db    *DB
	group *batch.Group[func(*sql.Tx) error]
	// outcomes writes deliveries' outcomes in shared rounds on PostgreSQL
	// (see FinishShared).
	outcomes *batch.Group[*outcome]
}

// Outbox returns a store of outbound messages. Keep one per process: its
// shared transactions group the writes of concurrent deliveries.
func (db *DB) Outbox() *Outbox {
	s := &Outbox{db: db, group: newTxGroup(db)}
	s.outcomes = newOutcomeGroup(s)
	return s
}

// InTx runs fn in a transaction and commits when it returns nil.
func (s *Outbox) InTx(ctx context.Context, fn func(*sql.Tx) error) error { return s.db.inTx(ctx, fn) }

// InSharedTx runs fn in a transaction it may share with other callers' (see
// newTxGroup); fn must only write what it alone touches.
//
// On PostgreSQL each caller gets a transaction of its own. A shared round
// runs its callers' statements one after another on one connection, a
// network round trip each: 200 deliveries made some 800 round trips in a
// row, and that queue, not the database's work, was most of a declaration's
// time (docs/benchmarks.md, "Declare → 200 messages"). PostgreSQL runs the
// transactions side by side on the pool's connections and flushes
// concurrent commits together (its own group commit), so sharing buys
// nothing there. SQLite has one writer and a disk flush per commit, so it
// keeps the shared rounds.
func (s *Outbox) InSharedTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.db.Dialect == Postgres {
		return s.db.inTx(ctx, fn)
	}
	return s.group.Do(ctx, fn)
}

const messageColumns = `id, msg_key, incident_id, event_id, channel, target, target_key, address, lang, thread, fallback,
	subject, body_text, body_html, payload, status, attempts, last_error, external_id, created_at, sent_at, failed_at`

// InsertMessages stores the messages whose key is new, with one statement
// per chunk on SQLite and one for all on PostgreSQL (insertMessagesSQL): a
// declaration stores hundreds at once, and on PostgreSQL a statement each
// was a network round trip each inside the declaring transaction. The ids
// come back by key; added keeps the order of msgs.
func (s *Outbox) InsertMessages(ctx context.Context, tx *sql.Tx, msgs []notify.Message) ([]notify.Message, error) {
	var added []notify.Message
	size := chunk
	if s.db.Dialect == Postgres {
		size = len(msgs) // one statement of arrays (insertMessagesSQL)
	}
	for i := 0; i < len(msgs); i += size {
		part := msgs[i:min(i+size, len(msgs))]
		var rows *sql.Rows
		var err error
		if s.db.Dialect == Postgres {
			rows, err = s.insertMessagesPostgres(ctx, tx, part)
		} else {
			rows, err = s.insertMessagesValues(ctx, tx, part)
		}
		if err != nil {
			return nil, fmt.Errorf("insert outbound messages: %w", err)
		}
		ids := make(map[string]int64, len(part))
		for rows.Next() {
			var id int64
			var key string
			if err := rows.Scan(&id, &key); err != nil {
				rows.Close()
				return nil, fmt.Errorf("insert outbound messages: %w", err)
			}
			ids[key] = id
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("insert outbound messages: %w", err)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("insert outbound messages: %w", err)
		}
		for _, m := range part {
			id, ok := ids[m.Key]
			if !ok {
				continue // stored before, or twice in msgs
			}
			delete(ids, m.Key)
			m.ID = id
			added = append(added, m)
		}
	}
	return added, nil
}

// insertMessagesValues inserts part as one VALUES list (SQLite).
func (s *Outbox) insertMessagesValues(ctx context.Context, tx *sql.Tx, part []notify.Message) (*sql.Rows, error) {
	const columns = 16 // a chunk stays far below SQLite's limit on parameters
	var a args
	values := make([]string, len(part))
	for j, m := range part {
		ph := make([]string, 0, columns)
		for _, v := range []any{m.Key, nullID(m.IncidentID), nullID(m.EventID), string(m.Channel), m.Target, m.TargetKey,
			m.To, m.Lang, m.Thread, m.Fallback, m.Subject, m.Text, m.HTML, string(m.Payload), string(m.Status),
			s.db.t(m.CreatedAt)} {
			ph = append(ph, a.add(v))
		}
		values[j] = "(" + strings.Join(ph, ", ") + ")"
	}
	return tx.QueryContext(ctx, s.db.rebind(`INSERT INTO outbound_messages (msg_key, incident_id, event_id, channel,
		target, target_key, address, lang, thread, fallback, subject, body_text, body_html, payload, status, created_at)
		VALUES `+strings.Join(values, ", ")+` ON CONFLICT (msg_key) DO NOTHING RETURNING id, msg_key`), a...)
}

// insertMessagesSQL inserts a declaration's messages from one array per
// column, in the order given. A VALUES list of 200 messages was 3,200
// parameters, a statement text of its own per size for PostgreSQL to parse
// and plan each time (some 50 ms of the declaring transaction on a busy
// machine); this text is the same for any number of messages.
const insertMessagesSQL = `INSERT INTO outbound_messages (msg_key, incident_id, event_id, channel, target,
		target_key, address, lang, thread, fallback, subject, body_text, body_html, payload, status, created_at)
	SELECT msg_key, incident_id, event_id, channel, target, target_key, address, lang, thread, fallback,
		subject, body_text, body_html, payload, status, created_at
	FROM unnest(
		$1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
		$9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::timestamptz[]
	) WITH ORDINALITY AS m (msg_key, incident_id, event_id, channel, target, target_key, address, lang, thread,
		fallback, subject, body_text, body_html, payload, status, created_at, ord)
	ORDER BY ord
	ON CONFLICT (msg_key) DO NOTHING
	RETURNING id, msg_key`

// insertMessagesPostgres inserts part with insertMessagesSQL.
func (s *Outbox) insertMessagesPostgres(ctx context.Context, tx *sql.Tx, part []notify.Message) (*sql.Rows, error) {
	n := len(part)
	keys, channels, targets, targetKeys := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	addresses, langs, threads, fallbacks := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	subjects, texts, htmls, payloads, statuses := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	incidents, events := make([]*int64, n), make([]*int64, n)
	created := make([]time.Time, n)
	for i, m := range part {
		keys[i], channels[i], targets[i], targetKeys[i] = m.Key, string(m.Channel), m.Target, m.TargetKey
		addresses[i], langs[i], threads[i], fallbacks[i] = m.To, m.Lang, m.Thread, m.Fallback
		subjects[i], texts[i], htmls[i], payloads[i], statuses[i] = m.Subject, m.Text, m.HTML, string(m.Payload), string(m.Status)
		if m.IncidentID != 0 {
			incidents[i] = &part[i].IncidentID
		}
		if m.EventID != 0 {
			events[i] = &part[i].EventID
		}
		created[i] = m.CreatedAt.UTC()
	}
	return tx.QueryContext(ctx, insertMessagesSQL,
		keys,
		incidents,
		events,
		channels,
		targets,
		targetKeys,
		addresses,
		langs,
		threads,
		fallbacks,
		subjects,
		texts,
		htmls,
		payloads,
		statuses,
		created,
	)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func scanMessage(row interface{ Scan(...any) error }) (*notify.Message, error) {
	var m notify.Message
	var incidentID, eventID sql.NullInt64
	var payload string
	var created, sent, failed scanTime
	err := row.Scan(&m.ID, &m.Key, &incidentID, &eventID, &m.Channel, &m.Target, &m.TargetKey, &m.To, &m.Lang, &m.Thread,
		&m.Fallback, &m.Subject, &m.Text, &m.HTML, &payload, &m.Status, &m.Attempts, &m.LastError, &m.ExternalID,
		&created, &sent, &failed)
	if err != nil {
		return nil, err
	}
	m.IncidentID, m.EventID = incidentID.Int64, eventID.Int64
	if payload != "" {
		m.Payload = []byte(payload)
	}
	m.CreatedAt, m.SentAt, m.FailedAt = created.Time, sent.ptr(), failed.ptr()
	return &m, nil
}

// Message loads one stored message.
func (s *Outbox) Message(ctx context.Context, id int64) (*notify.Message, error) {
	m, err := scanMessage(s.db.SQL.QueryRowContext(ctx, "SELECT "+messageColumns+" FROM outbound_messages WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fail.New(fail.NotFound, "outbound message %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get outbound message: %w", err)
	}
	return m, nil
}

// IncidentMessages returns up to limit messages of an incident with an id
// above after, oldest first.
func (s *Outbox) IncidentMessages(ctx context.Context, incidentID, after int64, limit int) ([]notify.Message, error) {
	rows, err := s.db.SQL.QueryContext(ctx, "SELECT "+messageColumns+` FROM outbound_messages
		WHERE incident_id = $1 AND id > $2 ORDER BY id LIMIT $3`, incidentID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list outbound messages: %w", err)
	}
	defer rows.Close()
	var out []notify.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("list outbound messages: %w", err)
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

// CountByStatus counts stored messages by status.
func (s *Outbox) CountByStatus(ctx context.Context) (map[notify.Status]int, error) {
	rows, err := s.db.SQL.QueryContext(ctx, "SELECT status, COUNT(*) FROM outbound_messages GROUP BY status")
	if err != nil {
		return nil, fmt.Errorf("count outbound messages: %w", err)
	}
	defer rows.Close()
	out := map[notify.Status]int{}
	for rows.Next() {
		var st notify.Status
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// RecordAttempt notes a failed try.
func (s *Outbox) RecordAttempt(ctx context.Context, id int64, reason string) error {
	_, err := s.db.SQL.ExecContext(ctx, `UPDATE outbound_messages SET attempts = attempts + 1, last_error = $1
		WHERE id = $2 AND status = 'pending'`, reason, id)
	if err != nil {
		return fmt.Errorf("record delivery attempt: %w", err)
	}
	return nil
}

// Finish marks a pending message sent or failed and appends ev, if any.
func (s *Outbox) Finish(ctx context.Context, tx *sql.Tx, id int64, st notify.Status, ref, reason string, at time.Time, ev *incident.Event) (bool, error) {
	col := "sent_at"
	if st == notify.Failed {
		col = "failed_at"
	}
	res, err := tx.ExecContext(ctx, `UPDATE outbound_messages SET status = $1, external_id = $2, attempts = attempts + 1,
		last_error = CASE WHEN $3 = '' THEN last_error ELSE $3 END, `+col+` = $4 WHERE id = $5 AND status = 'pending'`,
		string(st), ref, reason, s.db.t(at), id)
	if err != nil {
		return false, fmt.Errorf("finish outbound message: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	if ev != nil {
		evs := []incident.Event{*ev}
		if err := s.db.Incidents().appendEvents(ctx, tx, ev.IncidentID, evs); err != nil {
			return false, err
		}
		*ev = evs[0]
	}
	return true, nil
}

// TakeSlot claims the destination's next send slot in tx: when it is free,
// it moves it every further and returns 0; otherwise it returns the wait.
func (s *Outbox) TakeSlot(ctx context.Context, tx *sql.Tx, destination string, every time.Duration, now time.Time) (time.Duration, error) {
	return s.takeSlot(ctx, tx, destination, every, now)
}

// takeSlot claims the slot with one statement: the upsert takes the row's
// lock, so two replicas cannot both move the same slot, and a free slot
// costs one round trip (it was a SELECT … FOR UPDATE and an UPDATE inside a
// transaction of their own, four round trips on PostgreSQL). Only a busy
// slot reads its time again, to say how long to wait.
func (s *Outbox) takeSlot(ctx context.Context, q queryer, destination string, every time.Duration, now time.Time) (time.Duration, error) {
	var taken scanTime
	err := q.QueryRowContext(ctx, `INSERT INTO delivery_slots (destination, next_at) VALUES ($1, $2)
		ON CONFLICT (destination) DO UPDATE SET next_at = excluded.next_at WHERE delivery_slots.next_at <= $3
		RETURNING next_at`, destination, s.db.t(now.Add(every)), s.db.t(now)).Scan(&taken)
	if err == nil {
		return 0, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("take delivery slot: %w", err)
	}
	var next scanTime
	err = q.QueryRowContext(ctx, "SELECT next_at FROM delivery_slots WHERE destination = $1", destination).Scan(&next)
	if err != nil {
		return 0, fmt.Errorf("take delivery slot: %w", err)
	}
	// The slot only ever moves later, so it is still ahead of now; the
	// floor keeps a clock step from making a zero wait, which means taken.
	return max(next.Time.Sub(now), time.Millisecond), nil
}

// ChatSummary returns the reference of an incident's summary message in a
// chat channel, or "".
func (s *Outbox) ChatSummary(ctx context.Context, incidentID int64, channel string) (string, error) {
	var ref string
	err := s.db.SQL.QueryRowContext(ctx, "SELECT message_ref FROM chat_summaries WHERE incident_id = $1 AND channel = $2",
		incidentID, channel).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("chat summary: %w", err)
	}
	return ref, nil
}

// SetChatSummary remembers an incident's summary message in a chat channel.
func (s *Outbox) SetChatSummary(ctx context.Context, incidentID int64, channel, ref string) error {
	_, err := s.db.SQL.ExecContext(ctx, `INSERT INTO chat_summaries (incident_id, channel, message_ref) VALUES ($1, $2, $3)
		ON CONFLICT (incident_id, channel) DO UPDATE SET message_ref = excluded.message_ref`, incidentID, channel, ref)
	if err != nil {
		return fmt.Errorf("set chat summary: %w", err)
	}
	return nil
}
