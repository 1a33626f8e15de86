package server

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/web/status"
)

// maintenancePoll is how often a server looks for windows and silences
// another process created or ended without it hearing: the cache reads a
// change mark, one indexed MAX, and reloads only when it moved. On
// PostgreSQL every change is announced to every replica (LISTEN), so this
// is the fallback for a lost notice; on SQLite, for the CLI writing the
// file. The server's own changes reload its cache at once.
const maintenancePoll = 30 * time.Second

// openMaintenance builds maintenance windows and silences: the service
// that changes them, the in-memory cache routing consults for every new
// signal, and the config file's windows, stored once each.
func (s *Server) openMaintenance(ctx context.Context, o Options) error {
	ms := s.DB.Maintenance()
	s.maintenanceCache = &maintenance.Cache{Store: ms, Now: o.Now, Poll: maintenancePoll,
		Log: o.Logger.With("component", "maintenance")}
	if s.DB.Dialect == store.Postgres {
		s.maintenanceCache.Listen = ms.ListenChanges
	}
	s.Maintenance = &maintenance.Service{Store: ms, Now: o.Now, Signals: s.DB.Signals(),
		ServiceExists: func(name string) bool {
			_, ok := o.Catalog.Service(name)
			return ok || len(o.Catalog.Services()) == 0 // no catalog: any name
		},
		TeamOf: func(svc string) string { c, _ := o.Catalog.Service(svc); return c.Team },
		Changed: func(ctx context.Context) {
			if err := s.maintenanceCache.Load(ctx); err != nil {
				o.Logger.Warn("reload maintenance windows after a change; the poll will", "err", err)
			}
		}}
	if err := s.Maintenance.SyncConfig(ctx, o.Maintenance); err != nil {
		return err
	}
	s.Router.Suppressor = s.maintenanceCache
	return s.maintenanceCache.Load(ctx)
}

// withMaintenanceNote wraps the hook that runs after timeline events are
// appended: an incident declared while a maintenance window is in progress
// on one of its services gets an event naming the window, in the same
// transaction, so whoever reads the timeline knows its alerts were kept
// quiet.
func (s *Server) withMaintenanceNote(next func(context.Context, *sql.Tx, *incident.Incident, []incident.Event) error) func(
	context.Context, *sql.Tx, *incident.Incident, []incident.Event) error {
	return func(ctx context.Context, tx *sql.Tx, inc *incident.Incident, events []incident.Event) error {
		if err := next(ctx, tx, inc, events); err != nil {
			return err
		}
		for _, ev := range events {
			if ev.Kind != incident.EventDeclared {
				continue
			}
			var notes []incident.Event
			for _, w := range s.maintenanceCache.WindowsAt(inc.Services, ev.At) {
				notes = append(notes, incident.Event{IncidentID: inc.ID, At: ev.At, Actor: "firebreak", Kind: maintenance.EventActive,
					Data: map[string]any{"window": w.Ref, "title": w.Title, "ends_at": w.End.UTC().Format(time.RFC3339)}})
			}
			return s.DB.Incidents().AppendEventsTx(ctx, tx, inc.ID, notes)
		}
		return nil
	}
}

// statusSchedule lists, for the status page, the live windows in progress
// or starting within a week: public ones on the public page, all on the
// staff page.
func (s *Server) statusSchedule(ctx context.Context, public bool, now time.Time) ([]status.Scheduled, error) {
	ws, err := s.Maintenance.ListWindows(ctx, false, 0, 200)
	if err != nil {
		return nil, err
	}
	var out []status.Scheduled
	for _, w := range ws {
		if public && !w.Public {
			continue
		}
		next, ok := w.Next(now)
		if !ok || next.Start.After(now.Add(7*24*time.Hour)) {
			continue
		}
		out = append(out, status.Scheduled{Ref: w.Ref(), Title: w.Title, Services: w.Services, Start: next.Start, End: next.End,
			InProgress: !now.Before(next.Start)})
	}
	slices.SortFunc(out, func(a, b status.Scheduled) int { return a.Start.Compare(b.Start) })
	return out, nil
}
