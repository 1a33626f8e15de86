package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/flag"
)

// Flags implements flag.Store.
type Flags struct{ db *DB }

// Flags returns the store of kill switches.
func (db *DB) Flags() *Flags { return &Flags{db: db} }

// FlagChannel is the PostgreSQL notification channel a change of a switch
// is announced on, with the switch's key as payload.
const FlagChannel = "firebreak_flags"

const flagColumns = "key, service, description, type, variants, default_variant, rules, enabled, state, incident, source, version, updated_at, updated_by"

func scanFlag(row interface{ Scan(...any) error }) (flag.Switch, error) {
	var s flag.Switch
	var enabled int
	var updated scanTime
	err := row.Scan(
		&s.Key,
		&s.Service,
		&s.Description,
		&s.Type,
		scanJSON{&s.Variants},
		&s.DefaultVariant,
		scanJSON{&s.Rules},
		&enabled,
		&s.State,
		&s.Incident,
		&s.Source,
		&s.Version,
		&updated,
		&s.UpdatedBy,
	)
	s.Enabled, s.UpdatedAt = enabled != 0, updated.Time
	if s.Rules == nil {
		s.Rules = []flag.Rule{}
	}
	return s, err
}

// CreateSwitch stores a new switch, its first revision and its audit entry.
func (s *Flags) CreateSwitch(ctx context.Context, sw *flag.Switch, rev *flag.Revision, audit *auth.AuditEntry) error {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO flags (
				key,
				service,
				description,
				type,
				variants,
				default_variant,
				rules,
				enabled,
				state,
				incident,
				source,
				version,
				updated_at,
				updated_by
			) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			sw.Key,
			sw.Service,
			sw.Description,
			string(sw.Type),
			jsonText{sw.Variants},
			sw.DefaultVariant,
			jsonText{sw.Rules},
			boolInt(sw.Enabled),
			sw.State,
			sw.Incident,
			sw.Source,
			sw.Version,
			s.db.t(sw.UpdatedAt),
			sw.UpdatedBy,
		)
		if err != nil {
			return err
		}
		rev.Version = sw.Version
		return s.record(ctx, tx, rev, audit)
	})
	if isUniqueViolation(err) {
		return &fail.Error{Code: fail.Conflict, Field: "key", Message: fmt.Sprintf("a switch %s exists already", sw.Key)}
	}
	if err != nil {
		return fmt.Errorf("create switch: %w", err)
	}
	return nil
}

// record writes a revision and an audit entry, and on PostgreSQL
// announces the change: the notice is sent when the transaction commits.
func (s *Flags) record(ctx context.Context, tx *sql.Tx, rev *flag.Revision, audit *auth.AuditEntry) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO flag_revisions (
			flag_key,
			version,
			kind,
			at,
			actor,
			reason,
			incident,
			from_val,
			to_val
		) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		rev.Key,
		rev.Version,
		rev.Kind,
		s.db.t(rev.At),
		rev.Actor,
		rev.Reason,
		rev.Incident,
		rev.From,
		rev.To,
	).Scan(&rev.ID)
	if err != nil {
		return fmt.Errorf("record switch revision: %w", err)
	}
	if err := s.db.appendAudit(ctx, tx, audit); err != nil {
		return err
	}
	if s.db.Dialect == Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_notify($1, $2)", FlagChannel, rev.Key); err != nil {
			return fmt.Errorf("announce switch change: %w", err)
		}
	}
	return nil
}

// UpdateSwitch changes a switch under a row lock, with its revision and
// audit entry, one version up.
func (s *Flags) UpdateSwitch(ctx context.Context, key string, change flag.Change) (flag.Switch, flag.Revision, error) {
	return s.updateSwitchThen(ctx, key, change, nil)
}

// updateSwitchThen is UpdateSwitch that runs then, when not nil, in the
// same transaction with what was stored.
func (s *Flags) updateSwitchThen(ctx context.Context, key string, change flag.Change,
	then func(tx *sql.Tx, next flag.Switch, rev flag.Revision) error) (flag.Switch, flag.Revision, error) {
	var next flag.Switch
	var rev flag.Revision
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanFlag(tx.QueryRowContext(ctx, "SELECT "+flagColumns+" FROM flags WHERE key = $1"+s.db.forUpdate(), key))
		if errors.Is(err, sql.ErrNoRows) {
			return fail.New(fail.NotFound, "no switch %q", key)
		}
		if err != nil {
			return fmt.Errorf("update switch: %w", err)
		}
		n, r, audit, err := change(cur)
		if err != nil {
			return err
		}
		n.Key, n.Version = cur.Key, cur.Version+1
		_, err = tx.ExecContext(ctx, `UPDATE flags SET
				service = $1,
				description = $2,
				type = $3,
				variants = $4,
				default_variant = $5,
				rules = $6,
				enabled = $7,
				state = $8,
				incident = $9,
				source = $10,
				version = $11,
				updated_at = $12,
				updated_by = $13
			WHERE key = $14`,
			n.Service,
			n.Description,
			string(n.Type),
			jsonText{n.Variants},
			n.DefaultVariant,
			jsonText{n.Rules},
			boolInt(n.Enabled),
			n.State,
			n.Incident,
			n.Source,
			n.Version,
			s.db.t(n.UpdatedAt),
			n.UpdatedBy,
			key,
		)
		if err != nil {
			return fmt.Errorf("update switch: %w", err)
		}
		r.Key, r.Version = key, n.Version
		if err := s.record(ctx, tx, r, audit); err != nil {
			return err
		}
		next, rev = n, *r
		if then != nil {
			return then(tx, next, rev)
		}
		return nil
	})
	return next, rev, err
}

// GetSwitch returns one switch.
func (s *Flags) GetSwitch(ctx context.Context, key string) (flag.Switch, error) {
	sw, err := scanFlag(s.db.SQL.QueryRowContext(ctx, "SELECT "+flagColumns+" FROM flags WHERE key = $1", key))
	if errors.Is(err, sql.ErrNoRows) {
		return flag.Switch{}, fail.New(fail.NotFound, "no switch %q", key)
	}
	if err != nil {
		return flag.Switch{}, fmt.Errorf("get switch: %w", err)
	}
	return sw, nil
}

// ListSwitches returns the switches of the services (all for nil), by key.
func (s *Flags) ListSwitches(ctx context.Context, services []string, limit int) ([]flag.Switch, error) {
	a := &args{}
	q := "SELECT " + flagColumns + " FROM flags"
	if services != nil {
		if len(services) == 0 {
			return []flag.Switch{}, nil
		}
		vs := make([]any, len(services))
		for i, sv := range services {
			vs[i] = sv
		}
		q += " WHERE service IN " + a.in(vs)
	}
	q += " ORDER BY key LIMIT " + a.add(limit)
	return s.list(ctx, q, *a...)
}

// ListFlipped returns flipped switches that name an incident.
func (s *Flags) ListFlipped(ctx context.Context, limit int) ([]flag.Switch, error) {
	return s.list(ctx, "SELECT "+flagColumns+" FROM flags WHERE state <> '' AND incident <> '' ORDER BY key LIMIT $1", limit)
}

func (s *Flags) list(ctx context.Context, q string, qargs ...any) ([]flag.Switch, error) {
	out, err := queryList(ctx, s.db.SQL, scanFlag, q, qargs...)
	if err != nil {
		return nil, fmt.Errorf("list switches: %w", err)
	}
	return out, nil
}

// Revisions returns a switch's newest revisions first.
func (s *Flags) Revisions(ctx context.Context, key string, limit int) ([]flag.Revision, error) {
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT id, flag_key, version, kind, at, actor, reason, incident, from_val, to_val
		FROM flag_revisions WHERE flag_key = $1 ORDER BY id DESC LIMIT $2`, key, limit)
	if err != nil {
		return nil, fmt.Errorf("switch revisions: %w", err)
	}
	defer rows.Close()
	out := []flag.Revision{}
	for rows.Next() {
		var r flag.Revision
		var at scanTime
		if err := rows.Scan(&r.ID, &r.Key, &r.Version, &r.Kind, &at, &r.Actor, &r.Reason, &r.Incident, &r.From, &r.To); err != nil {
			return nil, fmt.Errorf("switch revisions: %w", err)
		}
		r.At = at.Time
		out = append(out, r)
	}
	return out, rows.Err()
}

// ChangeMark returns the newest revision's id: every change writes one.
func (s *Flags) ChangeMark(ctx context.Context) (int64, error) {
	var mark int64
	if err := s.db.SQL.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM flag_revisions").Scan(&mark); err != nil {
		return 0, fmt.Errorf("switch change mark: %w", err)
	}
	return mark, nil
}

// ListenFlags holds one connection of the pool listening on FlagChannel
// and calls notify for each change announced, until ctx ends or the
// connection fails (the error is then returned, and the caller listens
// again). ready is called once listening. On SQLite it returns at once
// with an error: there is nothing to listen to.
func (s *Flags) ListenFlags(ctx context.Context, ready, notify func()) error {
	if s.db.Dialect != Postgres {
		return errors.New("flag change notices need PostgreSQL")
	}
	return s.db.listen(ctx, FlagChannel, ready, notify)
}

// listen holds one connection of the pool listening on channel and calls
// notify for each notice, until ctx ends (nil) or the connection fails.
func (db *DB) listen(ctx context.Context, channel string, ready, notify func()) error {
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		if _, err := pc.Exec(ctx, "LISTEN "+channel); err != nil {
			return errors.Join(err, driver.ErrBadConn)
		}
		ready()
		for {
			if _, err := pc.WaitForNotification(ctx); err != nil {
				// The listening connection is never handed to another
				// query: ErrBadConn makes the pool discard it.
				return errors.Join(err, driver.ErrBadConn)
			}
			notify()
		}
	})
	if ctx.Err() != nil {
		return nil
	}
	return err
}
