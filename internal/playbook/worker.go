package playbook

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// Worker returns the job worker that sends stored runs; register it with
// the job queue.
func (s *Service) Worker(log *slog.Logger) river.Worker[RunArgs] {
	if log == nil {
		log = slog.Default()
	}
	return &runWorker{s: s, log: log}
}

type runWorker struct {
	river.WorkerDefaults[RunArgs]
	s   *Service
	log *slog.Logger
}

// Timeout leaves room for one try and recording its answer.
func (w *runWorker) Timeout(*river.Job[RunArgs]) time.Duration {
	return max(w.s.Sender.Timeout, sendTimeout) + 20*time.Second
}

func (w *runWorker) Work(ctx context.Context, job *river.Job[RunArgs]) error {
	return w.s.try(ctx, job.Args.RunID, job.Attempt, job.MaxAttempts, w.log)
}

// Why a run ends unknown, for the timeline and the docs.
const (
	reasonLostWorker = "a worker took this run and stopped before recording the peer's answer; it may or may not have been sent, so Firebreak does not send it again: check the peer, then run the step again if needed"
	reasonNoAnswer   = "the request went out but no answer came back (%s); this action has no idempotency key the peer checks, so Firebreak does not send it again: check the peer, then run the step again if needed"
)

// try makes one try at run id. The claim (queued → running) is committed
// before anything is sent, so two workers or two retries never both send;
// a run found running was claimed by a try that never recorded its end.
func (s *Service) try(ctx context.Context, id int64, attempt, maxAttempts int, log *slog.Logger) error {
	r, err := s.Store.Run(ctx, id)
	if err != nil {
		return err
	}
	now := func() time.Time { return s.Now().UTC() }
	switch r.State {
	case Succeeded, Failed, Unknown:
		return nil // never sent twice
	case Running:
		return s.finish(ctx, r, Unknown, r.Answer, reasonLostWorker, now())
	}
	claimed, err := s.Store.ClaimRun(ctx, id, now())
	if err != nil || !claimed {
		return err
	}
	r.Attempts++
	pb, ok := s.Config.Find(r.Service, r.Playbook)
	if !ok || r.Step > len(pb.Steps) || pb.Steps[r.Step-1].Action == nil || pb.Steps[r.Step-1].Action.Kind != r.Action {
		return s.finish(ctx, r, Failed, Answer{}, fmt.Sprintf("step %d of the %s playbook of %s is no longer this action in the config", r.Step, r.Playbook, r.Service), now())
	}
	a := pb.Steps[r.Step-1].Action
	res := s.Sender.Send(ctx, a, r.Request)
	switch res.Outcome {
	case Accepted:
		return s.finish(ctx, r, Succeeded, res.Answer, "", now())
	case Refused:
		return s.finish(ctx, r, Failed, res.Answer, res.Reason, now())
	}
	if res.Answer.Status == 0 && res.Written && !a.KeyCheckedByPeer() {
		// Sent, maybe acted on, with nothing to tell a repeat by.
		return s.finish(ctx, r, Unknown, res.Answer, fmt.Sprintf(reasonNoAnswer, res.Reason), now())
	}
	if attempt >= maxAttempts {
		return s.finish(ctx, r, Failed, res.Answer, fmt.Sprintf("%s; gave up after %d tries", res.Reason, r.Attempts), now())
	}
	if err := s.Store.ReleaseRun(ctx, id, res.Answer, res.Reason, now()); err != nil {
		return err
	}
	log.Info("playbook action will be tried again", "run", id, "attempt", attempt, "reason", res.Reason)
	if res.RetryAfter > 0 {
		return river.JobSnooze(res.RetryAfter)
	}
	return fmt.Errorf("playbook run %d: %s", id, res.Reason)
}

// KeyCheckedByPeer reports whether the peer gets the run's idempotency key
// somewhere it can drop a repeat by: the webhook's Idempotency-Key header,
// or a workflow input or build parameter the config names.
func (a *Action) KeyCheckedByPeer() bool {
	switch a.Kind {
	case Webhook:
		return true
	case GitHubWorkflow:
		return a.IdempotencyInput != ""
	case Jenkins:
		return a.IdempotencyParam != ""
	case ArgoCD:
		// No key, but the same operation twice ends in the same state:
		// rolling back to one history id, or syncing to one revision, again
		// changes nothing, and Argo CD refuses an operation while another
		// runs.
		return true
	}
	return false
}

func (s *Service) finish(ctx context.Context, r *Run, st State, ans Answer, reason string, at time.Time) error {
	_, err := s.Store.FinishRun(ctx, r.ID, st, ans, reason, at, r.resultEvent(st, ans, reason, at), r.resultAudit(st, ans, reason, at))
	return err
}
