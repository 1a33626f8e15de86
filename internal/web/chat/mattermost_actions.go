package chat

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// mattermostPress is the part of an interactive message action request
// Firebreak reads.
type mattermostPress struct {
	UserID    string `json:"user_id"`
	UserName  string `json:"user_name"`
	ChannelID string `json:"channel_id"`
	TriggerID string `json:"trigger_id"`
	Context   struct {
		Action         string `json:"action"`
		Incident       string `json:"incident"`
		Sig            string `json:"sig"`
		SelectedOption string `json:"selected_option"`
	} `json:"context"`
}

// mattermostActions takes presses of a Mattermost war room summary's
// buttons and menus. The context was signed when the summary was posted
// (warroom.ActionSignature), so a forged one is refused; the person acts
// as their Firebreak user, under the web's rules. What is done is told in
// the channel by the room's sync; refusals go to the person only, as
// Mattermost's ephemeral_text.
func (h *Handler) mattermostActions(w http.ResponseWriter, r *http.Request) {
	if h.Rooms == nil || h.Rooms.Mattermost == nil {
		problem(w, http.StatusNotFound, "Mattermost war rooms are not configured")
		return
	}
	var in mattermostPress
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&in); err != nil {
		problem(w, http.StatusBadRequest, "body: not an interactive message action")
		return
	}
	c := in.Context
	if !warroom.ValidActionSignature(h.Rooms.Mattermost.Token, c.Action, c.Incident, c.Sig) {
		h.log().WarnContext(r.Context(), "mattermost: refused action", "remote", r.RemoteAddr)
		problem(w, http.StatusUnauthorized, "context.sig: not signed by Firebreak")
		return
	}
	ctx := r.Context()
	id, err := strconv.ParseInt(c.Incident, 10, 64)
	if err != nil || id <= 0 {
		problem(w, http.StatusBadRequest, "context.incident: not an incident id")
		return
	}
	answer := func(text string) { writeJSON(w, map[string]string{"ephemeral_text": text}) }
	user, _, refusal := h.mattermostUser(ctx, in.UserID, in.UserName)
	if refusal != "" {
		answer(refusal)
		return
	}
	if warroom.MattermostAction(c.Action) == warroom.ActionUpdate {
		// The update form is Mattermost's own dialog; Slack opens a modal.
		var inc *incident.Incident
		if inc, err = h.Incidents.Get(ctx, user, id); err == nil {
			err = h.Rooms.OpenMattermostDialog(ctx, in.TriggerID, inc, in.UserID, user.Name)
		}
		if err != nil {
			answer(h.refusal(ctx, "mattermost", id, err))
			return
		}
		writeJSON(w, map[string]any{})
		return
	}
	reply, known := h.press(ctx, "mattermost", user, warroom.MattermostAction(c.Action), id, c.SelectedOption)
	switch {
	case !known:
		problem(w, http.StatusBadRequest, "context.action: unknown action")
	case reply != "":
		answer(reply)
	default:
		writeJSON(w, map[string]any{})
	}
}
