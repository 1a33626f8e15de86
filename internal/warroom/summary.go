package warroom

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// statusWords names each status in English and Korean, as the web does.
var statusWords = map[incident.Status][2]string{
	incident.Investigating: {"Investigating", "조사 중"},
	incident.Identified:    {"Identified", "원인 파악"},
	incident.Monitoring:    {"Monitoring", "모니터링"},
	incident.Resolved:      {"Resolved", "해결"},
	incident.Closed:        {"Closed", "종료"},
}

func statusText(s incident.Status) string {
	w, ok := statusWords[s]
	if !ok {
		return string(s)
	}
	return w[0] + " · " + w[1]
}

func roleHolder(inc *incident.Incident, r incident.Role) string {
	if u := inc.Roles[r]; u != "" {
		return u
	}
	return "—"
}

// maxTopic is Slack's limit on a channel topic.
const maxTopic = 250

// Topic is the channel topic: grade, status, roles and the incident's link.
func Topic(inc *incident.Incident, link string) string {
	t := fmt.Sprintf("%s %s · %s · Resolver 해결: %s · Comms 전파: %s · %s", inc.Ref(), inc.Grade, statusText(inc.Status),
		roleHolder(inc, incident.Resolver), roleHolder(inc, incident.Communicator), link)
	if r := []rune(t); len(r) > maxTopic {
		t = string(r[:maxTopic])
	}
	return t
}

// The action ids of the summary's buttons; the interactivity endpoint
// dispatches on them.
const (
	ActionAck        = "fb_ack"
	ActionStatus     = "fb_status"
	ActionGrade      = "fb_grade"
	ActionTakeRole   = "fb_take_role"
	ActionUpdate     = "fb_update"
	ActionReport     = "fb_report"
	CallbackUpdate   = "fb_update_modal"
	updateBlockID    = "update"
	updateActionID   = "text"
	incidentURLFmt   = "%s/incidents/%s"
	summaryFallbackF = "%s %s %s — %s"
)

func plain(s string) map[string]any {
	return map[string]any{"type": "plain_text", "text": s, "emoji": true}
}

func option(text, value string) map[string]any {
	return map[string]any{"text": plain(text), "value": value}
}

// SummaryText is the summary's plain text, for notifications and screen
// readers.
func SummaryText(inc *incident.Incident) string {
	return fmt.Sprintf(summaryFallbackF, inc.Ref(), inc.Grade, statusText(inc.Status), inc.Title)
}

// SummaryBlocks is the pinned summary: what the incident is, where it
// stands, who holds which role, and the buttons to work it. Every button
// has its twin on the incident page.
func SummaryBlocks(inc *incident.Incident, base string) []json.RawMessage {
	ref := inc.Ref()
	id := strconv.FormatInt(inc.ID, 10)
	link := fmt.Sprintf(incidentURLFmt, base, ref)
	head := fmt.Sprintf("*<%s|%s> %s* — %s", link, ref, inc.Grade, escape(inc.Title))
	fields := []map[string]any{
		{"type": "mrkdwn", "text": "*Status · 상태*\n" + statusText(inc.Status)},
		{"type": "mrkdwn", "text": "*Grade · 등급*\n" + inc.Grade.String()},
		{"type": "mrkdwn", "text": "*Resolver · 해결 담당*\n" + roleHolder(inc, incident.Resolver)},
		{"type": "mrkdwn", "text": "*Communicator · 전파 담당*\n" + roleHolder(inc, incident.Communicator)},
		{"type": "mrkdwn", "text": "*Services · 서비스*\n" + escape(strings.Join(inc.Services, ", "))},
	}
	blocks := []map[string]any{
		{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": head}, "fields": fields},
	}
	if w := incident.RoleWarning(inc); w != "" {
		blocks = append(blocks, map[string]any{"type": "context", "elements": []map[string]any{
			{"type": "mrkdwn", "text": ":warning: " + escape(w) + "\n" + escape(incident.RoleWarningIn(inc, "ko"))}}})
	}
	var elements []map[string]any
	if inc.Status != incident.Closed {
		if inc.Roles[incident.Resolver] == "" {
			elements = append(elements, map[string]any{"type": "button", "action_id": ActionAck, "value": id, "style": "primary",
				"text": plain("Acknowledge · 대응 착수")})
		}
		var statuses []map[string]any
		for _, s := range inc.Status.NextStatuses() {
			statuses = append(statuses, option(statusText(s), id+":"+string(s)))
		}
		if len(statuses) > 0 {
			elements = append(elements, map[string]any{"type": "static_select", "action_id": ActionStatus,
				"placeholder": plain("Status · 상태 변경"), "options": statuses})
		}
		var grades []map[string]any
		for g := incident.SEV1; g <= incident.SEV5; g++ {
			if g != inc.Grade {
				grades = append(grades, option(g.String(), id+":"+g.String()))
			}
		}
		elements = append(elements,
			map[string]any{"type": "static_select", "action_id": ActionGrade, "placeholder": plain("Grade · 등급 변경"), "options": grades},
			map[string]any{"type": "static_select", "action_id": ActionTakeRole, "placeholder": plain("Take a role · 역할 맡기"),
				"options": []map[string]any{option("Resolver · 해결 담당", id+":resolver"), option("Communicator · 전파 담당", id+":communicator")}},
			map[string]any{"type": "button", "action_id": ActionUpdate, "value": id, "text": plain("Post update · 업데이트 게시")})
	}
	elements = append(elements, map[string]any{"type": "button", "action_id": ActionReport, "url": link + "/report",
		"text": plain("Report · 보고서")})
	blocks = append(blocks, map[string]any{"type": "actions", "block_id": "fb_actions", "elements": elements})
	out := make([]json.RawMessage, len(blocks))
	for i, b := range blocks {
		out[i], _ = json.Marshal(b)
	}
	return out
}

// UpdateModal is the view views.open shows for a status update.
func UpdateModal(inc *incident.Incident) map[string]any {
	return map[string]any{
		"type": "modal", "callback_id": CallbackUpdate, "private_metadata": strconv.FormatInt(inc.ID, 10),
		"title":  plain("Status update · 업데이트"),
		"submit": plain("Post · 게시"), "close": plain("Cancel · 취소"),
		"blocks": []map[string]any{
			{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "*" + inc.Ref() + "* — " + escape(inc.Title)}},
			{"type": "input", "block_id": updateBlockID, "label": plain("What is new? · 새 소식"),
				"element": map[string]any{"type": "plain_text_input", "action_id": updateActionID, "multiline": true, "max_length": 3000}},
		},
	}
}

// escape makes text safe inside a Slack message: Slack reads &, < and > as
// markup.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
