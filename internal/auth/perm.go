package auth

import (
	"slices"
	"strings"
)

// TeamRole is what a user may do for one team: see its incidents (viewer),
// handle its services' incidents, policy targets and action items
// (responder), and also manage its people, tokens and restricted incidents'
// visibility (manager).
type TeamRole string

// The team roles, from least to most trusted.
const (
	TeamViewer    TeamRole = "viewer"
	TeamResponder TeamRole = "responder"
	TeamManager   TeamRole = "manager"
)

var teamRank = map[TeamRole]int{TeamViewer: 1, TeamResponder: 2, TeamManager: 3}

// Valid reports whether r is a known team role.
func (r TeamRole) Valid() bool { return teamRank[r] > 0 }

// AtLeast reports whether r grants everything min grants.
func (r TeamRole) AtLeast(min TeamRole) bool { return teamRank[r] >= teamRank[min] }

// Membership is a user's role in one team.
type Membership struct {
	Team string   `json:"team"`
	Role TeamRole `json:"role"`
	// Source says where the role came from: "manual" (an admin gave it) or
	// "oidc" (the identity provider's groups, renewed at each sign-in).
	Source string `json:"source,omitempty"`
}

// Scope limits what an API token may do, whoever owns it.
type Scope string

// The token scopes. Write includes read.
const (
	ScopeRead   Scope = "read"
	ScopeWrite  Scope = "write"
	ScopeIntake Scope = "intake"
	// ScopeFlagsRead lets an application evaluate kill switches over OFREP
	// and nothing else: the token an app ships with can read no incident.
	ScopeFlagsRead Scope = "flags:read"
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeRead, ScopeWrite, ScopeIntake, ScopeFlagsRead}

// scopeList names the scopes for messages.
const scopeList = "read, write, intake, flags:read"

// ParseScopes reads a comma list such as "read,write".
func ParseScopes(s string) ([]Scope, bool) {
	var out []Scope
	for _, part := range strings.Split(s, ",") {
		sc := Scope(strings.TrimSpace(part))
		if sc == "" {
			continue
		}
		if !slices.Contains(Scopes, sc) {
			return nil, false
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, len(out) > 0
}

// FormatScopes writes scopes as a comma list.
func FormatScopes(scopes []Scope) string {
	parts := make([]string, len(scopes))
	for i, s := range scopes {
		parts[i] = string(s)
	}
	return strings.Join(parts, ",")
}

// TeamRole returns the user's role in the team, or "" when they have none.
func (u User) TeamRole(team string) TeamRole {
	for _, m := range u.Teams {
		if m.Team == team {
			return m.Role
		}
	}
	return ""
}

// HasTeamRole reports whether the user holds at least min in any of the
// teams. Organisation admins hold every role everywhere.
func (u User) HasTeamRole(min TeamRole, teams ...string) bool {
	if u.IsAdmin() {
		return true
	}
	for _, t := range teams {
		if u.TeamRole(t).AtLeast(min) {
			return true
		}
	}
	return false
}

// RespondsAnywhere reports whether the user may respond to some incident:
// an organisation-wide responder or admin, or a responder of any team. It is
// what declaring an incident and triage need.
func (u User) RespondsAnywhere() bool {
	if u.Role.AtLeast(Responder) {
		return true
	}
	for _, m := range u.Teams {
		if m.Role.AtLeast(TeamResponder) {
			return true
		}
	}
	return false
}

// HasScope reports whether the request may use the scope: a browser session
// (no token) may use every scope except intake, write includes read, and
// read includes flags:read.
func (u User) HasScope(s Scope) bool {
	if u.Scopes == nil {
		return s != ScopeIntake
	}
	if slices.Contains(u.Scopes, s) {
		return true
	}
	if s == ScopeFlagsRead && slices.Contains(u.Scopes, ScopeRead) {
		return true // whoever reads everything reads switches too
	}
	return (s == ScopeRead || s == ScopeFlagsRead) && slices.Contains(u.Scopes, ScopeWrite)
}
