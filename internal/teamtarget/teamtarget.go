// Package teamtarget keeps the places each team asks to be told of its
// incidents, beyond its catalog e-mail and chat channel. The team's own
// responders and managers change them at run time (organisation admins too);
// each change goes to the audit log in the same transaction.
package teamtarget

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/policy"
)

// The audit log's actions for a team target.
const (
	ActionAdd    = "policy.target.add"
	ActionRemove = "policy.target.remove"
)

// MaxPerTeam bounds a team's targets: each one is a message per incident.
const MaxPerTeam = 50

// Store keeps team targets. Changes take their audit entry and store both in
// one transaction.
type Store interface {
	// AddTeamTarget stores t (setting its ID) with the audit entry audit
	// makes of it; the same live channel and address twice in a team is a
	// conflict.
	AddTeamTarget(ctx context.Context, t *policy.TeamTarget, audit func(after policy.TeamTarget) *auth.AuditEntry) error
	// RemoveTeamTarget marks the team's live target id removed; audit makes
	// the entry from the target as it was. Not the team's: not found; removed
	// already: conflict.
	RemoveTeamTarget(ctx context.Context, team string, id int64, by string, at time.Time,
		audit func(before policy.TeamTarget) *auth.AuditEntry) (policy.TeamTarget, error)
	// ListTeamTargets returns the live targets of the teams, oldest first,
	// with their secrets.
	ListTeamTargets(ctx context.Context, teams []string, limit int) ([]policy.TeamTarget, error)
}

// Service states who may change a team's targets.
type Service struct {
	Store Store
	Now   func() time.Time
	// TeamExists reports whether a team is in the catalog; nil accepts any.
	TeamExists func(name string) bool
	// NamedTarget reports whether the notify config has a Teams channel or
	// LINE WORKS target of that name; nil accepts any.
	NamedTarget func(ch policy.Channel, name string) bool
}

// Input is a target as people give it.
type Input struct {
	Channel   string `json:"channel"`
	Address   string `json:"address"`
	Secret    string `json:"secret,omitempty"`
	Lang      string `json:"lang,omitempty"`
	FromGrade string `json:"from_grade,omitempty"`
}

func (s *Service) team(team string) error {
	if s.TeamExists != nil && !s.TeamExists(team) {
		return fail.New(fail.NotFound, "no team %q", team)
	}
	return nil
}

// MayChange reports whether the user may add and remove the team's targets:
// its responders and managers, and organisation admins, with a token (if
// any) that may write.
func MayChange(by auth.User, team string) bool {
	return by.HasScope(auth.ScopeWrite) && by.HasTeamRole(auth.TeamResponder, team)
}

func (s *Service) mayChange(by auth.User, team string) error {
	if err := s.team(team); err != nil {
		return err
	}
	if !MayChange(by, team) {
		return fail.New(fail.Forbidden, "changing team %s's notification targets needs its responder or manager role (or the admin role) and the write scope", team)
	}
	return nil
}

// List returns the team's targets, without secrets. Who is told is no
// secret: everyone signed in may read it, as a preview shows it too.
func (s *Service) List(ctx context.Context, by auth.User, team string) ([]policy.TeamTarget, error) {
	if err := s.team(team); err != nil {
		return nil, err
	}
	ts, err := s.Store.ListTeamTargets(ctx, []string{team}, MaxPerTeam)
	if err != nil {
		return nil, err
	}
	for i := range ts {
		ts[i].Secret = ""
	}
	return ts, nil
}

// Add checks in and stores it as a target of the team.
func (s *Service) Add(ctx context.Context, by auth.User, team string, in Input) (policy.TeamTarget, error) {
	if err := s.mayChange(by, team); err != nil {
		return policy.TeamTarget{}, err
	}
	t, err := policy.NewTeamTarget(team, in.Channel, in.Address, in.Secret, in.Lang, in.FromGrade)
	if err != nil {
		return policy.TeamTarget{}, err
	}
	if named := t.Channel == policy.ChannelTeams || t.Channel == policy.ChannelLineWorks; named && s.NamedTarget != nil && !s.NamedTarget(t.Channel, t.Address) {
		return policy.TeamTarget{}, fail.Field("address", "the notify config has no %s target named %q", t.Channel, t.Address)
	}
	have, err := s.Store.ListTeamTargets(ctx, []string{team}, MaxPerTeam)
	if err != nil {
		return policy.TeamTarget{}, err
	}
	if len(have) >= MaxPerTeam {
		return policy.TeamTarget{}, fail.New(fail.Conflict, "team %s has %d targets already, the most it may have; remove one first", team, MaxPerTeam)
	}
	t.CreatedAt, t.CreatedBy = s.Now().UTC(), by.Name
	audit := func(after policy.TeamTarget) *auth.AuditEntry {
		return auth.NewAuditEntry(t.CreatedAt, by.Name, ActionAdd, "team:"+team, nil, after.Audited())
	}
	if err := s.Store.AddTeamTarget(ctx, &t, audit); err != nil {
		return policy.TeamTarget{}, err
	}
	t.Secret = ""
	return t, nil
}

// Remove takes the team's target id away.
func (s *Service) Remove(ctx context.Context, by auth.User, team string, id int64) (policy.TeamTarget, error) {
	if err := s.mayChange(by, team); err != nil {
		return policy.TeamTarget{}, err
	}
	now := s.Now().UTC()
	t, err := s.Store.RemoveTeamTarget(ctx, team, id, by.Name, now, func(before policy.TeamTarget) *auth.AuditEntry {
		return auth.NewAuditEntry(now, by.Name, ActionRemove, "team:"+team, before.Audited(), nil)
	})
	t.Secret = ""
	return t, err
}

// ForTeams returns the live targets of the teams, by team, secrets and all,
// for planning who is told.
func (s *Service) ForTeams(ctx context.Context, teams []string) (map[string][]policy.TeamTarget, error) {
	if len(teams) == 0 {
		return nil, nil
	}
	ts, err := s.Store.ListTeamTargets(ctx, teams, MaxPerTeam*len(teams))
	if err != nil {
		return nil, fmt.Errorf("team targets: %w", err)
	}
	out := map[string][]policy.TeamTarget{}
	for _, t := range ts {
		out[t.Team] = append(out[t.Team], t)
	}
	return out, nil
}

// Secret returns the signing secret of the live webhook target whose plan
// key is key ("team:<team>:webhook:<url>"), or "" when there is none (a
// removed target's messages are then refused, not sent unsigned).
func (s *Service) Secret(ctx context.Context, key string) (string, error) {
	rest, ok := strings.CutPrefix(key, "team:")
	team, address, found := strings.Cut(rest, ":webhook:")
	if !ok || !found {
		return "", nil
	}
	ts, err := s.Store.ListTeamTargets(ctx, []string{team}, MaxPerTeam)
	if err != nil {
		return "", err
	}
	for _, t := range ts {
		if t.Channel == policy.ChannelWebhook && t.Address == address {
			return t.Secret, nil
		}
	}
	return "", nil
}
