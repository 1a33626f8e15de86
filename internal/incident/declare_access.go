package incident

import (
	"strings"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// Leads names the lead of a team ("" when it has none). When the directory
// knows leads, a restricted incident declared on a team's service always
// includes that team's lead, so declaring it from elsewhere cannot hide it
// from the team that owns the service.
type Leads interface {
	LeadOf(team string) string
}

// checkDeclaredVisibility applies at declaration the rule that PATCH applies
// to a change of visibility: anything but the default (internal) needs the
// manager role in a team that owns one of the services, or the admin role
// (then an override). Declaring is otherwise a way around that rule.
func (s *Service) checkDeclaredVisibility(by auth.User, inc *Incident) (Decision, error) {
	if inc.Visibility == Internal {
		return Decision{Visible: true, Allowed: true}, nil
	}
	// Judge as for an internal incident: the declarer is not a member yet,
	// and a restricted one would be hidden from them before the rule runs.
	probe := *inc
	probe.Visibility = Internal
	d := s.Decide(by, ChangeVisibility, &probe)
	if !d.Allowed {
		return d, fail.New(fail.Forbidden, "declaring a %s incident needs the manager role in a team that owns one of its services", inc.Visibility)
	}
	return d, nil
}

// addOwningLeads makes the leads of the teams owning inc's services members
// of a restricted incident.
func (s *Service) addOwningLeads(inc *Incident) {
	leads, ok := s.dir.(Leads)
	if !ok || inc.Visibility != Restricted {
		return
	}
	for _, team := range owningTeams(inc, s.owners) {
		inc.addMember(leads.LeadOf(team))
	}
}

// isTeamActor reports whether name is a team token's actor ("team:x").
// A token is not a person: it never becomes a member of an incident, or
// a restricted incident would stay visible to every holder of the token.
func isTeamActor(name string) bool { return strings.HasPrefix(name, "team:") }
