package chat

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// interaction is the part of an interactivity payload Firebreak reads.
type interaction struct {
	Type string `json:"type"`
	User struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Name     string `json:"name"`
	} `json:"user"`
	TriggerID string `json:"trigger_id"`
	Channel   struct {
		ID string `json:"id"`
	} `json:"channel"`
	Actions []struct {
		ActionID       string `json:"action_id"`
		Value          string `json:"value"`
		SelectedOption struct {
			Value string `json:"value"`
		} `json:"selected_option"`
	} `json:"actions"`
	View struct {
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
		State           struct {
			Values map[string]map[string]struct {
				Value string `json:"value"`
			} `json:"values"`
		} `json:"state"`
	} `json:"view"`
}

// interactivity takes button presses and form submissions. What they do
// is told in the channel by the room's own sync (the timeline event the
// action writes is posted there); refusals and errors go only to the
// person, through chat.postEphemeral.
func (h *Handler) interactivity(w http.ResponseWriter, r *http.Request) {
	body, ok := h.verified(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	var in interaction
	if err == nil {
		err = json.Unmarshal([]byte(form.Get("payload")), &in)
	}
	if err != nil {
		problem(w, http.StatusBadRequest, "payload: not an interactivity payload")
		return
	}
	switch in.Type {
	case "block_actions":
		h.blockAction(w, r, &in)
	case "view_submission":
		h.viewSubmission(w, r, &in)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// user is the Firebreak user a Slack user acts as: the id the config maps,
// else the Slack user name.
func (h *Handler) user(ctx context.Context, in *interaction) (auth.User, string, error) {
	name, ok := h.Rooms.Config.SlackUser(in.User.ID)
	if !ok {
		name = in.User.Username
		if name == "" {
			name = in.User.Name
		}
	}
	u, err := h.Users.UserByName(ctx, name)
	return u, name, err
}

// parseValue reads "<incident id>:<choice>" or "<incident id>".
func parseValue(v string) (int64, string, bool) {
	idText, choice, _ := strings.Cut(v, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	return id, choice, err == nil && id > 0
}

func (h *Handler) blockAction(w http.ResponseWriter, r *http.Request, in *interaction) {
	ctx := r.Context()
	// Slack wants 200 within three seconds whatever the outcome; the
	// outcome reaches the channel or the person separately.
	defer w.WriteHeader(http.StatusOK)
	if len(in.Actions) == 0 {
		return
	}
	a := in.Actions[0]
	if a.ActionID == warroom.ActionReport {
		return // a link: the browser opens the report, with its own sign-in
	}
	value := a.Value
	if value == "" {
		value = a.SelectedOption.Value
	}
	id, choice, ok := parseValue(value)
	if !ok {
		h.tell(ctx, in, "That button carries no incident. · 버튼에 장애 정보가 없습니다.")
		return
	}
	user, name, err := h.user(ctx, in)
	if err != nil {
		h.tell(ctx, in, h.userRefusal(ctx, slackAccount, name, err))
		return
	}
	if a.ActionID == warroom.ActionUpdate {
		var inc *incident.Incident
		if inc, err = h.Incidents.Get(ctx, user, id); err == nil {
			err = h.Rooms.OpenModal(ctx, in.TriggerID, inc)
		}
		if err != nil {
			h.tell(ctx, in, h.refusal(ctx, "slack", id, err))
		}
		return
	}
	if reply, _ := h.press(ctx, "slack", user, a.ActionID, id, choice); reply != "" {
		h.tell(ctx, in, reply)
	}
}

func (h *Handler) viewSubmission(w http.ResponseWriter, r *http.Request, in *interaction) {
	ctx := r.Context()
	if in.View.CallbackID != warroom.CallbackUpdate {
		w.WriteHeader(http.StatusOK)
		return
	}
	id, _, ok := parseValue(in.View.PrivateMetadata)
	text := strings.TrimSpace(in.View.State.Values["update"]["text"].Value)
	fieldError := func(msg string) {
		writeJSON(w, map[string]any{"response_action": "errors", "errors": map[string]string{"update": msg}})
	}
	if !ok {
		fieldError("This form names no incident. · 장애 정보가 없습니다.")
		return
	}
	if text == "" {
		fieldError("Write the update. · 업데이트 내용을 입력하세요.")
		return
	}
	user, name, err := h.user(ctx, in)
	if err != nil {
		fieldError(slackAccount.unknownUser(name))
		return
	}
	if _, err := h.Incidents.PostUpdate(ctx, user, id, incident.StatusUpdate{Text: text}); err != nil {
		if e, ok := fail.As(err); ok && e.Code != fail.Internal {
			fieldError("Not posted · 게시하지 못했습니다: " + e.Error())
			return
		}
		h.log().ErrorContext(ctx, "slack: post update from form", "user", name, "incident", id, "err", err)
		fieldError("Sorry, it could not be posted; try again. · 게시하지 못했습니다. 다시 시도해 주세요.")
		return
	}
	w.WriteHeader(http.StatusOK) // an empty 200 closes the form
}

// tell answers the person privately, through a queued chat.postEphemeral.
func (h *Handler) tell(ctx context.Context, in *interaction, text string) {
	if in.Channel.ID == "" || in.User.ID == "" {
		return
	}
	if _, err := h.Queue.Insert(ctx, warroom.EphemeralArgs{ChannelID: in.Channel.ID, User: in.User.ID, Text: text}, nil); err != nil {
		h.log().ErrorContext(ctx, "slack: queue a private answer", "err", err)
	}
}
