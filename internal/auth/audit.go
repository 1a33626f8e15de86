package auth

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// SystemActor is the actor of changes made by an operator on the database
// directly (the CLI's admin commands) or by Firebreak itself.
const SystemActor = "firebreak"

// AuditEntry is one line of the audit log: who did what to which target,
// when, and the state before and after (JSON, null when there was none).
type AuditEntry struct {
	ID     int64           `json:"id"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	Target string          `json:"target"`
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
}

// AuditLog keeps the audit log. It only ever appends.
type AuditLog interface {
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// LatestAudit returns the newest entry of the action on the target,
	// or nil when there is none.
	LatestAudit(ctx context.Context, action, target string) (*AuditEntry, error)
	// ListAudit returns up to limit entries with ids below before (0: the
	// newest), newest first.
	ListAudit(ctx context.Context, before int64, limit int) ([]AuditEntry, error)
}

// NewAuditEntry describes a change made now by actor; before and after are
// any JSON-encodable values (nil for none).
func NewAuditEntry(now time.Time, actor, action, target string, before, after any) *AuditEntry {
	return &AuditEntry{At: now.UTC(), Actor: actor, Action: action, Target: target, Before: toJSON(before), After: toJSON(after)}
}

func (s *Service) entry(actor, action, target string, before, after any) *AuditEntry {
	return NewAuditEntry(s.now(), actor, action, target, before, after)
}

func toJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(err.Error())
	}
	return b
}

// MaxAuditPage bounds one page of the audit log.
const MaxAuditPage = 500

// Audit returns a page of the audit log to an organisation admin.
func (s *Service) Audit(ctx context.Context, by User, before int64, limit int) ([]AuditEntry, error) {
	if !by.IsAdmin() {
		return nil, fail.New(fail.Forbidden, "the audit log is for organisation admins")
	}
	if limit < 1 || limit > MaxAuditPage {
		return nil, fail.Field("limit", "must be 1-%d", MaxAuditPage)
	}
	return s.store.ListAudit(ctx, before, limit)
}

// Record appends an entry that some other part of Firebreak made (an
// incident's visibility changed, an admin override).
func (s *Service) Record(ctx context.Context, e *AuditEntry) error {
	return s.store.AppendAudit(ctx, e)
}

// ExportAudit writes up to limit entries with ids below before (0: the
// newest) to w as JSON lines, newest first, reading the log in bounded pages.
// Only organisation admins may. An error after the first line means the
// export broke off.
func (s *Service) ExportAudit(ctx context.Context, by User, before int64, limit int, w io.Writer) error {
	page, err := s.Audit(ctx, by, before, min(limit, MaxAuditPage))
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for sent := 0; len(page) > 0; {
		for _, e := range page {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		sent += len(page)
		if len(page) < MaxAuditPage || sent >= limit {
			return nil
		}
		if page, err = s.Audit(ctx, by, page[len(page)-1].ID, min(limit-sent, MaxAuditPage)); err != nil {
			return err
		}
	}
	return nil
}

// RecordConfig logs a change of configuration that grants permissions (the
// sign-on group rules, which team owns which service): it compares state
// with what the log last recorded for the target and appends an entry with
// both when they differ. Servers call it at start, so an edit of the config
// file shows in the log with the first start that uses it.
func (s *Service) RecordConfig(ctx context.Context, target string, state any) error {
	return s.RecordConfigAs(ctx, "config.permissions", target, state)
}

// RecordConfigAs is RecordConfig for a config section logged under another
// action (config.policy: who is told of what).
func (s *Service) RecordConfigAs(ctx context.Context, action, target string, state any) error {
	last, err := s.store.LatestAudit(ctx, action, target)
	if err != nil {
		return err
	}
	after := toJSON(state)
	var before json.RawMessage = []byte("null")
	if last != nil {
		if string(last.After) == string(after) {
			return nil
		}
		before = last.After
	}
	e := &AuditEntry{At: s.now().UTC(), Actor: "config-file", Action: action, Target: target, Before: before, After: after}
	return s.store.AppendAudit(ctx, e)
}
