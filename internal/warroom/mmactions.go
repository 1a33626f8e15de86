package warroom

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// MattermostActionsPath is where Mattermost posts the summary's button
// presses (interactive message actions), under the Firebreak base URL.
const MattermostActionsPath = "/hooks/mattermost/actions"

// ActionSignature signs a button's context (action and incident) with a
// key derived from the bot token. Mattermost keeps an action's
// integration URL and context on the server and never shows them to
// clients, and the signature makes a context that Firebreak did not write
// worthless, so a press can only come from a summary Firebreak posted.
func ActionSignature(token, action, incidentID string) string {
	mac := hmac.New(sha256.New, []byte("firebreak mattermost actions\x00"+token))
	mac.Write([]byte(action + "\x00" + incidentID))
	return hex.EncodeToString(mac.Sum(nil))
}

// ValidActionSignature checks a context's signature in constant time.
func ValidActionSignature(token, action, incidentID, sig string) bool {
	want := ActionSignature(token, action, incidentID)
	return hmac.Equal([]byte(want), []byte(sig))
}

// MattermostActions are the summary's buttons and menus as message
// attachment actions: acknowledge, status, grade, take a role and post an
// update (which opens the update dialog with the press's trigger id). Each
// posts to Firebreak with a signed context; the report is a link in the
// summary.
func MattermostActions(inc *incident.Incident, base, token string) map[string]any {
	if inc.Status == incident.Closed {
		return map[string]any{"attachments": []any{}}
	}
	id := strconv.FormatInt(inc.ID, 10)
	url := base + MattermostActionsPath
	action := func(actionID, name string, extra map[string]any) map[string]any {
		a := map[string]any{"id": actionID, "name": name, "type": "button",
			"integration": map[string]any{"url": url, "context": map[string]any{"action": actionID, "incident": id,
				"sig": ActionSignature(token, actionID, id)}}}
		for k, v := range extra {
			a[k] = v
		}
		return a
	}
	opt := func(text, value string) map[string]any { return map[string]any{"text": text, "value": value} }
	var actions []any
	if inc.Roles[incident.Resolver] == "" {
		actions = append(actions, action(mmActionAck, "Acknowledge · 대응 착수", map[string]any{"style": "primary"}))
	}
	var statuses []any
	for _, s := range inc.Status.NextStatuses() {
		statuses = append(statuses, opt(statusText(s), string(s)))
	}
	if len(statuses) > 0 {
		actions = append(actions, action(mmActionStatus, "Status · 상태 변경", map[string]any{"type": "select", "options": statuses}))
	}
	var grades []any
	for g := incident.SEV1; g <= incident.SEV5; g++ {
		if g != inc.Grade {
			grades = append(grades, opt(g.String(), g.String()))
		}
	}
	actions = append(actions,
		action(mmActionGrade, "Grade · 등급 변경", map[string]any{"type": "select", "options": grades}),
		action(mmActionRole, "Take a role · 역할 맡기", map[string]any{"type": "select",
			"options": []any{opt("Resolver · 해결 담당", "resolver"), opt("Communicator · 전파 담당", "communicator")}}),
		action(mmActionUpdate, "Post update · 업데이트 게시", nil))
	return map[string]any{"attachments": []any{map[string]any{"fallback": SummaryText(inc), "actions": actions}}}
}

// Mattermost action ids: letters and digits only, as Mattermost requires.
const (
	mmActionAck    = "fback"
	mmActionStatus = "fbstatus"
	mmActionGrade  = "fbgrade"
	mmActionRole   = "fbrole"
	mmActionUpdate = "fbupdate"
)

// MattermostAction maps a Mattermost action id to the Slack one the chat
// handler dispatches on; "" when unknown.
func MattermostAction(id string) string {
	return map[string]string{mmActionAck: ActionAck, mmActionStatus: ActionStatus, mmActionGrade: ActionGrade, mmActionRole: ActionTakeRole,
		mmActionUpdate: ActionUpdate}[id]
}
