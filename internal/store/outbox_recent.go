package store

import (
	"context"
	"fmt"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

// RecentMessages returns up to limit stored messages with an id below
// before (0: from the newest), newest first: the demo outbox page pages
// through them by cursor.
func (s *Outbox) RecentMessages(ctx context.Context, before int64, limit int) ([]notify.Message, error) {
	q := "SELECT " + messageColumns + " FROM outbound_messages ORDER BY id DESC LIMIT $1"
	args := []any{limit}
	if before > 0 {
		q = "SELECT " + messageColumns + " FROM outbound_messages WHERE id < $1 ORDER BY id DESC LIMIT $2"
		args = []any{before, limit}
	}
	rows, err := s.db.SQL.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list recent outbound messages: %w", err)
	}
	defer rows.Close()
	var out []notify.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("list recent outbound messages: %w", err)
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}
