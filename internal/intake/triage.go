package intake

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Incidents is what routing and triage need of the incident core.
type Incidents interface {
	Declare(ctx context.Context, by auth.User, d incident.Declaration) (*incident.Incident, error)
	Get(ctx context.Context, by auth.User, id int64) (*incident.Incident, error)
}

// TriageStore is what the triage inbox needs from the store.
type TriageStore interface {
	GetSignal(ctx context.Context, id int64) (*Signal, error)
	SignalsByTriage(ctx context.Context, state Triage, before int64, limit int) ([]*Signal, error)
	// SettleTriage stores the outcome of a pending signal, and ev when not
	// nil, in one transaction; it fails with a conflict when the signal is
	// no longer pending (someone else acted first).
	SettleTriage(ctx context.Context, sig *Signal, ev *incident.Event) error
}

// Inbox is the triage inbox: signals no rule sent to an incident, waiting
// for a responder to declare, merge or dismiss them.
type Inbox struct {
	Store     TriageStore
	Incidents Incidents
	Now       func() time.Time
}

// List returns signals in a triage state (pending by default), newest first.
func (b *Inbox) List(ctx context.Context, state Triage, before int64, limit int) ([]*Signal, error) {
	if state == TriageNone {
		state = TriagePending
	}
	switch state {
	case TriagePending, TriageDeclared, TriageMerged, TriageDismissed:
	default:
		return nil, fail.Field("triage", "must be pending, declared, merged or dismissed; got %q", state)
	}
	if limit <= 0 || limit > 200 {
		return nil, fail.Field("limit", "must be 1-200")
	}
	return b.Store.SignalsByTriage(ctx, state, before, limit)
}

func (b *Inbox) pending(ctx context.Context, by auth.User, id int64) (*Signal, error) {
	if !by.RespondsAnywhere() || !by.HasScope(auth.ScopeWrite) {
		return nil, fail.New(fail.Forbidden, "triage needs the responder role in a team (and a token with the write scope)")
	}
	s, err := b.Store.GetSignal(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.Triage != TriagePending {
		return nil, &fail.Error{Code: fail.Conflict, Field: "signal", Message: "signal " + SignalRef(id) + " is not pending triage (it is " + stateName(s) + ")"}
	}
	return s, nil
}

func stateName(s *Signal) string {
	if s.Triage == TriageNone {
		return "routed to an incident"
	}
	return string(s.Triage)
}

// SignalRef is a signal's human id, e.g. "SIG-12".
func SignalRef(id int64) string { return "SIG-" + strconv.FormatInt(id, 10) }

// Declare opens an incident from a pending signal. Empty fields of d are
// taken from the signal: its title, summary, service and grade.
func (b *Inbox) Declare(ctx context.Context, by auth.User, id int64, d incident.Declaration) (*incident.Incident, error) {
	s, err := b.pending(ctx, by, id)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(d.Title) == "" {
		d.Title = s.Title
	}
	if d.Summary == "" {
		d.Summary = s.Summary
	}
	if d.Grade == 0 {
		d.Grade = s.Grade
	}
	if d.Grade == 0 {
		return nil, fail.Field("grade", "is required: the signal has no grade from a route")
	}
	if d.Services == nil && s.Service != "" {
		d.Services = []string{s.Service}
	}
	d.Source = s.Source
	detectedFrom(s, &d, b.Now())
	inc, err := b.Incidents.Declare(ctx, by, d)
	if err != nil {
		return nil, err
	}
	s.Triage, s.IncidentID, s.TriageReason = TriageDeclared, inc.ID, "declared by "+by.Name
	ev := JoinEvent(s, inc.ID, b.Now().UTC())
	ev.Actor = by.Name
	if err := b.Store.SettleTriage(ctx, s, &ev); err != nil {
		return nil, err
	}
	return inc, nil
}

// Merge adds a pending signal to an open incident.
func (b *Inbox) Merge(ctx context.Context, by auth.User, id, incidentID int64) error {
	s, err := b.pending(ctx, by, id)
	if err != nil {
		return err
	}
	inc, err := b.Incidents.Get(ctx, by, incidentID)
	if err != nil {
		if fail.CodeOf(err) == fail.NotFound {
			return fail.Field("incident", "incident %s not found", incident.FormatRef(incidentID))
		}
		return err
	}
	if inc.Status == incident.Closed {
		return fail.Field("incident", "%s is closed", inc.Ref())
	}
	s.Triage, s.IncidentID, s.TriageReason = TriageMerged, inc.ID, "merged by "+by.Name
	ev := JoinEvent(s, inc.ID, b.Now().UTC())
	ev.Actor = by.Name
	return b.Store.SettleTriage(ctx, s, &ev)
}

// Dismiss closes a pending signal without an incident; the reason is kept.
func (b *Inbox) Dismiss(ctx context.Context, by auth.User, id int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return fail.Field("reason", "is required: say why this is not an incident")
	}
	s, err := b.pending(ctx, by, id)
	if err != nil {
		return err
	}
	s.Triage, s.TriageReason = TriageDismissed, clip(reason, 1000)+" ("+by.Name+")"
	return b.Store.SettleTriage(ctx, s, nil)
}
