package server

import (
	"context"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// flagPoll is how often an SQLite server looks for switch changes made by
// another process on its file. Flips through this server (web, API, CLI,
// Slack: the CLI talks to the server) reach its snapshot at once; another
// writer is a restore or a script, rare enough that half a minute does, and
// a poll twice a second was a tenth of what an idle server spent.
// PostgreSQL replicas are told by LISTEN/NOTIFY instead and poll nothing.
const flagPoll = 30 * time.Second

// flagReload is how often the whole snapshot is read again whatever the
// notices and marks said: a safety net, so rare (an idle server should
// cost nothing).
const flagReload = 5 * time.Minute

// flagIncidents tells the flag service of the incidents a flip names.
type flagIncidents struct{ incidents *incident.Service }

func (f flagIncidents) IncidentState(ctx context.Context, by auth.User, ref string) (string, bool, error) {
	id, ok := incident.ParseRef(ref)
	if !ok {
		return "", false, fail.New(fail.NotFound, "no incident %q", ref)
	}
	inc, err := f.incidents.Get(ctx, by, id)
	if err != nil {
		return "", false, err
	}
	return inc.Ref(), inc.Status == incident.Closed, nil
}

// openFlags builds the kill switches: the service that changes them, the
// snapshot evaluation answers from, and the watcher that keeps it fresh.
// The config file's switches are stored first, keeping their live state.
func (s *Server) openFlags(ctx context.Context, o Options) error {
	s.FlagsServed = flag.NewServed()
	fs := s.DB.Flags()
	s.Flags = &flag.Service{Store: fs, Now: o.Now, Incidents: flagIncidents{s.Incidents}, Changed: s.FlagsServed.Put,
		TeamOf: func(svc string) string { c, _ := o.Catalog.Service(svc); return c.Team },
		ServiceExists: func(name string) bool {
			_, ok := o.Catalog.Service(name)
			return ok || len(o.Catalog.Services()) == 0 // no catalog: any name
		}}
	if err := s.Flags.SyncConfig(ctx, o.Flags); err != nil {
		return err
	}
	s.flagWatcher = &flag.Watcher{Served: s.FlagsServed, Store: fs, Reload: flagReload, Log: o.Logger.With("component", "flags")}
	if s.DB.Dialect == store.Postgres {
		s.flagWatcher.Listen = fs.ListenFlags
	} else {
		s.flagWatcher.Poll = flagPoll
	}
	return s.flagWatcher.Load(ctx)
}
