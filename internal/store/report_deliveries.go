package store

import (
	"context"
	"fmt"

	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/report"
)

// keysPerQuery bounds the placeholders of one lookup.
const keysPerQuery = 400

// fillDeliveries reads, from the outbox, how far each share's mails got:
// a share lists whom it was sent to, the outbox knows whether it arrived.
func (s *Reports) fillDeliveries(ctx context.Context, incidentID int64, shares []report.Share) error {
	var keys []any
	for _, sh := range shares {
		for _, to := range sh.Recipients {
			keys = append(keys, report.ShareKey(incidentID, sh.Revision, to))
		}
	}
	found := map[string]report.Delivery{}
	for len(keys) > 0 {
		n := min(len(keys), keysPerQuery)
		if err := s.readDeliveries(ctx, incidentID, keys[:n], found); err != nil {
			return err
		}
		keys = keys[n:]
	}
	for i, sh := range shares {
		shares[i].Deliveries = make([]report.Delivery, len(sh.Recipients))
		for j, to := range sh.Recipients {
			d, ok := found[report.ShareKey(incidentID, sh.Revision, to)]
			if !ok {
				// A share from before its mails were keyed this way, or a
				// mail the outbox never took: nothing says it arrived.
				d = report.Delivery{State: report.Queued}
			}
			d.Recipient = to
			shares[i].Deliveries[j] = d
		}
	}
	return nil
}

func (s *Reports) readDeliveries(ctx context.Context, incidentID int64, keys []any, into map[string]report.Delivery) error {
	a := args{incidentID}
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT msg_key, status, attempts, last_error, sent_at, failed_at
		FROM outbound_messages WHERE incident_id = $1 AND msg_key IN `+a.in(keys), a...)
	if err != nil {
		return fmt.Errorf("read share deliveries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var st notify.Status
		var d report.Delivery
		var sent, failed scanTime
		if err := rows.Scan(&key, &st, &d.Attempts, &d.Reason, &sent, &failed); err != nil {
			return fmt.Errorf("read share deliveries: %w", err)
		}
		switch st {
		case notify.Sent:
			d.State, d.At, d.Reason = report.Delivered, sent.ptr(), ""
		case notify.Failed:
			d.State, d.At = report.Failed, failed.ptr()
		default:
			d.State = report.Queued
		}
		into[key] = d
	}
	return rows.Err()
}
