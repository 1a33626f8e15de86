package server

import (
	"context"
	"time"

	"github.com/firebreak-oss/firebreak/internal/change"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// changeIncidents gives the change registry the incident rules (who may
// see and change an incident) and the timeline it writes to.
type changeIncidents struct {
	*incident.Service
	store *store.Incidents
}

func (c changeIncidents) OpenIncidentsOf(ctx context.Context, services []string, at time.Time) ([]int64, error) {
	return c.store.OpenIncidentsOf(ctx, services, at)
}

func (c changeIncidents) AppendEvent(ctx context.Context, ev *incident.Event) error {
	return c.store.AppendEvent(ctx, ev)
}

// openChanges builds the change registry. It makes no outbound calls:
// changes arrive by webhook, API and CLI, and what they tell open incidents
// goes on the timeline.
func (s *Server) openChanges(o Options) {
	cfg := o.Changes
	if cfg == nil {
		cfg = change.DefaultConfig()
	}
	s.Changes = &change.Service{Store: s.DB.Changes(), Catalog: o.Catalog, Config: cfg, Now: o.Now,
		Incidents: changeIncidents{Service: s.Incidents, store: s.DB.Incidents()}, Log: o.Logger.With("component", "changes")}
}
