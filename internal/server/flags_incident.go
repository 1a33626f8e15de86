package server

import "github.com/firebreak-oss/firebreak/internal/flag"

// incidentSwitches are the kill switches as the incident page, the API
// and Slack see them: flips made there land on the incident's timeline.
func (s *Server) incidentSwitches() *flag.IncidentSwitches {
	return &flag.IncidentSwitches{Flags: s.Flags, Incidents: s.Incidents, Timeline: s.DB.Incidents()}
}
