package chat

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/textrule"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// dialogSubmission is the part of an interactive dialog's submission
// Firebreak reads. Mattermost names the person by id only.
type dialogSubmission struct {
	Type       string         `json:"type"`
	CallbackID string         `json:"callback_id"`
	State      string         `json:"state"`
	UserID     string         `json:"user_id"`
	ChannelID  string         `json:"channel_id"`
	Submission map[string]any `json:"submission"`
	Cancelled  bool           `json:"cancelled"`
}

// mattermostDialog takes the update form's submission: the status update
// is posted (and the status changed first, when one was chosen) as the
// Firebreak user the dialog was opened for, under the web's rules. The
// state was signed for that person when the dialog was opened, so a
// submission nobody was shown the dialog for is refused (401). Field
// errors keep the form open with the reason under the field; an empty 200
// closes it.
func (h *Handler) mattermostDialog(w http.ResponseWriter, r *http.Request) {
	if h.Rooms == nil || h.Rooms.Mattermost == nil {
		problem(w, http.StatusNotFound, "Mattermost war rooms are not configured")
		return
	}
	var in dialogSubmission
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&in); err != nil {
		problem(w, http.StatusBadRequest, "body: not a dialog submission")
		return
	}
	if in.CallbackID != warroom.MattermostUpdateDialog {
		problem(w, http.StatusBadRequest, "callback_id: not a Firebreak dialog")
		return
	}
	id, name, ok := warroom.ParseDialogState(h.Rooms.Mattermost.Token, in.State, in.UserID)
	if !ok {
		h.log().WarnContext(r.Context(), "mattermost: refused dialog", "remote", r.RemoteAddr)
		problem(w, http.StatusUnauthorized, "state: not signed by Firebreak for this user")
		return
	}
	if in.Cancelled {
		writeJSON(w, map[string]any{})
		return
	}
	ctx := r.Context()
	fieldError := func(field, msg string) { writeJSON(w, map[string]any{"errors": map[string]string{field: msg}}) }
	text, _ := in.Submission[warroom.DialogText].(string)
	text = strings.TrimSpace(text)
	status, _ := in.Submission[warroom.DialogStatus].(string)
	if text == "" {
		fieldError(warroom.DialogText, "Write the update. · 업데이트 내용을 입력하세요.")
		return
	}
	if p := textrule.Problem(text, true, false); p != "" {
		fieldError(warroom.DialogText, p)
		return
	}
	user, _, refusal := h.mattermostUser(ctx, "", name)
	if refusal != "" {
		writeJSON(w, map[string]any{"error": refusal})
		return
	}
	if status != "" {
		if _, err := h.Incidents.SetStatus(ctx, user, id, incident.Status(status), ""); err != nil {
			if e, ok := fail.As(err); ok && e.Code != fail.Internal {
				fieldError(warroom.DialogStatus, "Not changed · 변경하지 못했습니다: "+e.Error())
				return
			}
			h.log().ErrorContext(ctx, "mattermost: status from form", "user", name, "incident", id, "err", err)
			writeJSON(w, map[string]any{"error": tryAgain})
			return
		}
	}
	if _, err := h.Incidents.PostUpdate(ctx, user, id, incident.StatusUpdate{Text: text}); err != nil {
		if e, ok := fail.As(err); ok && e.Code != fail.Internal {
			fieldError(warroom.DialogText, "Not posted · 게시하지 못했습니다: "+e.Error())
			return
		}
		h.log().ErrorContext(ctx, "mattermost: post update from form", "user", name, "incident", id, "err", err)
		writeJSON(w, map[string]any{"error": tryAgain})
		return
	}
	writeJSON(w, map[string]any{})
}

// mattermostUpdate handles `/incident update [INC-<n>] [text]`: with text
// the update is posted at once; without, the update dialog opens with the
// command's trigger id. In an incident's channel the number may be left
// out.
func (h *Handler) mattermostUpdate(w http.ResponseWriter, r *http.Request, f url.Values, cmd, rest string) {
	ctx := r.Context()
	id, rest, ok := h.commandIncident(w, r, f, rest, false)
	if !ok {
		return
	}
	if id == 0 {
		mmAnswer(w, "ephemeral", fmt.Sprintf("This channel is no incident's channel; name the incident. · 장애 채널이 아닙니다. 장애 번호를 적어 주세요.\n"+
			"`%[1]s update INC-<n> [text]`", cmd))
		return
	}
	user, name, refusal := h.mattermostUser(ctx, f.Get("user_id"), f.Get("user_name"))
	if refusal != "" {
		mmAnswer(w, "ephemeral", refusal)
		return
	}
	if rest != "" {
		if _, err := h.Incidents.PostUpdate(ctx, user, id, incident.StatusUpdate{Text: rest}); err != nil {
			h.mmRefuse(w, id, "post update", err)
			return
		}
		mmAnswer(w, "ephemeral", fmt.Sprintf("Posted a status update to **%[1]s**. Everyone told of it will get it. · **%[1]s** 에 상태 업데이트를 게시했습니다.",
			incident.FormatRef(id)))
		return
	}
	inc, err := h.Incidents.Get(ctx, user, id)
	if err == nil {
		err = h.Rooms.OpenMattermostDialog(ctx, f.Get("trigger_id"), inc, f.Get("user_id"), name)
	}
	if err != nil {
		h.mmRefuse(w, id, "open the update form", err)
		return
	}
	w.WriteHeader(http.StatusOK) // the dialog is the answer
}

// mmRefuse answers a command that was not done: the web's reason, or try
// again when something broke.
func (h *Handler) mmRefuse(w http.ResponseWriter, id int64, what string, err error) {
	e, ok := fail.As(err)
	if !ok || e.Code == fail.Internal {
		h.log().Error("mattermost: "+what, "incident", id, "err", err)
		mmAnswer(w, "ephemeral", tryAgain)
		return
	}
	mmAnswer(w, "ephemeral", fmt.Sprintf("Not done on %[1]s · %[1]s 에서 처리하지 못했습니다: %[2]s", incident.FormatRef(id), e.Error()))
}
