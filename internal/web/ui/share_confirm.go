package ui

import (
	"net/http"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/report"
)

// shareMessages are the strings of the share confirmation and of the
// per-recipient delivery states.
var shareMessages = i18n.Messages{
	"share.title":        {"Share the report of %s?", "%s 보고서를 공유할까요?"},
	"share.intro_first":  {"Revision %d goes out whole, TBD sections and all, by e-mail to:", "개정 %d 전체(TBD 항목 포함)를 아래 수신자에게 이메일로 보냅니다:"},
	"share.intro_update": {"The %d sections changed since the last share (revision %d) go out by e-mail to:", "지난 공유 이후 바뀐 %d개 항목(개정 %d)을 아래 수신자에게 이메일로 보냅니다:"},
	"share.confirm":      {"Send to these recipients", "이 수신자에게 보내기"},
	"share.back":         {"Back to the report", "보고서로 돌아가기"},
	"share.recipient":    {"Recipient", "수신자"},
	"share.why":          {"Why", "이유"},
	"share.lang":         {"Language", "언어"},
	"share.state":        {"Delivery", "전달 상태"},
	"share.queued":       {"Queued", "발송 대기"},
	"share.delivered":    {"Delivered", "전달됨"},
	"share.failed":       {"Failed", "전달 실패"},
	"share.retrying":     {"queued; the last try failed: %s", "대기 중, 마지막 시도 실패: %s"},
	"share.last":         {"Last share", "최근 공유"},
	"target.team":        {"team %s", "%s 팀"},
	"share.sent_notice":  {"Revision %d is on its way to %d recipients; each one's delivery is shown below.", "개정 %d을(를) 수신자 %d명에게 보내는 중입니다. 수신자별 전달 상태는 아래에 표시됩니다."},
}

func init() { addMessages(shareMessages) }

type shareConfirmPage struct {
	Inc  *incident.Incident
	Plan report.SharePlan
}

// confirmShare shows, before a report is shared, whom it goes to and what
// it sends, and asks again. It reports whether it answered the request.
func (u *UI) confirmShare(w http.ResponseWriter, r *http.Request, v *view) bool {
	if r.PostFormValue("confirm") == "1" {
		return false
	}
	id, ok := incident.ParseRef(r.PathValue("ref"))
	if !ok {
		return false
	}
	inc, plan, err := u.Reports.PlanShare(r.Context(), v.User, id)
	if err != nil {
		u.renderReport(w, r, v, err, "")
		return true
	}
	u.render(w, r, "share_confirm", v, shareConfirmPage{Inc: inc, Plan: plan})
	return true
}

// DeliveryState names a share mail's delivery state in the viewer's
// language.
func (v *view) DeliveryState(s report.DeliveryState) string { return v.T("share." + string(s)) }

// DeliveryDetail says why a share mail failed, or that its last try did
// while it waits for the next, in the viewer's language with the raw
// reason after it.
func (v *view) DeliveryDetail(d report.Delivery) string {
	switch {
	case d.Reason == "":
		return ""
	case d.State == report.Queued:
		return v.T("share.retrying", v.FailureReason(d.Reason))
	}
	return v.FailureReason(d.Reason)
}

// LangName names a language code in the viewer's language.
func (v *view) LangName(code string) string {
	if code == "ko" {
		return v.T("lang.ko")
	}
	return v.T("lang.en")
}

// TargetName names a message's target in the viewer's language: the policy
// calls a team's targets "team payments", which a Korean page reads as
// "payments 팀"; other names (departments, partners, people) are names.
func (v *view) TargetName(name string) string {
	if team, ok := strings.CutPrefix(name, "team "); ok && team != "" {
		return v.T("target.team", team)
	}
	return name
}
