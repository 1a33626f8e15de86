package api

import (
	"net/http"
	"strconv"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
)

// maintenanceRoutes are maintenance windows and silences: everyone signed
// in reads them; admins and the managers of a service's team plan windows;
// responders silence alerts.
func (a *API) maintenanceRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/maintenance", Need: NeedRead, handle: a.listWindows},
		{Method: "POST", Path: "/maintenance", Need: NeedWrite, Body: maintenance.WindowInput{}, handle: a.createWindow},
		{Method: "GET", Path: "/maintenance/{id}", Need: NeedRead, handle: a.getWindow},
		{Method: "POST", Path: "/maintenance/{id}/end", Need: NeedWrite, handle: a.endWindow},
		{Method: "GET", Path: "/silences", Need: NeedRead, handle: a.listSilences},
		{Method: "POST", Path: "/silences", Need: NeedWrite, Body: maintenance.SilenceInput{}, handle: a.createSilence},
		{Method: "POST", Path: "/silences/{id}/end", Need: NeedWrite, handle: a.endSilence},
		{Method: "GET", Path: "/signals/suppressed", Need: NeedRead, handle: a.listSuppressed},
	}
}

// maintenanceOn refuses when the server has no maintenance service.
func (a *API) maintenanceOn() error {
	if a.Maintenance == nil {
		return fail.New(fail.NotFound, "maintenance windows are not set up on this server")
	}
	return nil
}

func pathID(r *http.Request) int64 {
	// An id that is no number finds nothing, as any missing id.
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return max(id, 0)
}

func (a *API) listWindows(w http.ResponseWriter, r *http.Request, _ auth.User) error {
	if err := a.maintenanceOn(); err != nil {
		return err
	}
	before, limit, err := pageParams(r, 50, 200)
	if err != nil {
		return err
	}
	ws, err := a.Maintenance.ListWindows(r.Context(), r.URL.Query().Get("all") == "true", before, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ws})
	return nil
}

func (a *API) createWindow(w http.ResponseWriter, r *http.Request, u auth.User) error {
	if err := a.maintenanceOn(); err != nil {
		return err
	}
	var req maintenance.WindowInput
	if err := decode(w, r, &req); err != nil {
		return err
	}
	win, err := a.Maintenance.CreateWindow(r.Context(), u, req.Window("api"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, win)
	return nil
}

func (a *API) getWindow(w http.ResponseWriter, r *http.Request, _ auth.User) error {
	if err := a.maintenanceOn(); err != nil {
		return err
	}
	win, err := a.Maintenance.GetWindow(r.Context(), pathID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, win)
	return nil
}

func (a *API) endWindow(w http.ResponseWriter, r *http.Request, u auth.User) error {
	if err := a.maintenanceOn(); err != nil {
		return err
	}
	win, err := a.Maintenance.EndWindow(r.Context(), u, pathID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, win)
	return nil
}

func (a *API) listSilences(w http.ResponseWriter, r *http.Request, _ auth.User) error {
	if err := a.maintenanceOn(); err != nil {
		return err
	}
	before, limit, err := pageParams(r, 50, 200)
	if err != nil {
		return err
	}
	state := r.URL.Query().Get("state")
	if state != "" && state != "active" && state != "expired" {
		return fail.Field("state", "must be active or expired; got %q", state)
	}
	ss, err := a.Maintenance.ListSilences(r.Context(), state == "expired", before, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ss})
	return nil
}

func (a *API) createSilence(w http.ResponseWriter, r *http.Request, u auth.User) error {
	if err := a.maintenanceOn(); err != nil {
		return err
	}
	var req maintenance.SilenceInput
	if err := decode(w, r, &req); err != nil {
		return err
	}
	sil, err := a.Maintenance.CreateSilence(r.Context(), u, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sil)
	return nil
}

func (a *API) endSilence(w http.ResponseWriter, r *http.Request, u auth.User) error {
	if err := a.maintenanceOn(); err != nil {
		return err
	}
	sil, err := a.Maintenance.EndSilence(r.Context(), u, pathID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sil)
	return nil
}

// listSuppressed lists the signals windows and silences kept quiet.
func (a *API) listSuppressed(w http.ResponseWriter, r *http.Request, _ auth.User) error {
	if err := a.maintenanceOn(); err != nil {
		return err
	}
	before, limit, err := pageParams(r, 50, 200)
	if err != nil {
		return err
	}
	sigs, err := a.Maintenance.SuppressedSignals(r.Context(), before, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": sigs})
	return nil
}
