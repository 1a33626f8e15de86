package testutil

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Interactive dialogs of the fake: the server hands out a trigger id with
// each action press and slash command it forwards; POST
// /api/v4/actions/dialogs/open takes one trigger id once, with the URL the
// submission goes to and a dialog checked as Mattermost checks it (a
// title and element labels of at most 24 bytes, element names unique,
// types text, textarea, select, bool or radio, a textarea of at most 3000
// characters, a select's options with text and value).

// MattermostDialog is a dialog opened through the API.
type MattermostDialog struct {
	TriggerID string
	UserID    string
	URL       string
	Dialog    map[string]any
}

// Trigger hands out a trigger id for a press or command by userID, as the
// Mattermost server does when it forwards one to an integration.
func (m *MattermostAPI) Trigger(userID string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n++
	id := fmt.Sprintf("trigger%019d", m.n)
	if m.triggers == nil {
		m.triggers = map[string]string{}
	}
	m.triggers[id] = userID
	return id
}

// Dialogs returns the dialogs opened so far.
func (m *MattermostAPI) Dialogs() []MattermostDialog {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]MattermostDialog(nil), m.dialogs...)
}

// openDialog serves POST /actions/dialogs/open; m.mu is held.
func (m *MattermostAPI) openDialog(w http.ResponseWriter, body map[string]any) bool {
	trigger, _ := body["trigger_id"].(string)
	u, _ := body["url"].(string)
	dialog, _ := body["dialog"].(map[string]any)
	user, known := m.triggers[trigger]
	switch {
	case !known:
		mmError(w, http.StatusBadRequest, "interactive_message.decode_trigger_id.expired", "Trigger ID for interactive dialog is expired or invalid.")
	case !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://"):
		mmError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error", "Invalid url parameter.")
	case dialogProblem(dialog) != "":
		mmError(w, http.StatusBadRequest, "model.dialog.is_valid.app_error", dialogProblem(dialog))
	default:
		delete(m.triggers, trigger)
		m.dialogs = append(m.dialogs, MattermostDialog{TriggerID: trigger, UserID: user, URL: u, Dialog: dialog})
		return true
	}
	return false
}

func dialogProblem(d map[string]any) string {
	title, _ := d["title"].(string)
	if title == "" || len(title) > 24 {
		return "title: 1 to 24 bytes"
	}
	elements, _ := d["elements"].([]any)
	seen := map[string]bool{}
	for _, x := range elements {
		e, _ := x.(map[string]any)
		name, _ := e["name"].(string)
		label, _ := e["display_name"].(string)
		typ, _ := e["type"].(string)
		if name == "" || seen[name] || label == "" || len(label) > 24 {
			return "element " + name + ": a unique name and a label of 1 to 24 bytes"
		}
		seen[name] = true
		switch typ {
		case "text", "bool", "radio":
		case "textarea":
			if n, _ := e["max_length"].(float64); n > 3000 {
				return "element " + name + ": max_length over 3000"
			}
		case "select":
			opts, _ := e["options"].([]any)
			for _, o := range opts {
				opt, _ := o.(map[string]any)
				if t, _ := opt["text"].(string); t == "" || opt["value"] == nil {
					return "element " + name + ": an option without text or value"
				}
			}
		default:
			return "element " + name + ": unknown type " + typ
		}
		if help, _ := e["help_text"].(string); utf8.RuneCountInString(help) > 150 {
			return "element " + name + ": help_text over 150"
		}
	}
	return ""
}
