package playbook

import (
	"context"
	"database/sql"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// State is where a run stands.
type State string

// The states of a run. A run goes queued → running → succeeded or failed;
// running goes back to queued when a retryable try is recorded; unknown is
// for a run whose try may have reached the peer without its answer being
// recorded (see the docs: it is never sent again by itself).
const (
	Queued    State = "queued"
	Running   State = "running"
	Succeeded State = "succeeded"
	Failed    State = "failed"
	Unknown   State = "unknown"
)

// Done reports whether the run will not be tried again.
func (s State) Done() bool { return s == Succeeded || s == Failed || s == Unknown }

// The timeline events of playbook runs.
const (
	EventStarted   incident.EventKind = "playbook_action_started"
	EventSucceeded incident.EventKind = "playbook_action_succeeded"
	EventFailed    incident.EventKind = "playbook_action_failed"
	EventUnknown   incident.EventKind = "playbook_action_unknown"
)

// The audit log's actions for runs.
const (
	AuditRun       = "playbook.run"
	AuditSucceeded = "playbook.run.succeeded"
	AuditFailed    = "playbook.run.failed"
	AuditUnknown   = "playbook.run.unknown"
)

// Run is one confirmed run of an action step: what is sent, who confirmed
// it, and what came back.
type Run struct {
	ID         int64      `json:"id"`
	IncidentID int64      `json:"-"`
	Incident   string     `json:"incident"`
	Service    string     `json:"service"`
	Playbook   Kind       `json:"playbook"`
	Step       int        `json:"step"`
	Action     ActionKind `json:"action"`
	Title      string     `json:"title"`
	Request    Request    `json:"-"`
	// ConfirmedBy is who asked for the run; NotRollbackable is the reason
	// they confirmed a second time, when the newest deploy could not be
	// rolled back.
	ConfirmedBy     string     `json:"confirmed_by"`
	NotRollbackable string     `json:"not_rollbackable,omitempty"`
	State           State      `json:"state"`
	Answer          Answer     `json:"answer"`
	Reason          string     `json:"reason,omitempty"`
	Attempts        int        `json:"attempts"`
	IdempotencyKey  string     `json:"idempotency_key"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	FinishedAt      *time.Time `json:"finished_at,omitempty"`
}

// Store keeps runs. Each change that the timeline and the audit log must
// know of is stored with its event and entry in one transaction.
type Store interface {
	// CreateRun stores r (setting ID), ev and audit, and calls enqueue in
	// the same transaction. A key stored before is a conflict reported as
	// ErrDuplicateKey, and changes nothing.
	CreateRun(ctx context.Context, r *Run, ev *incident.Event, audit *auth.AuditEntry, enqueue func(*sql.Tx, int64) error) error
	// Run returns run id (fail.NotFound when there is none).
	Run(ctx context.Context, id int64) (*Run, error)
	// RunByKey returns the run with the idempotency key, or nil.
	RunByKey(ctx context.Context, key string) (*Run, error)
	// ListRuns returns the incident's newest runs first.
	ListRuns(ctx context.Context, incidentID int64, limit int) ([]Run, error)
	// ClaimRun moves a queued run to running and counts the attempt; false
	// when it was not queued (another worker has it, or it is done).
	ClaimRun(ctx context.Context, id int64, at time.Time) (bool, error)
	// ReleaseRun moves a running run back to queued with the answer of a
	// try that will be retried.
	ReleaseRun(ctx context.Context, id int64, ans Answer, reason string, at time.Time) error
	// FinishRun moves a running run to st with its answer, event and audit
	// entry; false when it was not running.
	FinishRun(ctx context.Context, id int64, st State, ans Answer, reason string, at time.Time,
		ev *incident.Event, audit *auth.AuditEntry) (bool, error)
}

// Queue enqueues jobs inside a transaction; the job queue client is one.
type Queue interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// RollbackBlocker says why the service's newest deploy may not be rolled
// back ("" when it may), with a link to the change. The change registry
// provides it.
type RollbackBlocker interface {
	RollbackBlocker(ctx context.Context, service string) (reason, link string, err error)
}

// eventData describes a run on the timeline.
func (r *Run) eventData() map[string]any {
	return map[string]any{
		"run_id":   r.ID,
		"service":  r.Service,
		"playbook": string(r.Playbook),
		"step":     r.Step,
		"action":   string(r.Action),
		"title":    r.Title,
		"method":   r.Request.Method,
		"url":      r.Request.URL,
	}
}

func (r *Run) resultEvent(st State, ans Answer, reason string, at time.Time) *incident.Event {
	kind := map[State]incident.EventKind{Succeeded: EventSucceeded, Failed: EventFailed, Unknown: EventUnknown}[st]
	data := r.eventData()
	data["status"] = ans.Status
	if ans.Body != "" {
		data["answer"] = ans.Body
	}
	if ans.Location != "" {
		data["location"] = ans.Location
	}
	if reason != "" {
		data["reason"] = reason
	}
	data["attempts"] = r.Attempts
	return &incident.Event{IncidentID: r.IncidentID, At: at, Actor: auth.SystemActor, Kind: kind, Data: data}
}

func (r *Run) resultAudit(st State, ans Answer, reason string, at time.Time) *auth.AuditEntry {
	action := map[State]string{Succeeded: AuditSucceeded, Failed: AuditFailed, Unknown: AuditUnknown}[st]
	return auth.NewAuditEntry(at, auth.SystemActor, action, r.Incident, nil, map[string]any{
		"run_id": r.ID, "service": r.Service, "playbook": r.Playbook, "step": r.Step, "action": r.Action,
		"state": st, "status": ans.Status, "reason": reason, "attempts": r.Attempts, "confirmed_by": r.ConfirmedBy,
	})
}
