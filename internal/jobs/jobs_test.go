package jobs_test

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

func eachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		db := testutil.OpenStore(t, url)
		if err := jobs.Migrate(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		fn(t, db)
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestStaleCheckFlagsEachSilenceOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
		s := db.Incidents()
		mk := func(g incident.Grade, st incident.Status, lastUpdate time.Time) *incident.Incident {
			inc := &incident.Incident{Title: "t", Grade: g, Status: st, Source: "manual", Visibility: incident.Internal,
				CreatedBy: "a", StartedAt: lastUpdate, DetectedAt: lastUpdate, CreatedAt: lastUpdate, UpdatedAt: lastUpdate}
			if err := s.CreateIncident(ctx, inc, nil); err != nil {
				t.Fatal(err)
			}
			return inc
		}
		sev1Silent := mk(incident.SEV1, incident.Investigating, now.Add(-20*time.Minute)) // 15 min allowed
		sev1Fresh := mk(incident.SEV1, incident.Identified, now.Add(-5*time.Minute))      // within interval
		sev4Silent := mk(incident.SEV4, incident.Monitoring, now.Add(-3*time.Hour))       // 4 h allowed
		resolved := mk(incident.SEV1, incident.Resolved, now.Add(-48*time.Hour))          // not open
		_ = []*incident.Incident{sev1Fresh, sev4Silent, resolved}

		// The real queue runs the periodic check on start.
		client, err := jobs.New(db, func() time.Time { return now }, jobs.Config{PollInterval: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = client.Stop(context.Background()) })
		waitFor(t, "the periodic stale check", func() bool {
			ev, err := s.LatestEvent(ctx, sev1Silent.ID, incident.EventUpdateOverdue)
			return err == nil && ev != nil
		})
		for _, inc := range []*incident.Incident{sev1Fresh, sev4Silent, resolved} {
			if ev, _ := s.LatestEvent(ctx, inc.ID, incident.EventUpdateOverdue); ev != nil {
				t.Errorf("incident %d (%s, %s) was flagged", inc.ID, inc.Grade, inc.Status)
			}
		}
		// A second check finds nothing new: one flag per silence.
		n, err := jobs.FlagOverdue(ctx, s, now.Add(time.Minute))
		if err != nil || n != 0 {
			t.Fatalf("second check flagged %d (%v), want 0", n, err)
		}
		// An update starts a new silence, which is flagged again when it runs long.
		if _, err := s.UpdateIncident(ctx, sev1Silent.ID, func(i *incident.Incident) ([]incident.Event, error) {
			i.UpdatedAt = now.Add(2 * time.Minute)
			return []incident.Event{{At: i.UpdatedAt, Actor: "a", Kind: incident.EventNote}}, nil
		}); err != nil {
			t.Fatal(err)
		}
		if n, _ := jobs.FlagOverdue(ctx, s, now.Add(10*time.Minute)); n != 0 {
			t.Fatalf("flagged %d within the interval", n)
		}
		later := now.Add(20 * time.Minute)
		if n, _ := jobs.FlagOverdue(ctx, s, later); n != 2 { // sev1Silent again, and sev1Fresh now too
			t.Fatalf("flagged %d after the new silence, want 2", n)
		}
		if ev, _ := s.LatestEvent(ctx, sev1Silent.ID, incident.EventUpdateOverdue); ev == nil || !ev.At.Equal(later) {
			t.Fatalf("new silence not flagged: %+v", ev)
		}
	})
}

type alwaysFailArgs struct{}

func (alwaysFailArgs) Kind() string { return "test.always_fail" }

type alwaysFail struct {
	river.WorkerDefaults[alwaysFailArgs]
	tries atomic.Int32
}

func (w *alwaysFail) Work(ctx context.Context, _ *river.Job[alwaysFailArgs]) error {
	w.tries.Add(1)
	return errors.New("peer answered 503")
}

type quickRetry struct{}

func (quickRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(50 * time.Millisecond)
}

func TestFailingJobIsRetriedThenKeptWithItsErrors(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := &alwaysFail{}
		client, err := jobs.New(db, time.Now, jobs.Config{
			MaxAttempts: 3, RetryPolicy: quickRetry{}, PollInterval: 100 * time.Millisecond,
			Register: func(ws *river.Workers) { river.AddWorker(ws, w) },
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := client.Insert(ctx, alwaysFailArgs{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = client.Stop(context.Background()) })
		var job *rivertype.JobRow
		waitFor(t, "the job to be discarded", func() bool {
			job, err = client.JobGet(ctx, res.Job.ID)
			return err == nil && job.State == rivertype.JobStateDiscarded
		})
		if len(job.Errors) != 3 || job.Errors[2].Error != "peer answered 503" || w.tries.Load() != 3 {
			t.Fatalf("attempts %d, tries %d, errors %+v", job.Attempt, w.tries.Load(), job.Errors)
		}
		counts, err := jobs.Counts(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if counts["discarded"] != 1 {
			t.Fatalf("counts = %v", counts)
		}
	})
}
