package ui

import (
	"context"
	"net/http"
	"strconv"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/notify"
)

// DemoOutbox lists every stored outbound message, newest first; in
// `serve --demo` each one was "delivered" to the demo outbox.
type DemoOutbox interface {
	RecentMessages(ctx context.Context, before int64, limit int) ([]notify.Message, error)
}

// demoOutboxMessages are the strings of the demo outbox page.
var demoOutboxMessages = i18n.Messages{
	"demo.outbox.nav":   {"Demo outbox", "데모 발송함"},
	"demo.outbox.title": {"Demo outbox: what each target would get", "데모 발송함: 대상별로 받게 될 메시지"},
	"demo.outbox.banner": {"Demo only. This server runs with --demo: no message leaves it. Every e-mail, chat message and webhook is stored and delivered here instead, exactly as the target would get it.",
		"데모 전용입니다. 이 서버는 --demo 로 실행 중이라 어떤 메시지도 밖으로 나가지 않습니다. 모든 이메일·채팅 메시지·웹훅은 대상이 받을 내용 그대로 저장되어 이곳으로 전달됩니다."},
	"demo.outbox.none":     {"No message yet. Declare an incident to see who is told.", "아직 메시지가 없습니다. 장애를 선언하면 누구에게 무엇이 전달되는지 볼 수 있습니다."},
	"demo.outbox.channel":  {"Channel", "채널"},
	"demo.outbox.target":   {"Target", "대상"},
	"demo.outbox.to":       {"Address", "주소"},
	"demo.outbox.subject":  {"Subject", "제목"},
	"demo.outbox.text":     {"Text", "본문"},
	"demo.outbox.incident": {"Incident", "장애"},
	"demo.outbox.when":     {"Stored", "저장 시각"},
	"demo.outbox.state":    {"State", "상태"},
	"demo.outbox.older":    {"Older messages", "이전 메시지"},
	"demo.outbox.admin":    {"Only administrators see the demo outbox.", "데모 발송함은 관리자만 볼 수 있습니다."},
}

func init() { addMessages(demoOutboxMessages) }

// addMessages joins a feature's strings to the catalogue and refuses a key
// that another feature registered already, so no string silently replaces
// another.
func addMessages(m i18n.Messages) {
	for k, v := range m {
		if _, dup := messages[k]; dup {
			panic("ui: message key registered twice: " + k)
		}
		messages[k] = v
	}
}

// demoOutboxPageSize bounds one page of the demo outbox.
const demoOutboxPageSize = 50

type demoOutboxPage struct {
	Messages []notify.Message
	Older    int64 // cursor of the next page; 0: none
}

// demoOutbox shows the demo outbox. It is mounted only when the server
// runs with --demo, and only administrators see it: messages of restricted
// incidents are among them.
func (u *UI) demoOutbox(w http.ResponseWriter, r *http.Request, v *view) {
	if v.User.Role != "admin" {
		u.fail(w, r, v, fail.New(fail.Forbidden, "%s", v.T("demo.outbox.admin")))
		return
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	msgs, err := u.DemoOutbox.RecentMessages(r.Context(), max(before, 0), demoOutboxPageSize)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p := demoOutboxPage{Messages: msgs}
	if len(msgs) == demoOutboxPageSize {
		p.Older = msgs[len(msgs)-1].ID
	}
	u.render(w, r, "demo_outbox", v, p)
}
