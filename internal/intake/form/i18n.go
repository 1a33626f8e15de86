package form

import (
	"net/http"

	"github.com/firebreak-oss/firebreak/internal/i18n"
)

// messages holds every string of the form as {English, Korean}.
var messages = i18n.Messages{
	"title":            {"Report a problem", "문제 제보하기"},
	"intro":            {"Tell us what went wrong with our service. No account is needed; the on-call team reads every report.", "서비스에 문제가 있으면 알려 주세요. 계정 없이 제보할 수 있으며, 당직 담당자가 모든 제보를 확인합니다."},
	"language":         {"한국어", "English"},
	"required":         {"required", "필수"},
	"optional":         {"optional", "선택"},
	"f.service":        {"Service", "서비스"},
	"f.unsure":         {"Not sure", "모름"},
	"f.what":           {"What happened?", "무슨 일이 있었나요?"},
	"f.what.hint":      {"What did you try, and what did you see? Error messages help. At most %d characters.", "무엇을 하려다 어떤 현상을 보셨나요? 오류 메시지가 있으면 도움이 됩니다. 최대 %d자."},
	"f.when":           {"When did it start?", "언제부터 그랬나요?"},
	"f.when.hint":      {"For example \"today around 14:30\".", "예: \"오늘 오후 2시 30분쯤\""},
	"f.contact":        {"Your e-mail or phone number", "이메일 또는 전화번호"},
	"f.contact.hint":   {"Only if you would like us to get back to you.", "답변을 받고 싶으실 때만 적어 주세요."},
	"f.website":        {"Leave this field empty", "이 칸은 비워 두세요"},
	"submit":           {"Send report", "제보 보내기"},
	"errors.title":     {"Please correct the following:", "다음 항목을 확인해 주세요:"},
	"err.what":         {"“What happened?” is required.", "“무슨 일이 있었나요?”를 적어 주세요."},
	"err.what.long":    {"“What happened?” may be at most %d characters; it has %d.", "“무슨 일이 있었나요?”는 최대 %d자입니다. 지금 %d자입니다."},
	"err.when.long":    {"“When did it start?” may be at most %d characters.", "“언제부터 그랬나요?”는 최대 %d자입니다."},
	"err.contact":      {"“Your e-mail or phone number” must be an e-mail address or a phone number.", "“이메일 또는 전화번호”에는 이메일 주소나 전화번호를 적어 주세요."},
	"err.contact.long": {"“Your e-mail or phone number” may be at most %d characters.", "“이메일 또는 전화번호”는 최대 %d자입니다."},
	"err.service":      {"“Service” must be one of the listed services.", "“서비스”는 목록에 있는 것 중에서 골라 주세요."},
	"err.rate":         {"You have sent several reports in a short time. Please wait %s and send this one again; what you wrote is kept below.", "짧은 시간에 여러 번 제보하셨습니다. %s 후에 다시 보내 주세요. 작성하신 내용은 아래에 남아 있습니다."},
	"err.store":        {"Sorry, we could not record your report just now. Nothing was sent: please try again in a moment. What you wrote is kept below.", "죄송합니다. 지금 제보를 기록하지 못했습니다. 접수되지 않았으니 잠시 후 다시 보내 주세요. 작성하신 내용은 아래에 남아 있습니다."},
	"err.large":        {"The report is too large. Please shorten it and send it again.", "제보 내용이 너무 깁니다. 줄여서 다시 보내 주세요."},
	"err.large.back":   {"Back to the form", "제보 양식으로 돌아가기"},
	"thanks.title":     {"Thank you for your report", "제보해 주셔서 감사합니다"},
	"thanks.body":      {"The on-call team has received it and will look into it.", "당직 담당자에게 전달되었으며 확인 후 조치하겠습니다."},
	"thanks.ref":       {"Your reference number:", "접수 번호:"},
	"thanks.keep":      {"Please quote it if you contact us about this problem.", "이 문제로 문의하실 때 접수 번호를 알려 주세요."},
	"thanks.another":   {"Report another problem", "다른 문제 제보하기"},
}

// t looks a string up in language idx and formats it with args.
func t(idx int, key string, args ...any) string { return messages.T(idx, key, args...) }

// pickLanguage chooses the page's language: an explicit lang parameter (the
// switch link, or the form's hidden field), then the UI's lang cookie, then
// Accept-Language.
func pickLanguage(r *http.Request) string {
	// PostForm is empty until the handler has read the body within its limit.
	return i18n.Pick(r, r.PostForm.Get("lang"), r.URL.Query().Get("lang"))
}
