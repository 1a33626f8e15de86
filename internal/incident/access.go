package incident

import (
	"context"
	"fmt"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// Action is something a user may do to an incident.
type Action string

// The actions the access rules know.
const (
	// Read sees the incident, its timeline and everything derived from it.
	Read Action = "read"
	// Change edits its fields, status, roles and notes.
	Change Action = "change"
	// ChangeVisibility makes it public, internal or restricted.
	ChangeVisibility Action = "change_visibility"
	// Declare opens a new incident (inc is nil).
	Declare Action = "declare"
)

// Decision is the answer of Decide.
type Decision struct {
	// Visible is false when the user may not even know the incident
	// exists: callers then answer exactly as for a missing one.
	Visible bool
	Allowed bool
	// Override is set when only the organisation admin role allows it: such
	// actions are written to the audit log.
	Override bool
	// Reason says, for a refusal, what would be needed.
	Reason string
}

// Owners says which team owns a service ("" when none does).
type Owners interface {
	TeamOf(service string) string
}

// Decide is the one place that says whether user u may do action a to
// incident inc (nil for Declare). owners maps services to their teams.
//
// Everyone signed in reads public and internal incidents; restricted ones
// only their members and organisation admins. Changes need the write scope
// and one of: the organisation-wide responder role, a responder or manager
// role in a team that owns one of the incident's services, or membership of
// the incident together with a responder role somewhere. Visibility needs the
// manager role of an owning team. Admins may do everything; where nothing
// else would allow it, that is an override.
func Decide(u auth.User, a Action, inc *Incident, owners Owners) Decision {
	if a == Declare {
		switch {
		case !u.HasScope(auth.ScopeWrite):
			return Decision{Visible: true, Reason: "declaring an incident needs a token with the write scope"}
		case !u.RespondsAnywhere():
			return Decision{Visible: true, Reason: "declaring an incident needs the responder role in a team"}
		}
		return Decision{Visible: true, Allowed: true}
	}
	member := inc.IsMember(u.Name)
	if inc.Visibility == Restricted && !member && !u.IsAdmin() {
		return Decision{}
	}
	if a == Read {
		return Decision{Visible: true, Allowed: u.HasScope(auth.ScopeRead), Reason: "this token lacks the read scope",
			Override: inc.Visibility == Restricted && !member}
	}
	if !u.HasScope(auth.ScopeWrite) {
		return Decision{Visible: true, Reason: "changing an incident needs a token with the write scope"}
	}
	teams := owningTeams(inc, owners)
	var normal bool
	var need string
	switch a {
	case Change:
		normal = u.Role == auth.Responder || teamRole(u, auth.TeamResponder, teams) || (member && u.RespondsAnywhere())
		need = "changing this incident needs the responder role in a team that owns one of its services"
	case ChangeVisibility:
		normal = teamRole(u, auth.TeamManager, teams)
		need = "changing who may see this incident needs the manager role in a team that owns one of its services"
	}
	switch {
	case normal:
		return Decision{Visible: true, Allowed: true}
	case u.IsAdmin():
		return Decision{Visible: true, Allowed: true, Override: true}
	}
	return Decision{Visible: true, Reason: need}
}

// CanSee reports whether the user may know that the incident exists.
func CanSee(u auth.User, inc *Incident) bool {
	return Decide(u, Read, inc, nil).Visible
}

// teamRole reports whether u holds at least min in one of the teams, by a
// team role alone (not by being an admin).
func teamRole(u auth.User, min auth.TeamRole, teams []string) bool {
	for _, t := range teams {
		if u.TeamRole(t).AtLeast(min) {
			return true
		}
	}
	return false
}

func owningTeams(inc *Incident, owners Owners) []string {
	if owners == nil {
		return nil
	}
	var out []string
	for _, s := range inc.Services {
		if t := owners.TeamOf(s); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// auditEntry describes an audited change of inc by u. An override also
// records that only the admin role allowed it.
func (s *Service) auditEntry(by auth.User, inc *Incident, action string, override bool, before, after any) *auth.AuditEntry {
	if override {
		action += ".admin_override"
	}
	return auth.NewAuditEntry(s.now(), by.Name, action, inc.Ref(), before, after)
}

// record writes an entry once its change is stored. The change stands if
// this fails; the error says the log missed it.
func (s *Service) record(ctx context.Context, e *auth.AuditEntry) error {
	if s.audit == nil {
		return nil
	}
	if err := s.audit.Record(ctx, e); err != nil {
		return fmt.Errorf("record %s of %s in the audit log: %w", e.Action, e.Target, err)
	}
	return nil
}

// Authorize returns incident id if by may do a to it: one by may not see is
// not found (exactly as a missing one), a refusal is Forbidden with the
// reason, and where only the admin role allows it the override is written to
// the audit log as what+".admin_override" (so for Read, use it where a person
// opens one thing, not for lists). Services built on incidents (reports,
// reviews, action items) ask here rather than check roles themselves.
func (s *Service) Authorize(ctx context.Context, by auth.User, id int64, a Action, what string) (*Incident, error) {
	inc, err := s.Get(ctx, by, id)
	if err != nil {
		return nil, err
	}
	d := s.Decide(by, a, inc)
	if !d.Allowed {
		return nil, fail.New(fail.Forbidden, "%s", d.Reason)
	}
	if d.Override {
		if err := s.record(ctx, s.auditEntry(by, inc, what, true, nil, nil)); err != nil {
			return nil, err
		}
	}
	return inc, nil
}
