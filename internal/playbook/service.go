package playbook

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Incidents gives the incidents runs belong to, as the viewer may see them.
type Incidents interface {
	Get(ctx context.Context, by auth.User, id int64) (*incident.Incident, error)
}

// Service offers the playbooks of an incident's services and runs their
// action steps.
type Service struct {
	Config    *Config
	Incidents Incidents
	Owners    incident.Owners
	Store     Store
	// Queue must be set before the first run; the job queue is built after
	// the service, because its worker needs the service.
	Queue Queue
	// Blocker says when a service's newest deploy is not rollbackable; nil:
	// never.
	Blocker RollbackBlocker
	Sender  *Sender
	Now     func() time.Time
	// BaseURL is where people open Firebreak, for {{.Incident.URL}}.
	BaseURL string
}

// MaxRuns bounds the runs listed for one incident.
const MaxRuns = 200

// MayRun reports whether u may run the incident's playbook actions: the
// responders and managers of a team that owns one of its services, and
// organisation admins, with a token (if any) that may write.
func MayRun(u auth.User, inc *incident.Incident, owners incident.Owners) bool {
	if !u.HasScope(auth.ScopeWrite) {
		return false
	}
	var teams []string
	for _, s := range inc.Services {
		if owners != nil {
			if t := owners.TeamOf(s); t != "" {
				teams = append(teams, t)
			}
		}
	}
	return u.HasTeamRole(auth.TeamResponder, teams...)
}

// RunInput asks for one action step to be run.
type RunInput struct {
	Service  string `json:"service"`
	Playbook Kind   `json:"playbook"`
	Step     int    `json:"step"`
	// Confirm must be true: the caller has seen the preview.
	Confirm bool `json:"confirm"`
	// ConfirmNotRollbackable must be true when the preview names a reason
	// the newest deploy is not rollbackable.
	ConfirmNotRollbackable bool   `json:"confirm_not_rollbackable,omitempty"`
	RollbackTo             string `json:"rollback_to,omitempty"`
	// IdempotencyKey is the preview's key (or one of the caller's own): the
	// same key twice gives the first run back instead of a second one.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// ConfirmError refuses a run that lacks a confirmation; it carries the
// preview the caller must confirm.
type ConfirmError struct {
	Err     *fail.Error
	Preview *Preview
}

func (e *ConfirmError) Error() string { return e.Err.Error() }

// Unwrap gives the domain error, so the edges map it as any other.
func (e *ConfirmError) Unwrap() error { return e.Err }

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{8,100}$`)

// Run checks and stores a confirmed run of an action step, with its
// timeline event and audit entry, and queues it; the job queue sends it.
// A key seen before returns that run, sending nothing again.
func (s *Service) Run(ctx context.Context, by auth.User, id int64, in RunInput) (*Run, error) {
	inc, err := s.Incidents.Get(ctx, by, id)
	if err != nil {
		return nil, err
	}
	if !MayRun(by, inc, s.Owners) {
		return nil, fail.New(fail.Forbidden, "running a playbook action needs the responder or manager role in a team that owns one of the incident's services (or the admin role) and the write scope")
	}
	if inc.Status == incident.Closed {
		return nil, fail.New(fail.Conflict, "%s is closed; playbook actions run only on open incidents", inc.Ref())
	}
	if in.IdempotencyKey != "" {
		if !keyPattern.MatchString(in.IdempotencyKey) {
			return nil, fail.Field("idempotency_key", "must be 8-100 letters, digits, '.', '_', ':' or '-'")
		}
		if prev, err := s.Store.RunByKey(ctx, in.IdempotencyKey); err != nil || prev != nil {
			return s.sameRun(prev, inc, in, err)
		}
	}
	pb, st, err := s.step(inc, in)
	if err != nil {
		return nil, err
	}
	p, err := s.preview(ctx, inc, pb, st, in.RollbackTo, in.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	switch {
	case p.NeedsRollbackTo && strings.TrimSpace(in.RollbackTo) == "":
		return nil, &ConfirmError{fail.Field("rollback_to", "this step sends the version to roll back to; name it"), p}
	case p.Problem != "":
		return nil, &ConfirmError{fail.Field("rollback_to", "%s", p.Problem), p}
	case !in.Confirm:
		return nil, &ConfirmError{fail.Field("confirm", "running %s step %d of %s needs confirmation: check the request it sends (method, URL, body) and send confirm: true",
			pb.Kind, st.Number, pb.Service), p}
	case p.NotRollbackable != "" && !in.ConfirmNotRollbackable:
		e := &fail.Error{Code: fail.Conflict, Field: "confirm_not_rollbackable",
			Message: fmt.Sprintf("the newest deploy of %s is not rollbackable: %s; to run the rollback anyway, confirm a second time with confirm_not_rollbackable: true", pb.Service, p.NotRollbackable)}
		return nil, &ConfirmError{e, p}
	}
	now := s.Now().UTC()
	r := &Run{IncidentID: inc.ID, Incident: inc.Ref(), Service: pb.Service, Playbook: pb.Kind, Step: st.Number,
		Action: st.Action.Kind, Title: st.Action.Title, ConfirmedBy: by.Name, NotRollbackable: p.NotRollbackable,
		State: Queued, IdempotencyKey: p.IdempotencyKey, CreatedAt: now, UpdatedAt: now}
	r.Request, _ = st.Action.Build(s.data(inc, pb, in.RollbackTo, p.IdempotencyKey))
	ev := &incident.Event{IncidentID: inc.ID, At: now, Actor: by.Name, Kind: EventStarted}
	action := AuditRun
	if !teamResponder(by, inc, s.Owners) {
		action += ".admin_override" // only the admin role allowed it
	}
	audit := auth.NewAuditEntry(now, by.Name, action, inc.Ref(), nil, nil)
	// The store calls this first in its transaction, so the event and the
	// audit entry can name the run.
	err = s.Store.CreateRun(ctx, r, ev, audit, func(tx *sql.Tx, runID int64) error {
		r.ID = runID
		ev.Data = r.eventData()
		audit.After = auditJSON(map[string]any{"run_id": r.ID, "service": r.Service, "playbook": r.Playbook, "step": r.Step,
			"action": r.Action, "method": r.Request.Method, "url": r.Request.URL, "body": r.Request.Body,
			"idempotency_key": r.IdempotencyKey, "not_rollbackable": r.NotRollbackable})
		if s.Queue == nil {
			return errors.New("playbook runs: no job queue set")
		}
		_, err := s.Queue.InsertTx(ctx, tx, RunArgs{RunID: runID}, nil)
		return err
	})
	if errors.Is(err, ErrDuplicateKey) {
		prev, err := s.Store.RunByKey(ctx, r.IdempotencyKey)
		return s.sameRun(prev, inc, in, err)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

func auditJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// ErrDuplicateKey is CreateRun's answer to a key stored before.
var ErrDuplicateKey = errors.New("a run with this idempotency key exists")

// sameRun answers a repeated key with the run it made, when it is the same
// step of the same incident; a key reused for something else is refused.
func (s *Service) sameRun(prev *Run, inc *incident.Incident, in RunInput, err error) (*Run, error) {
	if err != nil {
		return nil, err
	}
	if prev == nil || prev.IncidentID != inc.ID || prev.Service != in.Service || prev.Playbook != in.Playbook || prev.Step != in.Step {
		return nil, fail.Field("idempotency_key", "was used for another run; leave it out to get a new one")
	}
	return prev, nil
}

func teamResponder(u auth.User, inc *incident.Incident, owners incident.Owners) bool {
	for _, svc := range inc.Services {
		if owners != nil {
			if t := owners.TeamOf(svc); t != "" && u.TeamRole(t).AtLeast(auth.TeamResponder) {
				return true
			}
		}
	}
	return false
}

// Runs returns the incident's runs, newest first.
func (s *Service) Runs(ctx context.Context, by auth.User, id int64) ([]Run, error) {
	inc, err := s.Incidents.Get(ctx, by, id)
	if err != nil {
		return nil, err
	}
	runs, err := s.Store.ListRuns(ctx, inc.ID, MaxRuns)
	for i := range runs {
		runs[i].Incident = inc.Ref()
	}
	return runs, err
}

// step finds the action step in asks for among the incident's services.
func (s *Service) step(inc *incident.Incident, in RunInput) (Playbook, Step, error) {
	if in.Service == "" {
		return Playbook{}, Step{}, fail.Field("service", "is required: one of the incident's services (%s)", strings.Join(inc.Services, ", "))
	}
	if !slices.Contains(inc.Services, in.Service) {
		return Playbook{}, Step{}, fail.Field("service", "%q is not one of %s's services (%s)", in.Service, inc.Ref(), strings.Join(inc.Services, ", "))
	}
	if !slices.Contains(Kinds, in.Playbook) {
		return Playbook{}, Step{}, fail.Field("playbook", "must be rollback, restart, scale_out or hotfix; got %q", in.Playbook)
	}
	pb, ok := s.Config.Find(in.Service, in.Playbook)
	if !ok {
		return Playbook{}, Step{}, fail.Field("playbook", "service %s has no %s playbook", in.Service, in.Playbook)
	}
	if in.Step < 1 || in.Step > len(pb.Steps) {
		return Playbook{}, Step{}, fail.Field("step", "must be 1-%d (the %s playbook of %s has %d steps); got %d",
			len(pb.Steps), pb.Kind, pb.Service, len(pb.Steps), in.Step)
	}
	st := pb.Steps[in.Step-1]
	if st.Action == nil {
		return Playbook{}, Step{}, fail.Field("step", "step %d of the %s playbook of %s is text to read, not an action", st.Number, pb.Kind, pb.Service)
	}
	return pb, st, nil
}

// RunArgs asks for one try at a stored run.
type RunArgs struct {
	RunID int64 `json:"run_id"`
}

// Kind names the job in the queue.
func (RunArgs) Kind() string { return "playbook.run" }

// MaxAttempts is how often a run is tried: about 15 minutes of River's
// backoff (1 s, 16 s, 81 s, 4 min, 10 min). A remedy that has not gone
// through by then is better tried by a person who can look.
const MaxAttempts = 6

// InsertOpts queues a run once, with its own bound on tries.
func (RunArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: MaxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}
