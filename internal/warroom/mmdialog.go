package warroom

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// MattermostDialogPath is where Mattermost posts the update form's
// submission (an interactive dialog), under the Firebreak base URL.
const MattermostDialogPath = "/hooks/mattermost/dialog"

// The update dialog's callback id and its elements' names.
const (
	MattermostUpdateDialog = "fbupdate"
	DialogText             = "text"
	DialogStatus           = "status"
	maxDialogText          = 3000 // Mattermost's limit on a textarea
)

// DialogState signs the incident a dialog was opened for, the Mattermost
// user it was opened to, and the Firebreak user they act as. Mattermost
// signs no submission, and the state passes through the person's client,
// so the signature binds it to that person: a state copied out of a
// dialog lets its holder submit only as themselves, on that incident.
func DialogState(token string, incidentID int64, userID, name string) string {
	id := strconv.FormatInt(incidentID, 10)
	return id + ":" + dialogSignature(token, id, userID, name) + ":" + name
}

func dialogSignature(token, id, userID, name string) string {
	mac := hmac.New(sha256.New, []byte("firebreak mattermost dialog\x00"+token))
	mac.Write([]byte(id + "\x00" + userID + "\x00" + name))
	return hex.EncodeToString(mac.Sum(nil))
}

// ParseDialogState checks a submitted state against the user Mattermost
// says submitted it (in constant time) and returns the incident and the
// Firebreak user; false when it was not signed for them.
func ParseDialogState(token, state, userID string) (int64, string, bool) {
	id, rest, ok1 := strings.Cut(state, ":")
	sig, name, ok2 := strings.Cut(rest, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	want := dialogSignature(token, id, userID, name)
	if !hmac.Equal([]byte(want), []byte(sig)) || !ok1 || !ok2 || err != nil || n <= 0 || userID == "" {
		return 0, "", false
	}
	return n, name, true
}

// UpdateDialog is the status-update form, as Mattermost's interactive
// dialog: what is new, and optionally the status it moves to. Titles and
// labels stay within Mattermost's 24 bytes.
func UpdateDialog(inc *incident.Incident, state string) map[string]any {
	elements := []map[string]any{
		{"display_name": "New · 새 소식", "name": DialogText, "type": "textarea", "max_length": maxDialogText,
			"placeholder": "What is new? · 무엇이 달라졌나요?"},
	}
	var statuses []map[string]any
	for _, s := range inc.Status.NextStatuses() {
		statuses = append(statuses, map[string]any{"text": statusText(s), "value": string(s)})
	}
	if len(statuses) > 0 {
		elements = append(elements, map[string]any{"display_name": "Status · 상태", "name": DialogStatus, "type": "select",
			"optional": true, "options": statuses,
			"help_text": "Leave empty to keep " + statusText(inc.Status) + " · 비워 두면 그대로 둡니다"})
	}
	return map[string]any{
		"callback_id": MattermostUpdateDialog, "title": "Update · 업데이트",
		"introduction_text": "**" + inc.Ref() + "** " + inc.Grade.String() + " — " + mdEscape(inc.Title) + "\n" + statusText(inc.Status),
		"elements":          elements, "submit_label": "Post · 게시", "state": state,
	}
}

// OpenMattermostDialog shows the update form to the person who pressed
// the summary's button or typed `/incident update`. It is called in the
// request: the trigger id is good for seconds only, too short for a
// queued job.
func (r *Rooms) OpenMattermostDialog(ctx context.Context, triggerID string, inc *incident.Incident, userID, name string) error {
	return r.Mattermost.Call(ctx, http.MethodPost, "/actions/dialogs/open", map[string]any{
		"trigger_id": triggerID,
		"url":        r.Config.BaseURL + MattermostDialogPath,
		"dialog":     UpdateDialog(inc, DialogState(r.Mattermost.Token, inc.ID, userID, name)),
	}, nil)
}
