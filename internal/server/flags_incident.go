package server

import (
	"github.com/riverqueue/river"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/jobs"
)

// IncidentSwitches are the kill switches as the incident page, the API,
// Slack and the demo see them: flips made there land on the incident's
// timeline.
func (s *Server) IncidentSwitches() *flag.IncidentSwitches {
	return &flag.IncidentSwitches{Flags: s.Flags, Incidents: s.Incidents, Events: s.DB.Flags()}
}

// flagLeftWorker reminds owning teams of switches left flipped after
// their incident closed, by e-mail through the outbox (stored even when
// no mail is set up, as every message is, and shown failed then).
func (s *Server) flagLeftWorker(o Options) *jobs.FlagLeftWorker {
	link := o.BaseURL
	if link == "" && o.Policy != nil {
		link = o.Policy.BaseURL
	}
	return &jobs.FlagLeftWorker{
		Flags:   s.Flags,
		TeamOf:  func(svc string) (catalog.Team, bool) { return teamOfService(o.Catalog, svc) },
		Outbox:  s.Outbox,
		InTx:    s.DB.Outbox().InTx,
		BaseURL: link,
		Now:     o.Now,
		Log:     o.Logger.With("component", "flags"),
	}
}

// flagLeftPeriodic runs the left-flipped check once per period across
// replicas (jobs.Periodic).
func flagLeftPeriodic() jobs.Periodic {
	return jobs.NewPeriodic(jobs.FlagLeftEvery,
		func() (river.JobArgs, *river.InsertOpts) { return jobs.FlagLeftArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})
}

func teamOfService(c *catalog.Catalog, service string) (catalog.Team, bool) {
	svc, ok := c.Service(service)
	if !ok {
		return catalog.Team{}, false
	}
	return c.Team(svc.Team)
}
