package auth

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// Identity is who an identity provider says signed in, with the roles its
// groups map to.
type Identity struct {
	Issuer, Subject string
	// Name is the preferred user name; it is made acceptable and unique
	// when the user is created, and never changed afterwards.
	Name  string
	Email string
	// Role is the organisation role the groups give; Teams the team roles.
	Role  Role
	Teams []Membership
}

// SignInSSO returns the user of an identity, creating them at their first
// sign-in, and brings their organisation role and the team roles that come
// from the identity provider in line with its groups. Every change is audited.
func (s *Service) SignInSSO(ctx context.Context, id Identity) (User, error) {
	if id.Issuer == "" || id.Subject == "" {
		return User{}, fail.New(fail.Unauthorized, "the identity provider named no subject")
	}
	if !id.Role.Valid() {
		id.Role = Viewer
	}
	u, err := s.store.UserBySSO(ctx, id.Issuer, id.Subject)
	switch {
	case fail.CodeOf(err) == fail.NotFound:
		if u, err = s.createSSOUser(ctx, id); err != nil {
			return User{}, err
		}
	case err != nil:
		return User{}, err
	}
	target := "user:" + u.Name
	if u.Role != id.Role {
		audit := s.entry("sso:"+id.Issuer, "user.role", target, map[string]any{"role": u.Role}, map[string]any{"role": id.Role})
		if err := s.store.SetUserRole(ctx, u.ID, id.Role, audit); err != nil {
			return User{}, err
		}
	}
	var had []Membership
	manual := map[string]bool{} // a role an admin gave by hand wins over the groups'
	for _, m := range u.Teams {
		if m.Source == "oidc" {
			had = append(had, Membership{Team: m.Team, Role: m.Role})
		} else {
			manual[m.Team] = true
		}
	}
	want := slices.DeleteFunc(normalTeams(id.Teams), func(m Membership) bool { return manual[m.Team] })
	if len(want) == 0 {
		want = nil
	}
	if !slices.Equal(had, want) {
		audit := s.entry("sso:"+id.Issuer, "team.sso_sync", target, had, want)
		if err := s.store.ReplaceSSOTeams(ctx, u.ID, want, audit); err != nil {
			return User{}, err
		}
	}
	return s.store.UserBySSO(ctx, id.Issuer, id.Subject)
}

// normalTeams keeps the highest role per team, sorted by team, so that two
// lists of the same roles compare equal.
func normalTeams(ms []Membership) []Membership {
	best := map[string]TeamRole{}
	for _, m := range ms {
		if m.Role.AtLeast(best[m.Team]) {
			best[m.Team] = m.Role
		}
	}
	out := make([]Membership, 0, len(best))
	for t, r := range best {
		out = append(out, Membership{Team: t, Role: r})
	}
	slices.SortFunc(out, func(a, b Membership) int { return strings.Compare(a.Team, b.Team) })
	if len(out) == 0 {
		return nil
	}
	return out
}

var notNameChars = regexp.MustCompile(`[^a-z0-9._-]+`)

// createSSOUser makes the user of a first sign-in under the preferred name,
// cleaned up, or the same with a number when another account holds it.
func (s *Service) createSSOUser(ctx context.Context, id Identity) (User, error) {
	base := strings.Trim(notNameChars.ReplaceAllString(strings.ToLower(id.Name), "-"), "-._")
	if base == "" {
		local, _, _ := strings.Cut(strings.ToLower(id.Email), "@")
		base = strings.Trim(notNameChars.ReplaceAllString(local, "-"), "-._")
	}
	if base == "" {
		base = "user"
	}
	if len(base) > 56 {
		base = base[:56]
	}
	email := id.Email
	if !strings.Contains(email, "@") {
		email = ""
	}
	for n := 1; n <= 20; n++ {
		name := base
		if n > 1 {
			name = fmt.Sprintf("%s-%d", base, n)
		}
		u := User{Name: name, Email: email, Role: Viewer, CreatedAt: s.now().UTC(), SSOIssuer: id.Issuer, SSOSubject: id.Subject}
		audit := s.entry("sso:"+id.Issuer, "user.create", "user:"+name, nil, map[string]any{"role": Viewer, "email": email, "sso_subject": id.Subject})
		err := s.store.CreateUser(ctx, &u, audit)
		if fail.CodeOf(err) == fail.Conflict {
			continue
		}
		return u, err
	}
	return User{}, fail.New(fail.Conflict, "no free user name for %q", base)
}
