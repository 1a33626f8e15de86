package server

import (
	"github.com/firebreak-oss/firebreak/internal/insight"
)

// openInsights sets up the insight measures over the organisation's zone.
func (s *Server) openInsights(o Options) {
	s.Insights = &insight.Service{Store: s.DB.Insights(), Catalog: o.Catalog, Zone: o.Policy.Zone, Now: o.Now}
}
