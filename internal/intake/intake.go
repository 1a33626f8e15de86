package intake

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Store keeps signals.
type Store interface {
	// AcceptSignals durably stores a batch: new fingerprints are inserted,
	// known ones updated. It sets each signal's ID.
	AcceptSignals(ctx context.Context, sigs []*Signal) error
	// RejectSignal keeps an unreadable payload in a bounded log.
	RejectSignal(ctx context.Context, source, reason string, body []byte, at time.Time) error
}

// Intake accepts signals from every source.
type Intake struct {
	store  Store
	commit *groupCommit
	now    func() time.Time
	// routeSoon asks for a routing run; it must not block.
	routeSoon func()
}

// New returns an Intake over store. routeSoon is called after each accepted
// batch so routing follows without waiting for its next periodic run.
func New(store Store, now func() time.Time, routeSoon func()) *Intake {
	if routeSoon == nil {
		routeSoon = func() {}
	}
	return &Intake{store: store, commit: newGroupCommit(store), now: now, routeSoon: routeSoon}
}

// Accept normalises the signals, fills fingerprints from dedupLabels where
// the source gave none, and stores them. When it returns nil the signals are
// durable: only then may an edge answer 2xx.
func (in *Intake) Accept(ctx context.Context, sigs []*Signal, dedupLabels []string) error {
	if len(sigs) == 0 {
		return nil
	}
	in.prepare(sigs, dedupLabels)
	if err := in.commit.accept(ctx, sigs); err != nil {
		return fmt.Errorf("accept signals: %w", err)
	}
	in.routeSoon()
	return nil
}

// prepare normalises the signals as they arrive: fingerprints from
// dedupLabels where the source gave none, and the time a resolved notice
// came in.
func (in *Intake) prepare(sigs []*Signal, dedupLabels []string) {
	now := in.now().UTC()
	for _, s := range sigs {
		Normalise(s, now)
		if s.Fingerprint == "" {
			s.Fingerprint = Fingerprint(s.Labels, dedupLabels)
		}
		if s.Status == Resolved && s.ResolvedAt == nil {
			s.ResolvedAt = &now
		}
	}
}

// Reject records a payload that could not be read.
func (in *Intake) Reject(ctx context.Context, source, reason string, body []byte) error {
	return in.store.RejectSignal(ctx, source, reason, body, in.now().UTC())
}

// The timeline events intake writes.
const (
	EventSignalJoined incident.EventKind = "signal_joined"
	EventSignalStatus incident.EventKind = "signal_status"
)

// JoinEvent is the timeline entry for a signal that joined an incident.
func JoinEvent(s *Signal, incidentID int64, at time.Time) incident.Event {
	return incident.Event{IncidentID: incidentID, At: at, Actor: "firebreak", Kind: EventSignalJoined, Data: map[string]any{
		"signal_id": s.ID, "source": s.Source, "title": s.Title, "status": string(s.Status), "labels": s.Labels,
	}}
}

// StatusEvent is the timeline entry for a joined signal that fired again or
// was resolved.
func StatusEvent(s *Signal, incidentID int64) incident.Event {
	return incident.Event{IncidentID: incidentID, At: s.LastSeen, Actor: "firebreak", Kind: EventSignalStatus, Data: map[string]any{
		"signal_id": s.ID, "source": s.Source, "title": s.Title, "status": string(s.Status), "count": s.Count,
	}}
}
