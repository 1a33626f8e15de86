package report

import (
	"fmt"
	"time"
)

// DeliveryState is where one recipient's share mail stands, as the outbox
// knows it: a share is not "sent" until its mail is.
type DeliveryState string

// The delivery states of a share mail.
const (
	Queued    DeliveryState = "queued"    // stored, not delivered yet (maybe retrying)
	Delivered DeliveryState = "delivered" // the mail server took it
	Failed    DeliveryState = "failed"    // given up; Reason says why
)

// Delivery is one recipient's share mail and how far it got.
type Delivery struct {
	Recipient string        `json:"recipient"`
	State     DeliveryState `json:"state"`
	// Reason is the raw failure (the mail server's reply, a network
	// error): the final one when failed, the last try's while queued.
	Reason string `json:"reason,omitempty"`
	// ReasonText is Reason in words in the reader's language; the edge
	// that answers fills it in.
	ReasonText string     `json:"reason_text,omitempty"`
	Attempts   int        `json:"attempts"`
	At         *time.Time `json:"at,omitempty"` // when it was delivered or given up
}

// ShareKey is the outbox key of the mail that shares revision rev of the
// report of incident id with addr: one mail per recipient and revision, so
// a retried share never sends twice, and the share finds its mails again.
func ShareKey(id int64, rev int, addr string) string {
	return fmt.Sprintf("report:%d:rev:%d:to:%s", id, rev, addr)
}

// queuedDeliveries are a new share's deliveries: every mail stored, none
// sent yet.
func queuedDeliveries(recipients []string) []Delivery {
	out := make([]Delivery, len(recipients))
	for i, r := range recipients {
		out[i] = Delivery{Recipient: r, State: Queued}
	}
	return out
}
