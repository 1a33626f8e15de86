package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// River sends at most one "jobs inserted" notification per queue per fetch
// cooldown. An insert that comes right after another is not announced, and
// if the workers' fetch for the first ran before the second committed, its
// job waited for the next poll. That is why the polls had to stay short
// (the notify queue looked every second), and the polls were most of what
// an idle server spent (docs/benchmarks.md, "Idle cost").
//
// insertWakeDriver announces every insert of jobs that are due now, in the
// inserting transaction, through the driver's own notifications: NOTIFY on
// PostgreSQL (delivered at commit, to every replica), the in-process hub on
// SQLite (see wake.go). The workers debounce notifications, so a
// notification too many costs nothing, and with none held back the polls
// are only a fallback and can be rare.
//
// A paused Runner (idle.go), if any, also hears of jobs inserted to run
// later, so that it wakes when they fall due.
type insertWakeDriver struct {
	riverdriver.Driver[*sql.Tx]
	runner *Runner
}

func (d *insertWakeDriver) GetExecutor() riverdriver.Executor {
	return &insertWakeExecutor{Executor: d.Driver.GetExecutor(), runner: d.runner}
}

func (d *insertWakeDriver) UnwrapExecutor(tx *sql.Tx) riverdriver.ExecutorTx {
	return &insertWakeExecutorTx{ExecutorTx: d.Driver.UnwrapExecutor(tx), runner: d.runner}
}

func (d *insertWakeDriver) UnwrapTx(execTx riverdriver.ExecutorTx) *sql.Tx {
	if w, ok := execTx.(*insertWakeExecutorTx); ok {
		execTx = w.ExecutorTx
	}
	return d.Driver.UnwrapTx(execTx)
}

type insertWakeExecutor struct {
	riverdriver.Executor
	runner *Runner
}

func (e *insertWakeExecutor) Begin(ctx context.Context) (riverdriver.ExecutorTx, error) {
	tx, err := e.Executor.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &insertWakeExecutorTx{ExecutorTx: tx, runner: e.runner}, nil
}

func (e *insertWakeExecutor) JobInsertFastMany(ctx context.Context, params *riverdriver.JobInsertFastManyParams) ([]*riverdriver.JobInsertFastResult, error) {
	res, err := e.Executor.JobInsertFastMany(ctx, params)
	if err == nil {
		err = announceInserts(ctx, e.Executor, e.runner, params)
	}
	return res, err
}

func (e *insertWakeExecutor) JobInsertFastManyNoReturning(ctx context.Context, params *riverdriver.JobInsertFastManyParams) (int, error) {
	n, err := e.Executor.JobInsertFastManyNoReturning(ctx, params)
	if err == nil {
		err = announceInserts(ctx, e.Executor, e.runner, params)
	}
	return n, err
}

type insertWakeExecutorTx struct {
	riverdriver.ExecutorTx
	runner *Runner
}

func (e *insertWakeExecutorTx) Begin(ctx context.Context) (riverdriver.ExecutorTx, error) {
	tx, err := e.ExecutorTx.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &insertWakeExecutorTx{ExecutorTx: tx, runner: e.runner}, nil
}

func (e *insertWakeExecutorTx) JobInsertFastMany(ctx context.Context, params *riverdriver.JobInsertFastManyParams) ([]*riverdriver.JobInsertFastResult, error) {
	res, err := e.ExecutorTx.JobInsertFastMany(ctx, params)
	if err == nil {
		err = announceInserts(ctx, e.ExecutorTx, e.runner, params)
	}
	return res, err
}

func (e *insertWakeExecutorTx) JobInsertFastManyNoReturning(ctx context.Context, params *riverdriver.JobInsertFastManyParams) (int, error) {
	n, err := e.ExecutorTx.JobInsertFastManyNoReturning(ctx, params)
	if err == nil {
		err = announceInserts(ctx, e.ExecutorTx, e.runner, params)
	}
	return n, err
}

// insertTopic is River's topic for "jobs were inserted in a queue".
const insertTopic = "river_insert"

// announceInserts sends one insert notification per queue that got a job
// due now. Scheduled jobs are left to River's scheduler, which announces
// them when they fall due; a runner hears when that is, so that a paused
// client is started for it.
func announceInserts(ctx context.Context, exec riverdriver.Executor, r *Runner, params *riverdriver.JobInsertFastManyParams) error {
	seen := map[string]bool{}
	var payloads []string
	for _, j := range params.Jobs {
		if j.State != rivertype.JobStateAvailable && r != nil && j.ScheduledAt != nil {
			r.scheduled(*j.ScheduledAt)
		}
		if j.State != rivertype.JobStateAvailable || seen[j.Queue] {
			continue
		}
		seen[j.Queue] = true
		payloads = append(payloads, fmt.Sprintf(`{"queue": %q}`, j.Queue))
	}
	if len(payloads) == 0 {
		return nil
	}
	if err := exec.NotifyMany(ctx, &riverdriver.NotifyManyParams{Topic: insertTopic, Payload: payloads, Schema: params.Schema}); err != nil {
		return fmt.Errorf("announce inserted jobs: %w", err)
	}
	return nil
}
