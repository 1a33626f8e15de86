package intake

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake/journal"
)

// JournalStore stores what the journal's applier reads.
type JournalStore interface {
	// AcceptJournaled stores the signals like AcceptSignals and records in
	// the same transaction that the journal is applied up to offset. New
	// signals that route places are stored routed, with their join events.
	AcceptJournaled(ctx context.Context, sigs []*Signal, journal string, offset int64, route ArrivalRouter) error
}

// ArrivalRouter routes new signals in the transaction that stores them;
// Router is one.
type ArrivalRouter interface {
	// PlaceOnArrival sets the routing fields of s and reports true when
	// its place needs no declaration; open reads that transaction.
	PlaceOnArrival(ctx context.Context, s *Signal, open OpenGroupIncident) (bool, error)
	// JoinedEvent is the timeline event of a placed signal that joined an
	// incident, once it has its ID.
	JoinedEvent(s *Signal) incident.Event
}

// Journaled accepts signals into an fsync'd journal on local disk and
// applies them to the store in the background, in large transactions. An
// edge that answers 2xx after Accept has them on disk either way; what
// changes is that they reach the database (and routing) a moment later.
// It serves the webhooks, whose answers carry no signal ids: the public
// form and chat, which answer with a reference, use Intake.Accept.
type Journaled struct {
	in      *Intake
	journal *journal.Journal
	store   JournalStore
	router  ArrivalRouter // nil: routing follows in its own job
	log     *slog.Logger
	applied atomic.Int64
}

// applyBytes bounds the records one transaction applies (about 10,000
// alerts in 100-alert notifications). A storm of new signals writes
// mostly the fingerprint index's pages, spread by the hashes, so a larger
// transaction shares more of them: after 5 s of 100-alert notifications
// (about 600,000 new signals) the applier caught up in 24 s at 4 MiB
// against 33 s at 512 KiB, with the webhooks' p99 under 40 ms either way.
// (At 4 MiB it had been 64 ms, when the journal still fsync'd a growing
// file; 8 MiB gained nothing more.)
const applyBytes = 4 << 20

// gather is how long the applier lets records collect before a
// transaction, unless a full one is waiting: the records are durable
// already, and one transaction of many costs far less CPU than many small
// ones competing with the requests for it. In a storm of new signals most
// of a transaction's pages are the fingerprint index's, spread by the
// hashes, so the more signals share them the better: 1,500 signals a
// transaction store 22% faster than 300 (BenchmarkAcceptJournaledRouted),
// and 250 ms rather than 50 ms gave one-alert webhooks about 5% more.
const gather = 250 * time.Millisecond

// NewJournaled applies j to store from offset applied, the offset the store
// last recorded, routing new signals as it stores them when router is not
// nil (those that must declare an incident are left to Router.RouteAll).
func NewJournaled(in *Intake, j *journal.Journal, store JournalStore, applied int64, router ArrivalRouter, log *slog.Logger) *Journaled {
	jd := &Journaled{in: in, journal: j, store: store, router: router, log: log}
	jd.applied.Store(applied)
	return jd
}

// Accept normalises the signals like Intake.Accept and returns once they
// are in the journal on disk.
func (jd *Journaled) Accept(ctx context.Context, sigs []*Signal, dedupLabels []string) error {
	if len(sigs) == 0 {
		return nil
	}
	jd.in.prepare(sigs, dedupLabels)
	if err := jd.journal.Append(ctx, EncodeRecord(sigs)); err != nil {
		return fmt.Errorf("accept signals: %w", err)
	}
	return nil
}

// Reject records a payload that could not be read.
func (jd *Journaled) Reject(ctx context.Context, source, reason string, body []byte) error {
	return jd.in.Reject(ctx, source, reason, body)
}

// Drain applies what the journal holds now, until done or ctx ends. Call
// it only when Run is not running (at shutdown, after Run returned).
func (jd *Journaled) Drain(ctx context.Context) error {
	end, _ := jd.journal.End()
	for {
		pos := jd.applied.Load()
		if pos >= end {
			return nil
		}
		if err := jd.applyNext(ctx, pos); err != nil {
			return err
		}
	}
}

// Applied returns the offset the store has applied up to, and whether
// that is everything the journal holds.
func (jd *Journaled) Applied() (int64, bool) {
	end, _ := jd.journal.End()
	n := jd.applied.Load()
	return n, n >= end
}

// Run applies the journal to the store until ctx ends: what is left from
// before a restart first, then each new record as it is appended. A failed
// transaction is tried again after a pause; nothing is skipped.
func (jd *Journaled) Run(ctx context.Context) {
	pause := 100 * time.Millisecond
	for {
		pos := jd.applied.Load()
		end, more := jd.journal.End()
		if pos >= end {
			select {
			case <-ctx.Done():
				return
			case <-more:
			}
			continue
		}
		if end-pos < applyBytes {
			select {
			case <-ctx.Done():
				return
			case <-time.After(gather):
			}
		}
		if err := jd.applyNext(ctx, pos); err != nil {
			if ctx.Err() != nil {
				return
			}
			jd.log.ErrorContext(ctx, "apply the intake journal; will retry", "offset", pos, "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(pause):
			}
			pause = min(2*pause, 5*time.Second)
			continue
		}
		pause = 100 * time.Millisecond
	}
}

// applyNext stores the records after pos in one transaction.
func (jd *Journaled) applyNext(ctx context.Context, pos int64) error {
	recs, next, err := jd.journal.Read(pos, applyBytes)
	if err != nil {
		return err
	}
	var sigs []*Signal
	for _, rec := range recs {
		batch, err := DecodeRecord(rec)
		if err != nil {
			// A record whose checksum holds but does not decode was
			// written by another version: keep it where an admin sees
			// it rather than block everything behind it.
			jd.log.ErrorContext(ctx, "unreadable intake journal record kept in the rejected log", "err", err)
			if err := jd.in.Reject(ctx, "journal", "unreadable journal record: "+err.Error(), rec); err != nil {
				return err
			}
			continue
		}
		sigs = append(sigs, batch...)
	}
	if err := jd.store.AcceptJournaled(ctx, sigs, jd.journal.ID(), next, jd.router); err != nil {
		return err
	}
	jd.applied.Store(next)
	jd.in.routeSoon()
	if err := jd.journal.Release(next); err != nil {
		jd.log.WarnContext(ctx, "delete applied intake journal segments", "err", err)
	}
	return nil
}
