package server

import (
	"net/http"
	"os"
	"time"

	"github.com/riverqueue/river"

	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/playbook"
)

// openPlaybooks builds the playbook runner: runs are stored with their
// request and sent by a queue worker that takes the credential from the
// config (or its environment variable) only at send time.
func (s *Server) openPlaybooks(o Options, jc *jobs.Config) {
	cfg := o.Playbooks
	if cfg == nil {
		cfg = &playbook.Config{}
	}
	base := o.BaseURL
	if base == "" {
		base = o.Policy.BaseURL
	}
	blocker := o.RollbackBlocker
	if blocker == nil {
		blocker = s.Changes // the registry's verdict on each service's newest deploy
	}
	s.Playbooks = &playbook.Service{
		Config:    cfg,
		Incidents: s.Incidents,
		Owners:    directory{o.Catalog, s.DB.Users()},
		Store:     s.DB.PlaybookRuns(),
		Blocker:   blocker,
		Sender:    &playbook.Sender{Client: &http.Client{Timeout: 30 * time.Second}, Getenv: os.Getenv, Now: o.Now},
		Now:       o.Now,
		BaseURL:   base,
	}
	log := o.Logger.With("component", "playbook")
	register := jc.Register
	jc.Register = func(w *river.Workers) {
		river.AddWorker(w, s.Playbooks.Worker(log))
		if register != nil {
			register(w)
		}
	}
}

// withDemoPeer mounts the demo peer in front of h, for `serve --demo` only.
func withDemoPeer(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(playbook.DemoPeerPath, playbook.DemoPeer(playbook.DemoToken))
	mux.Handle("/", h)
	return mux
}
