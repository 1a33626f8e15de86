package api

import (
	"net/http"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/flag"
)

// flagRoutes are the kill switches: everyone signed in reads them; the
// responders of the team owning a switch's service, and admins, create,
// change and flip them. Applications read their values over OFREP, not
// here.
func (a *API) flagRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/flags", Need: NeedRead, handle: a.listFlags},
		{Method: "POST", Path: "/flags", Need: NeedWrite, Body: flag.Definition{}, handle: a.createFlag},
		{Method: "GET", Path: "/flags/{key}", Need: NeedRead, handle: a.getFlag},
		{Method: "PUT", Path: "/flags/{key}", Need: NeedWrite, Body: flagUpdateRequest{}, handle: a.updateFlag},
		{Method: "POST", Path: "/flags/{key}/flip", Need: NeedWrite, Body: flag.FlipRequest{}, handle: a.flipFlag},
	}
}

// flagUpdateRequest replaces a switch's definition, saying why.
type flagUpdateRequest struct {
	Service        string         `json:"service"`
	Description    string         `json:"description"`
	Type           flag.Type      `json:"type"`
	Variants       map[string]any `json:"variants"`
	DefaultVariant string         `json:"default_variant"`
	Rules          []flag.Rule    `json:"rules"`
	Enabled        *bool          `json:"enabled,omitempty"`
	Reason         string         `json:"reason,omitempty"`
}

// flagView is a switch as the API shows it: its state by name.
type flagView struct {
	flag.Switch
	State   string `json:"state"`
	Flipped bool   `json:"flipped"`
}

func viewFlag(s flag.Switch) flagView {
	return flagView{Switch: s, State: s.StateName(), Flipped: s.Flipped()}
}

func (a *API) listFlags(w http.ResponseWriter, r *http.Request, u auth.User) error {
	list, err := a.Flags.List(r.Context(), u, r.URL.Query()["service"])
	if err != nil {
		return err
	}
	items := make([]flagView, len(list))
	for i, s := range list {
		items[i] = viewFlag(s)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (a *API) createFlag(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var req flag.Definition
	if err := decode(w, r, &req); err != nil {
		return err
	}
	s, err := a.Flags.Create(r.Context(), u, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewFlag(s))
	return nil
}

func (a *API) getFlag(w http.ResponseWriter, r *http.Request, u auth.User) error {
	s, revs, err := a.Flags.Get(r.Context(), u, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		flagView
		Revisions []flag.Revision `json:"revisions"`
	}{viewFlag(s), revs})
	return nil
}

func (a *API) updateFlag(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var req flagUpdateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	def := flag.Definition{Service: req.Service, Description: req.Description, Type: req.Type, Variants: req.Variants,
		DefaultVariant: req.DefaultVariant, Rules: req.Rules, Enabled: req.Enabled}
	s, err := a.Flags.Update(r.Context(), u, r.PathValue("key"), def, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewFlag(s))
	return nil
}

func (a *API) flipFlag(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var req flag.FlipRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	flip := a.Flags.Flip
	if a.Switches != nil { // a flip naming an incident goes on its timeline
		flip = a.Switches.FlipNamed
	}
	s, rev, err := flip(r.Context(), u, r.PathValue("key"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"flag": viewFlag(s), "revision": rev})
	return nil
}
