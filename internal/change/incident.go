package change

import (
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// LastSafe names, for one service, the version to return to: the one
// before the newest deploy when that deploy can be rolled back. When it
// cannot, Version is empty and Blocked says why (with the deciding link).
type LastSafe struct {
	Service string `json:"service"`
	// Current is the version of the newest deploy ("" when none is known).
	Current string `json:"current,omitempty"`
	Version string `json:"version,omitempty"`
	// Blocked is set when the newest deploy is not rollbackable.
	Blocked bool   `json:"blocked"`
	Reason  string `json:"reason,omitempty"`
	Link    string `json:"link,omitempty"`
	Label   string `json:"label,omitempty"`
	// DeployID is the newest deploy's change id (0: no deploy known).
	DeployID int64 `json:"deploy_id,omitempty"`
}

// IncidentView is what changed around an incident.
type IncidentView struct {
	// Services are the affected services and those they depend on.
	Services []string   `json:"services"`
	From     time.Time  `json:"from"`
	Changes  []Change   `json:"changes"`
	LastSafe []LastSafe `json:"last_safe"`
}

// MaxIncidentChanges bounds the changes shown around one incident.
const MaxIncidentChanges = 100

// ForIncident returns the changes of the incident's affected services and
// the services they depend on, from the configured window before it started
// until now, newest first, with the last safe version of each service. It
// answers only to those who may see the incident.
func (s *Service) ForIncident(ctx context.Context, by auth.User, id int64) (*IncidentView, error) {
	inc, err := s.Incidents.Authorize(ctx, by, id, incident.Read, "change.read")
	if err != nil {
		return nil, err
	}
	return s.around(ctx, inc)
}

// Around is ForIncident for a caller that has checked the viewer may see
// inc already (the incident page), so an admin's look is audited once.
func (s *Service) Around(ctx context.Context, inc *incident.Incident) (*IncidentView, error) {
	return s.around(ctx, inc)
}

func (s *Service) around(ctx context.Context, inc *incident.Incident) (*IncidentView, error) {
	v := &IncidentView{Services: s.withDependencies(inc.Services), From: inc.StartedAt.Add(-s.Config.Window).UTC(),
		Changes: []Change{}, LastSafe: []LastSafe{}}
	if len(v.Services) == 0 {
		return v, nil
	}
	cs, err := s.Store.ListChanges(ctx, Query{Services: v.Services, From: v.From, To: s.Now().UTC(), Limit: MaxIncidentChanges})
	if err != nil {
		return nil, err
	}
	v.Changes = cs
	for _, name := range v.Services {
		ls, err := s.lastSafe(ctx, name)
		if err != nil {
			return nil, err
		}
		if ls.DeployID != 0 {
			v.LastSafe = append(v.LastSafe, ls)
		}
	}
	return v, nil
}

// withDependencies returns the services and, once each, those they depend
// on directly: a broken dependency shows as an incident of its users.
func (s *Service) withDependencies(services []string) []string {
	out := slices.Clone(services)
	for _, name := range services {
		for _, d := range s.Catalog.DependsOn(name) {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
}

// lastSafe applies the rule: a rollbackable newest deploy makes the deploy
// before it the version to return to; a not rollbackable one leaves none.
func (s *Service) lastSafe(ctx context.Context, service string) (LastSafe, error) {
	ls := LastSafe{Service: service}
	deploys, err := s.Store.ListChanges(ctx, Query{Services: []string{service}, Kinds: []Kind{KindDeploy}, Limit: 2})
	if err != nil || len(deploys) == 0 {
		return ls, err
	}
	newest := deploys[0]
	ls.DeployID, ls.Current = newest.ID, newest.Version
	if !newest.Verdict.Rollbackable {
		ls.Blocked, ls.Reason, ls.Label = true, newest.Verdict.Reason, newest.Verdict.Label
		ls.Link = newest.Verdict.PR
		if ls.Link == "" {
			ls.Link = newest.PRLink()
		}
		return ls, nil
	}
	if len(deploys) > 1 {
		ls.Version = deploys[1].Version
		if ls.Version == "" {
			ls.Version = deploys[1].Commit
		}
	}
	return ls, nil
}

// RollbackBlocker says why rolling back the service's newest deploy is not safe: the reason and a
// link (the PR) when the newest deploy in the registry is not rollbackable; empty strings when it
// is safe or the service has no deploys.
func (s *Service) RollbackBlocker(ctx context.Context, service string) (reason, link string, err error) {
	ls, err := s.lastSafe(ctx, service)
	if err != nil || !ls.Blocked {
		return "", "", err
	}
	return ls.Reason, ls.Link, nil
}

// Suspect marks a change as the suspected trigger of an incident: a
// timeline event that the report's cause section is pre-filled from. Only
// those who may change the incident may, and only with a change of its
// services or their dependencies.
func (s *Service) Suspect(ctx context.Context, by auth.User, incidentID, changeID int64) (incident.Event, error) {
	inc, err := s.Incidents.Authorize(ctx, by, incidentID, incident.Change, "change.suspect")
	if err != nil {
		return incident.Event{}, err
	}
	c, err := s.Store.GetChange(ctx, changeID)
	if fail.CodeOf(err) == fail.NotFound {
		return incident.Event{}, fail.Field("change", "no change %d", changeID)
	}
	if err != nil {
		return incident.Event{}, err
	}
	related := s.withDependencies(inc.Services)
	if !slices.ContainsFunc(c.Services, func(name string) bool { return slices.Contains(related, name) }) {
		return incident.Event{}, fail.Field("change", "change %d is not of the incident's services or their dependencies", changeID)
	}
	ev := incident.Event{IncidentID: incidentID, At: s.Now().UTC(), Actor: by.Name, Kind: EventSuspected, Data: eventData(&c)}
	ev.Data["at"] = c.At.Format(time.RFC3339)
	if err := s.Incidents.AppendEvent(ctx, &ev); err != nil {
		return incident.Event{}, err
	}
	return ev, nil
}

// EncodeCursor writes the place after c for the next page.
func EncodeCursor(c Change) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.At.UnixNano(), 10) + "." + strconv.FormatInt(c.ID, 10)))
}

// DecodeCursor reads a cursor EncodeCursor wrote.
func DecodeCursor(s string) (*Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	at, id, ok := strings.Cut(string(b), ".")
	if err != nil || !ok {
		return nil, fail.Field("cursor", "must be the next_cursor of an earlier page")
	}
	ns, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil {
		return nil, fail.Field("cursor", "must be the next_cursor of an earlier page")
	}
	return &Cursor{At: time.Unix(0, ns).UTC(), ID: n}, nil
}
