// Package catalog holds the teams and services Firebreak knows about, as
// written in the teams: and services: sections of the config file, and checks
// them on load with errors that point at file, line and field.
package catalog

import (
	"slices"
)

// DefaultTier is the tier of a service whose entry names none.
const DefaultTier = 3

// Team is a group of people that owns services and is told of their incidents.
type Team struct {
	Name        string   `json:"name"`
	DisplayName string   `json:"display_name"`
	Email       string   `json:"email"`
	ChatChannel string   `json:"chat_channel"`
	Lead        string   `json:"lead"`
	Members     []string `json:"members"`
}

// Runbook is a titled link to the instructions for handling a service.
type Runbook struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Service is something a team runs that can have incidents. Tier 1 is the
// most critical, tier 4 the least.
type Service struct {
	Name        string    `json:"name"`
	Team        string    `json:"team"`
	Tier        int       `json:"tier"`
	Description string    `json:"description"`
	DependsOn   []string  `json:"depends_on"`
	Runbooks    []Runbook `json:"runbooks"`
	// Repositories are where the service's code lives, for the change registry.
	Repositories []Repository `json:"repositories,omitempty"`
}

// Catalog is a checked, read-only set of teams and services, kept in file
// order. It is safe for concurrent use; the values it returns are copies.
type Catalog struct {
	teams      []Team
	services   []Service
	teamAt     map[string]int      // name -> index in teams
	serviceAt  map[string]int      // name -> index in services
	dependants map[string][]string // service -> services that depend on it directly
}

// Empty returns a catalog with no teams and no services.
func Empty() *Catalog {
	return newCatalog(nil, nil)
}

// newCatalog indexes teams and services that have already been checked.
func newCatalog(teams []Team, services []Service) *Catalog {
	c := &Catalog{
		teams:      teams,
		services:   services,
		teamAt:     make(map[string]int, len(teams)),
		serviceAt:  make(map[string]int, len(services)),
		dependants: make(map[string][]string),
	}
	for i, t := range teams {
		c.teamAt[t.Name] = i
	}
	for i, s := range services {
		c.serviceAt[s.Name] = i
		for _, d := range s.DependsOn {
			c.dependants[d] = append(c.dependants[d], s.Name)
		}
	}
	return c
}

// Teams returns every team in file order.
func (c *Catalog) Teams() []Team {
	out := make([]Team, len(c.teams))
	for i, t := range c.teams {
		out[i] = t.clone()
	}
	return out
}

// Services returns every service in file order.
func (c *Catalog) Services() []Service {
	out := make([]Service, len(c.services))
	for i, s := range c.services {
		out[i] = s.clone()
	}
	return out
}

// Team returns the named team and whether it exists.
func (c *Catalog) Team(name string) (Team, bool) {
	i, ok := c.teamAt[name]
	if !ok {
		return Team{}, false
	}
	return c.teams[i].clone(), true
}

// Service returns the named service and whether it exists.
func (c *Catalog) Service(name string) (Service, bool) {
	i, ok := c.serviceAt[name]
	if !ok {
		return Service{}, false
	}
	return c.services[i].clone(), true
}

// Dependants returns, sorted by name, the services that depend on the named
// one directly or through other services: those an incident on it may reach.
func (c *Catalog) Dependants(service string) []string {
	seen := map[string]bool{service: true}
	queue := []string{service}
	var out []string
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		for _, d := range c.dependants[next] {
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
				queue = append(queue, d)
			}
		}
	}
	slices.Sort(out)
	return out
}

// ServicesOfTeam returns the names of the services the named team owns, in
// file order.
func (c *Catalog) ServicesOfTeam(team string) []string {
	var out []string
	for _, s := range c.services {
		if s.Team == team {
			out = append(out, s.Name)
		}
	}
	return out
}

// clone copies t so callers cannot change the catalog through its slices.
func (t Team) clone() Team {
	t.Members = slices.Clone(t.Members)
	return t
}

// clone copies s so callers cannot change the catalog through its slices.
func (s Service) clone() Service {
	s.DependsOn = slices.Clone(s.DependsOn)
	s.Runbooks = slices.Clone(s.Runbooks)
	s.Repositories = slices.Clone(s.Repositories)
	return s
}
