package api

import (
	"net/http"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

type updateRequest struct {
	Text   string `json:"text"`
	Public bool   `json:"public"`
}

// postUpdate posts a status update: news for everyone told of the incident,
// and for the public status page when public.
func (a *API) postUpdate(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	var req updateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ev, err := a.Incidents.PostUpdate(r.Context(), u, id, incident.StatusUpdate{Text: req.Text, Public: req.Public})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ev)
	return nil
}
