package store_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/playbook"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestPlaybookRuns: a run is stored with its request, event and audit entry
// in one transaction; a repeated key changes nothing; of many claims at once
// exactly one wins; a finished run cannot be claimed or finished again.
func TestPlaybookRuns(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inc := newIncident("배포 후 오류 Errors after deploy", incident.SEV2, incident.Internal, "checkout-api")
		if err := db.Incidents().CreateIncident(ctx, inc, nil); err != nil {
			t.Fatal(err)
		}
		s := db.PlaybookRuns()
		now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
		r := &playbook.Run{IncidentID: inc.ID, Service: "checkout-api", Playbook: playbook.Rollback, Step: 2,
			Action: playbook.GitHubWorkflow, Title: "Roll back", ConfirmedBy: "alice", State: playbook.Queued,
			IdempotencyKey: "pb-test-0001", CreatedAt: now, UpdatedAt: now,
			Request: playbook.Request{Method: "POST", URL: "https://api.github.com/repos/shop/checkout/actions/workflows/rollback.yml/dispatches",
				Headers: map[string]string{"Accept": "application/vnd.github+json"}, Body: `{"ref":"main"}`, Auth: "bearer"}}
		ev := &incident.Event{IncidentID: inc.ID, At: now, Actor: "alice", Kind: playbook.EventStarted}
		audit := auth.NewAuditEntry(now, "alice", playbook.AuditRun, inc.Ref(), nil, map[string]any{"x": 1})
		enqueued := int64(0)
		err := s.CreateRun(ctx, r, ev, audit, func(tx *sql.Tx, id int64) error {
			enqueued = id
			ev.Data = map[string]any{"run_id": id}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if r.ID == 0 || enqueued != r.ID || ev.ID == 0 || audit.ID == 0 {
			t.Fatalf("run %d, enqueued %d, event %d, audit %d", r.ID, enqueued, ev.ID, audit.ID)
		}
		again := *r
		err = s.CreateRun(ctx, &again, &incident.Event{IncidentID: inc.ID, At: now, Actor: "alice", Kind: playbook.EventStarted},
			nil, func(*sql.Tx, int64) error { return nil })
		if !errors.Is(err, playbook.ErrDuplicateKey) {
			t.Fatalf("same key again: %v", err)
		}
		if n := len(testutil.EventsOfKind(t, db, inc.ID, playbook.EventStarted)); n != 1 {
			t.Fatalf("%d started events after a refused repeat, want 1", n)
		}
		got, err := s.Run(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Request.Headers["Accept"] != "application/vnd.github+json" || got.Request.Body != `{"ref":"main"}` || got.State != playbook.Queued ||
			got.Incident != inc.Ref() || !got.CreatedAt.Equal(now) {
			t.Fatalf("read back: %+v", got)
		}

		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.ClaimRun(ctx, r.ID, now)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d claims won, want exactly 1", wins)
		}
		if err := s.ReleaseRun(ctx, r.ID, playbook.Answer{Status: 503, Body: "busy"}, "answered 503", now); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.ClaimRun(ctx, r.ID, now); !ok {
			t.Fatal("a released run could not be claimed again")
		}
		done := &incident.Event{IncidentID: inc.ID, At: now, Actor: auth.SystemActor, Kind: playbook.EventSucceeded, Data: map[string]any{"status": 204}}
		ok, err := s.FinishRun(ctx, r.ID, playbook.Succeeded, playbook.Answer{Status: 204}, "", now, done,
			auth.NewAuditEntry(now, auth.SystemActor, playbook.AuditSucceeded, inc.Ref(), nil, nil))
		if err != nil || !ok {
			t.Fatalf("finish: %v %v", ok, err)
		}
		if ok, _ := s.FinishRun(ctx, r.ID, playbook.Failed, playbook.Answer{}, "late", now, nil, nil); ok {
			t.Fatal("a finished run was finished again")
		}
		if ok, _ := s.ClaimRun(ctx, r.ID, now); ok {
			t.Fatal("a finished run was claimed")
		}
		got, _ = s.Run(ctx, r.ID)
		if got.State != playbook.Succeeded || got.Attempts != 2 || got.Answer.Status != 204 || got.FinishedAt == nil {
			t.Fatalf("finished run: %+v", got)
		}
		runs, err := s.ListRuns(ctx, inc.ID, 10)
		if err != nil || len(runs) != 1 {
			t.Fatalf("list: %v %v", runs, err)
		}
		if byKey, _ := s.RunByKey(ctx, "pb-test-0001"); byKey == nil || byKey.ID != r.ID {
			t.Fatalf("by key: %+v", byKey)
		}
		if none, err := s.RunByKey(ctx, "pb-none"); none != nil || err != nil {
			t.Fatalf("missing key: %+v %v", none, err)
		}
	})
}
