package auth

import (
	"context"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// SetRole changes a user's organisation-wide role. Only admins may.
func (s *Service) SetRole(ctx context.Context, by User, name string, role Role) (User, error) {
	if !by.IsAdmin() {
		return User{}, fail.New(fail.Forbidden, "changing a user's organisation role needs the admin role")
	}
	if !role.Valid() {
		return User{}, fail.Field("role", "must be one of viewer, responder, admin; got %q", role)
	}
	u, err := s.store.UserByName(ctx, name)
	if err != nil {
		return User{}, err
	}
	if u.Role == role {
		return u, nil
	}
	audit := s.entry(by.Name, "user.role", "user:"+name, map[string]any{"role": u.Role}, map[string]any{"role": role})
	if err := s.store.SetUserRole(ctx, u.ID, role, audit); err != nil {
		return User{}, err
	}
	u.Role = role
	return u, nil
}

// SetTeamRole gives a user a role in a team, or takes it away when role is
// "". Admins and the team's managers may.
func (s *Service) SetTeamRole(ctx context.Context, by User, name, team string, role TeamRole) (User, error) {
	if s.TeamExists != nil && !s.TeamExists(team) {
		return User{}, fail.Field("team", "unknown team %q", team)
	}
	if !by.HasTeamRole(TeamManager, team) {
		return User{}, fail.New(fail.Forbidden, "changing roles in team %s needs its manager role or the admin role", team)
	}
	if role != "" && !role.Valid() {
		return User{}, fail.Field("role", "must be one of viewer, responder, manager; got %q", role)
	}
	u, err := s.store.UserByName(ctx, name)
	if err != nil {
		return User{}, err
	}
	before := u.TeamRole(team)
	if before == role {
		return u, nil
	}
	audit := s.entry(by.Name, "team.role", "user:"+name, teamRoleJSON(team, before), teamRoleJSON(team, role))
	if err := s.store.SetTeamRole(ctx, u.ID, team, role, "manual", audit); err != nil {
		return User{}, err
	}
	return s.store.UserByName(ctx, name)
}

func teamRoleJSON(team string, role TeamRole) any {
	if role == "" {
		return nil
	}
	return map[string]any{"team": team, "role": role}
}

// TeamMember is one user's role in a team.
type TeamMember struct {
	User   string   `json:"user"`
	Role   TeamRole `json:"role"`
	Source string   `json:"source"`
}

// MaxTeamMembers bounds the list of a team's roles.
const MaxTeamMembers = 1000

// TeamMembers lists who holds a role in the team. Everyone signed in may
// know who is on a team.
func (s *Service) TeamMembers(ctx context.Context, team string) ([]TeamMember, error) {
	if s.TeamExists != nil && !s.TeamExists(team) {
		return nil, fail.New(fail.NotFound, "no team %q", team)
	}
	return s.store.TeamRoles(ctx, team, MaxTeamMembers)
}
