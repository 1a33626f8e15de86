package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// outboxRig is an incident with n pending e-mails in the outbox.
func outboxRig(t *testing.T, db *store.DB, n int) (incidentID int64, msgs []notify.Message) {
	t.Helper()
	ctx := context.Background()
	inc := newIncident("Payments down", incident.SEV2, incident.Internal, "payments")
	if err := db.Incidents().CreateIncident(ctx, inc, nil); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		msgs = append(msgs, notify.Message{Key: fmt.Sprintf("m%03d", i), IncidentID: inc.ID, Channel: notify.Email,
			Target: fmt.Sprintf("dept-%d", i), To: fmt.Sprintf("dept-%d@example.com", i), Subject: "장애", Text: "결제 장애",
			Status: notify.Pending, CreatedAt: t0})
	}
	ob := db.Outbox()
	if err := ob.InTx(ctx, func(tx *sql.Tx) (err error) {
		msgs, err = ob.InsertMessages(ctx, tx, msgs)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return inc.ID, msgs
}

func deliveredEvent(incidentID, messageID int64, st notify.Status) *incident.Event {
	kind := notify.EventDelivered
	if st == notify.Failed {
		kind = notify.EventFailed
	}
	return &incident.Event{IncidentID: incidentID, At: t0, Actor: "firebreak", Kind: kind,
		Data: map[string]any{"message_id": messageID}}
}

// eventMessages lists the message ids of an incident's delivery events in
// timeline order, with their kinds.
func eventMessages(t *testing.T, db *store.DB, incidentID int64) (ids []int64, kinds []incident.EventKind) {
	t.Helper()
	evs, err := db.Incidents().ListEvents(context.Background(), incidentID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Kind != notify.EventDelivered && ev.Kind != notify.EventFailed {
			continue
		}
		id, ok := ev.Data["message_id"].(float64)
		if !ok {
			t.Fatalf("event %d data %v: no message_id", ev.ID, ev.Data)
		}
		ids = append(ids, int64(id))
		kinds = append(kinds, ev.Kind)
	}
	return ids, kinds
}

// A round of outcomes records each pending message once, in the round's
// order: a second outcome of one message in the round, and an outcome of a
// message already done, record nothing; the timeline gets one event per
// recorded outcome, in the order the outcomes came.
func TestFinishRoundKeepsOrderAndPendingCheck(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ob := db.Outbox()
		incID, msgs := outboxRig(t, db, 6)
		m := func(i int) int64 { return msgs[i].ID }
		// m5 was sent by an earlier try.
		if done, err := ob.FinishShared(ctx, m(5), notify.Sent, "ref-5", "", t0, deliveredEvent(incID, m(5), notify.Sent)); err != nil || !done {
			t.Fatalf("finish m5: %v, %v", done, err)
		}
		at := t0.Add(time.Minute)
		round := []store.RoundOutcome{
			{ID: m(3), Status: notify.Sent, Ref: "ref-3", At: at, Event: deliveredEvent(incID, m(3), notify.Sent)},
			{ID: m(1), Status: notify.Failed, Reason: "550 no such mailbox", At: at, Event: deliveredEvent(incID, m(1), notify.Failed)},
			{ID: m(4), Status: notify.Sent, Ref: "ref-4", At: at, Event: deliveredEvent(incID, m(4), notify.Sent)},
			{ID: m(3), Status: notify.Failed, Reason: "late", At: at, Event: deliveredEvent(incID, m(3), notify.Failed)},
			{ID: m(5), Status: notify.Sent, Ref: "again", At: at, Event: deliveredEvent(incID, m(5), notify.Sent)},
			{ID: m(0), Status: notify.Sent, Ref: "ref-0", At: at}, // no incident event
		}
		done, errs := ob.FinishRound(ctx, round)
		for i, err := range errs {
			if err != nil {
				t.Fatalf("outcome %d: %v", i, err)
			}
		}
		if want := []bool{true, true, true, false, false, true}; fmt.Sprint(done) != fmt.Sprint(want) {
			t.Errorf("recorded %v, want %v", done, want)
		}
		ids, kinds := eventMessages(t, db, incID)
		wantIDs := []int64{m(5), m(3), m(1), m(4)}
		wantKinds := []incident.EventKind{notify.EventDelivered, notify.EventDelivered, notify.EventFailed, notify.EventDelivered}
		if fmt.Sprint(ids) != fmt.Sprint(wantIDs) || fmt.Sprint(kinds) != fmt.Sprint(wantKinds) {
			t.Errorf("timeline %v %v, want %v %v", ids, kinds, wantIDs, wantKinds)
		}
		stored, err := ob.IncidentMessages(ctx, incID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]notify.Message{}
		for _, sm := range stored {
			byID[sm.ID] = sm
		}
		check := func(i int, st notify.Status, ref, lastErr string) {
			t.Helper()
			got := byID[m(i)]
			if got.Status != st || got.ExternalID != ref || got.LastError != lastErr || got.Attempts != 1 {
				t.Errorf("m%d: %s ref %q error %q attempts %d; want %s %q %q 1", i, got.Status, got.ExternalID, got.LastError,
					got.Attempts, st, ref, lastErr)
			}
			if st == notify.Sent && (got.SentAt == nil || got.FailedAt != nil) || st == notify.Failed && (got.FailedAt == nil || got.SentAt != nil) {
				t.Errorf("m%d: sent at %v, failed at %v", i, got.SentAt, got.FailedAt)
			}
		}
		check(0, notify.Sent, "ref-0", "")
		check(1, notify.Failed, "", "550 no such mailbox")
		check(3, notify.Sent, "ref-3", "")
		check(4, notify.Sent, "ref-4", "")
		check(5, notify.Sent, "ref-5", "")
		if got := byID[m(2)]; got.Status != notify.Pending || got.Attempts != 0 {
			t.Errorf("m2, in no round: %s, %d attempts", got.Status, got.Attempts)
		}
		if got := byID[m(5)]; !got.SentAt.Equal(t0) {
			t.Errorf("m5 sent at %v, want the first outcome's %v", got.SentAt, t0)
		}
	})
}

// Concurrent outcomes of the same messages (a retried job racing the first)
// record each message exactly once, with one timeline event.
func TestFinishSharedExactlyOnceUnderConcurrency(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ob := db.Outbox()
		incID, msgs := outboxRig(t, db, 60)
		const tries = 3
		won := make([][tries]bool, len(msgs))
		var wg sync.WaitGroup
		for i, m := range msgs {
			for k := range tries {
				wg.Add(1)
				go func() {
					defer wg.Done()
					st := notify.Sent
					if k == 1 {
						st = notify.Failed
					}
					done, err := ob.FinishShared(ctx, m.ID, st, fmt.Sprintf("ref-%d", k), "", t0, deliveredEvent(incID, m.ID, st))
					if err != nil {
						t.Errorf("message %d try %d: %v", i, k, err)
					}
					won[i][k] = done
				}()
			}
		}
		wg.Wait()
		ids, kinds := eventMessages(t, db, incID)
		events := map[int64]int{}
		kindOf := map[int64]incident.EventKind{}
		for j, id := range ids {
			events[id]++
			kindOf[id] = kinds[j]
		}
		stored, err := ob.IncidentMessages(ctx, incID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range stored {
			winners := 0
			for k := range tries {
				if won[i][k] {
					winners++
					wantSt, wantKind := notify.Sent, notify.EventDelivered
					if k == 1 {
						wantSt, wantKind = notify.Failed, notify.EventFailed
					}
					if m.Status != wantSt || kindOf[m.ID] != wantKind {
						t.Errorf("message %d: try %d won but the row says %s and the timeline %s", i, k, m.Status, kindOf[m.ID])
					}
				}
			}
			if winners != 1 || events[m.ID] != 1 || m.Attempts != 1 {
				t.Errorf("message %d: %d tries recorded, %d events, %d attempts; want 1 each", i, winners, events[m.ID], m.Attempts)
			}
		}
	})
}

// An outcome that cannot be written fails alone: the others of its round
// are written, and its message stays pending, so its job tries again.
func TestFinishSharedIsolatesAFailure(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ob := db.Outbox()
		incID, msgs := outboxRig(t, db, 30)
		const bad = 7
		errs := make([]error, len(msgs))
		var wg sync.WaitGroup
		for i, m := range msgs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ev := deliveredEvent(incID, m.ID, notify.Sent)
				if i == bad {
					ev.IncidentID = incID + 1000 // no such incident: the event's foreign key fails
				}
				_, errs[i] = ob.FinishShared(ctx, m.ID, notify.Sent, "ref", "", t0, ev)
			}()
		}
		wg.Wait()
		stored, err := ob.IncidentMessages(ctx, incID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		ids, _ := eventMessages(t, db, incID)
		if len(ids) != len(msgs)-1 {
			t.Errorf("%d delivery events, want %d", len(ids), len(msgs)-1)
		}
		for i, m := range stored {
			if i == bad {
				if errs[i] == nil || m.Status != notify.Pending || m.Attempts != 0 {
					t.Errorf("bad outcome: error %v, message %s with %d attempts; want an error and pending", errs[i], m.Status, m.Attempts)
				}
				continue
			}
			if errs[i] != nil || m.Status != notify.Sent {
				t.Errorf("message %d: %v, %s", i, errs[i], m.Status)
			}
		}
	})
}

// Of concurrent claims of one destination's slot, exactly one gets it; the
// others are told to wait until it is free, and then one claim gets it.
func TestClaimSlotOnePerInterval(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ob := db.Outbox()
		const every = time.Second
		for _, now := range []time.Time{t0, t0.Add(every)} {
			waits := make([]time.Duration, 20)
			var wg sync.WaitGroup
			for i := range waits {
				wg.Add(1)
				go func() {
					defer wg.Done()
					w, err := ob.ClaimSlot(ctx, "slack:#ops", every, now)
					if err != nil {
						t.Error(err)
					}
					waits[i] = w
				}()
			}
			wg.Wait()
			taken := 0
			for _, w := range waits {
				switch {
				case w == 0:
					taken++
				case w != every:
					t.Errorf("at %s: wait %v, want %v (until the slot is free)", now.Format(time.StampMilli), w, every)
				}
			}
			if taken != 1 {
				t.Errorf("at %s: %d claims got the slot, want 1", now.Format(time.StampMilli), taken)
			}
		}
		// Half-way through the interval the wait is what is left of it; another
		// destination is free.
		if w, err := ob.ClaimSlot(ctx, "slack:#ops", every, t0.Add(every+every/2)); err != nil || w != every/2 {
			t.Errorf("mid-interval: wait %v, %v; want %v", w, err, every/2)
		}
		if w, err := ob.ClaimSlot(ctx, "slack:#dev", every, t0); err != nil || w != 0 {
			t.Errorf("other destination: wait %v, %v; want 0", w, err)
		}
	})
}

// Warm opens the connections it is asked for on PostgreSQL, and they stay
// in the pool; on SQLite it does nothing.
func TestWarmKeepsConnectionsOpen(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		n := db.Warm(context.Background(), 6)
		if db.Dialect != store.Postgres {
			if n != 0 {
				t.Errorf("warmed %d SQLite connections, want 0", n)
			}
			return
		}
		if n != 6 {
			t.Fatalf("warmed %d connections, want 6", n)
		}
		if st := db.SQL.Stats(); st.Idle < 6 {
			t.Errorf("%d idle connections after Warm, want at least 6", st.Idle)
		}
	})
}
