package jobs_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// overlapRouter records how many routing runs overlap.
type overlapRouter struct {
	running, most, runs atomic.Int32
}

func (o *overlapRouter) RouteAll(ctx context.Context) (int, error) {
	n := o.running.Add(1)
	defer o.running.Add(-1)
	for {
		m := o.most.Load()
		if n <= m || o.most.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(300 * time.Millisecond) // long enough for a second run to start beside it
	o.runs.Add(1)
	return 0, nil
}

// TestSingletonKindRunsOneAtATime: a routing run inserted on arrival and one
// inserted for its period have different unique keys, so both are queued
// and both run — but never at once, in one replica or (on PostgreSQL)
// across three: two routers at once could each declare an incident for the
// same new group.
func TestSingletonKindRunsOneAtATime(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		router := &overlapRouter{}
		cfg := jobs.Config{Register: func(ws *river.Workers) { river.AddWorker(ws, &jobs.RouteSignalsWorker{Router: router}) }}
		replicas := 1
		if db.Dialect == store.Postgres {
			replicas = 3
		}
		var runners []*jobs.Runner
		for range replicas {
			runners = append(runners, startRunner(t, db, cfg))
		}
		perPeriod := jobs.RouteSignalsArgs{}.InsertOpts()
		perPeriod.UniqueOpts.ByPeriod = time.Minute
		perPeriod.UniqueOpts.ByState = append(perPeriod.UniqueOpts.ByState, rivertype.JobStateCompleted)
		for i, opts := range []*river.InsertOpts{nil, &perPeriod} {
			if _, err := runners[i%replicas].Client.Insert(ctx, jobs.RouteSignalsArgs{}, opts); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "both routing runs", func() bool { return router.runs.Load() == 2 })
		if m := router.most.Load(); m != 1 {
			t.Fatalf("%d routing runs at once, want 1", m)
		}
	})
}

// gateRouter holds its first run until released, so a test can store
// signals while a run is under way.
type gateRouter struct {
	started chan struct{}
	release chan struct{}
	runs    atomic.Int32
}

func (g *gateRouter) RouteAll(ctx context.Context) (int, error) {
	if g.runs.Add(1) == 1 {
		close(g.started)
		<-g.release
	}
	return 0, nil
}

// TestQueueRoutingFollowsARunningRun: signals stored while a routing run is
// running (it may have read before them) get a run of their own after it,
// although the running job keeps an identical insert out; a second request
// meanwhile adds no third run. There is no periodic catch-up here, so
// without the follow-up they would never be routed.
func TestQueueRoutingFollowsARunningRun(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		router := &gateRouter{started: make(chan struct{}), release: make(chan struct{})}
		r := startRunner(t, db, jobs.Config{Register: func(ws *river.Workers) { river.AddWorker(ws, &jobs.RouteSignalsWorker{Router: router}) }})
		if err := jobs.QueueRouting(ctx, r.Client); err != nil {
			t.Fatal(err)
		}
		<-router.started
		for range 2 {
			if err := jobs.QueueRouting(ctx, r.Client); err != nil {
				t.Fatal(err)
			}
		}
		close(router.release)
		waitFor(t, "the follow-up run", func() bool { return router.runs.Load() == 2 })
		waitPaused(t, r, 1)
		if n := router.runs.Load(); n != 2 {
			t.Fatalf("%d routing runs, want 2", n)
		}
	})
}

// TestNeededSinceKeepsWindowOpenBehindARunningRun: a periodic look that
// finds a change asks for a run, but a run already under way (which may
// have read before the change) keeps the insert out; the change's window
// stays open, and the next look asks again once that run has ended.
func TestNeededSinceKeepsWindowOpenBehindARunningRun(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		router := &gateRouter{started: make(chan struct{}), release: make(chan struct{})}
		var changed atomic.Int64 // unix nanos of the last change
		r := startRunner(t, db, jobs.Config{
			Register: func(ws *river.Workers) { river.AddWorker(ws, &jobs.RouteSignalsWorker{Router: router}) },
			Periodic: []jobs.Periodic{jobs.NewPeriodic(200*time.Millisecond,
				func() (river.JobArgs, *river.InsertOpts) { return jobs.RouteSignalsArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}).
				WhenSince(time.Now, func(_ context.Context, since, _ time.Time) (bool, error) {
					return since.IsZero() || time.Unix(0, changed.Load()).After(since), nil
				})},
		})
		<-router.started
		changed.Store(time.Now().UnixNano())
		time.Sleep(time.Second) // several looks, each meeting the running run
		close(router.release)
		waitFor(t, "a run for the change", func() bool { return router.runs.Load() == 2 })
		waitPaused(t, r, 1)
		if n := router.runs.Load(); n != 2 {
			t.Fatalf("%d runs, want 2", n)
		}
	})
}
