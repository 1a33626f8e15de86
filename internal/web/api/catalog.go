package api

import (
	"net/http"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// The catalog is small and read from config, so its lists are not paged.

func (a *API) listTeams(w http.ResponseWriter, r *http.Request, _ auth.User) error {
	writeJSON(w, http.StatusOK, map[string]any{"items": a.Catalog.Teams()})
	return nil
}

func (a *API) listServices(w http.ResponseWriter, r *http.Request, _ auth.User) error {
	writeJSON(w, http.StatusOK, map[string]any{"items": a.Catalog.Services()})
	return nil
}

func (a *API) getService(w http.ResponseWriter, r *http.Request, _ auth.User) error {
	name := r.PathValue("name")
	svc, ok := a.Catalog.Service(name)
	if !ok {
		return fail.New(fail.NotFound, "no service named %q in the catalog", name)
	}
	writeJSON(w, http.StatusOK, map[string]any{"service": svc, "dependants": a.Catalog.Dependants(name)})
	return nil
}
