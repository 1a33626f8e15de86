package ui

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/propagate"
)

// MessageReader lists an incident's outbound messages.
type MessageReader interface {
	IncidentMessages(ctx context.Context, incidentID, after int64, limit int) ([]notify.Message, error)
}

// propagateMessages are the strings of the preview and the messages panel;
// they join the catalogue at start.
var propagateMessages = i18n.Messages{
	"preview.title":        {"Who will be told", "전파 대상 미리 보기"},
	"preview.submit":       {"Preview", "미리 보기"},
	"preview.none":         {"Nobody: the policy names no target for this grade and these services.", "없음: 이 등급과 서비스에 대해 정책이 지정한 대상이 없습니다."},
	"preview.count":        {"%d messages will be sent when you declare.", "선언하면 %d건의 메시지가 발송됩니다."},
	"preview.channel":      {"Channel", "채널"},
	"preview.to":           {"To", "받는 곳"},
	"preview.who":          {"Who", "대상"},
	"preview.why":          {"Why", "사유"},
	"preview.message":      {"Message", "메시지"},
	"preview.show":         {"Show the message", "메시지 보기"},
	"msg.title":            {"Messages sent", "발송된 메시지"},
	"msg.none":             {"No messages yet.", "아직 발송된 메시지가 없습니다."},
	"msg.summary":          {"%d sent, %d waiting, %d failed", "발송 %d건, 대기 %d건, 실패 %d건"},
	"msg.status.sent":      {"sent", "발송됨"},
	"msg.status.pending":   {"waiting", "대기 중"},
	"msg.status.failed":    {"failed", "실패"},
	"msg.attempts":         {"tries: %d", "시도: %d회"},
	"ev.message_delivered": {"%s message delivered to %s (%s)", "%s 메시지를 %s(%s)에 전달함"},
	"ev.message_failed":    {"%s message to %s (%s) failed: %s", "%s 메시지를 %s(%s)에 전달하지 못함: %s"},
	"ev.message_fallback":  {"%s message to %s failed; sent by e-mail to %s instead (%s)", "%s 메시지를 %s에 전달하지 못해 %s(으)로 이메일을 대신 보냄 (%s)"},
	"ev.role_warning":      {"warning: %s holds both the resolver and the communicator role", "주의: %s 님이 해결 담당과 전파 담당을 모두 맡고 있음"},
}

func init() {
	for k, m := range propagateMessages {
		messages[k] = m
	}
}

// previewPanel is what the declare form shows of a preview.
type previewPanel struct {
	Result *propagate.PreviewResult
	Error  string
	// Maintenance are the windows in progress on the services.
	Maintenance []maintenance.Window
}

// preview renders the messages the form's declaration would send.
func (u *UI) preview(ctx context.Context, v *view, form url.Values) *previewPanel {
	if u.Propagate == nil {
		return nil
	}
	grade, err := incident.ParseGrade(form.Get("grade"))
	if err != nil {
		return &previewPanel{Error: fail.Field("grade", "%v", err).Error()}
	}
	res, err := u.Propagate.Preview(ctx, propagate.Draft{Title: form.Get("title"), Summary: form.Get("summary"), Grade: grade,
		Services: form["services"], Visibility: incident.Visibility(form.Get("visibility")),
		Resolver: form.Get(string(incident.Resolver)), Communicator: form.Get(string(incident.Communicator)), By: v.User.Name})
	if err != nil {
		return &previewPanel{Error: err.Error()}
	}
	// The core's warnings are English; the role warning is said again in
	// the viewer's language.
	draft := &incident.Incident{Grade: grade, Roles: map[incident.Role]string{
		incident.Resolver: form.Get(string(incident.Resolver)), incident.Communicator: form.Get(string(incident.Communicator))}}
	for i, w := range res.Warnings {
		if w == incident.RoleWarning(draft) {
			res.Warnings[i] = incident.RoleWarningIn(draft, v.lang())
		}
	}
	return &previewPanel{Result: res, Maintenance: u.windowsActiveOn(ctx, form["services"])}
}

// previewFragment answers the declare form's live preview with the panel's
// HTML; without script the form's preview button reloads the whole page.
func (u *UI) previewFragment(w http.ResponseWriter, r *http.Request, v *view) {
	var buf bytes.Buffer
	if err := u.pages.byName["declare"].ExecuteTemplate(&buf, "preview_panel", pageData{v, u.preview(r.Context(), v, r.PostForm)}); err != nil {
		u.fail(w, r, v, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// messagesPanel is the incident page's list of outbound messages.
type messagesPanel struct {
	Items                 []notify.Message
	Sent, Pending, Failed int
}

func (u *UI) messagesOf(ctx context.Context, incidentID int64) (*messagesPanel, error) {
	if u.Messages == nil {
		return nil, nil
	}
	msgs, err := u.Messages.IncidentMessages(ctx, incidentID, 0, 200)
	if err != nil {
		return nil, err
	}
	p := &messagesPanel{Items: msgs}
	for _, m := range msgs {
		switch m.Status {
		case notify.Sent:
			p.Sent++
		case notify.Failed:
			p.Failed++
		default:
			p.Pending++
		}
	}
	return p, nil
}

// messageEventText describes the outbox's timeline events.
func (v *view) messageEventText(ev incident.Event) (string, bool) {
	s := func(k string) string { x, _ := ev.Data[k].(string); return x }
	switch ev.Kind {
	case notify.EventDelivered:
		return v.T("ev.message_delivered", v.ChannelName(s("channel")), v.TargetName(s("target")), s("to")), true
	case notify.EventFailed:
		if fb := s("fallback"); fb != "" {
			return v.T("ev.message_fallback", v.ChannelName(s("channel")), v.TargetName(s("target")), fb, v.FailureReason(s("reason"))), true
		}
		return v.T("ev.message_failed", v.ChannelName(s("channel")), v.TargetName(s("target")), s("to"), v.FailureReason(s("reason"))), true
	case incident.EventRoleWarning:
		return v.T("ev.role_warning", s("user")), true
	case propagate.EventNotTold:
		var users []string
		if us, ok := ev.Data["users"].([]any); ok {
			for _, x := range us {
				users = append(users, fmt.Sprint(x))
			}
		}
		return v.T("ev.member_not_told", strings.Join(users, ", ")), true
	}
	return "", false
}
