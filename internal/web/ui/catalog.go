package ui

import (
	"net/http"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

func (u *UI) listServices(w http.ResponseWriter, r *http.Request, v *view) {
	u.render(w, r, "services", v, u.Catalog.Services())
}

type servicePage struct {
	Service    catalog.Service
	Team       catalog.Team
	Dependants []string
	Recent     []*incident.Incident
}

func (u *UI) showService(w http.ResponseWriter, r *http.Request, v *view) {
	svc, ok := u.Catalog.Service(r.PathValue("name"))
	if !ok {
		u.fail(w, r, v, fail.New(fail.NotFound, "no service"))
		return
	}
	team, _ := u.Catalog.Team(svc.Team)
	recent, err := u.Incidents.List(r.Context(), v.User, incident.Filter{Service: svc.Name, Limit: 10}, "")
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	u.render(w, r, "service", v, servicePage{Service: svc, Team: team, Dependants: u.Catalog.Dependants(svc.Name), Recent: recent.Items})
}

type teamsPage struct {
	Teams    []catalog.Team
	Services map[string][]string
}

func (u *UI) listTeams(w http.ResponseWriter, r *http.Request, v *view) {
	p := teamsPage{Teams: u.Catalog.Teams(), Services: map[string][]string{}}
	for _, t := range p.Teams {
		p.Services[t.Name] = u.Catalog.ServicesOfTeam(t.Name)
	}
	u.render(w, r, "teams", v, p)
}
