package ui

import (
	"net/http"

	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/review"
)

// closeMessages are the strings of the closing confirmation.
var closeMessages = i18n.Messages{
	"close.title":   {"Close %s?", "%s 장애를 종료할까요?"},
	"close.intro":   {"Closing does not wait for these, but they stay open after it:", "종료해도 아래 항목은 그대로 남습니다. 확인 후 종료하세요:"},
	"close.tbd":     {"Report sections still TBD", "아직 TBD인 보고서 항목"},
	"close.items":   {"Open action items", "완료되지 않은 후속 조치"},
	"close.confirm": {"Close it anyway", "그래도 종료"},
	"close.back":    {"Back to the incident", "장애로 돌아가기"},
}

func init() { addMessages(closeMessages) }

type closeConfirmPage struct {
	Inc     *incident.Incident
	Message string
	TBD     []string
	Items   []*review.ActionItem
}

// confirmClose shows, before an incident is closed, its report sections
// still TBD and its open action items, and asks again; it does not block
// (the review-stage gate is the incident service's). It reports whether
// it answered the request.
func (u *UI) confirmClose(w http.ResponseWriter, r *http.Request, v *view) bool {
	if incident.Status(r.PostFormValue("status")) != incident.Closed || r.PostFormValue("confirm") == "1" {
		return false
	}
	id, ok := incident.ParseRef(r.PathValue("ref"))
	if !ok || u.Reports == nil {
		return false
	}
	inc, rep, err := u.Reports.Get(r.Context(), v.User, id)
	if err != nil {
		return false // the status change reports it
	}
	p := closeConfirmPage{Inc: inc, Message: r.PostFormValue("message")}
	if rep != nil {
		t := u.Reports.Template()
		for _, key := range t.TBDKeys(rep) {
			if s, ok := t.Section(key); ok {
				p.TBD = append(p.TBD, s.TitleIn(v.Lang))
			}
		}
	}
	if u.Review != nil {
		items, _, err := u.Review.ListItems(r.Context(), v.User, review.ItemFilter{IncidentIDs: []int64{id},
			Statuses: []review.ItemStatus{review.ItemOpen, review.ItemInProgress}, Limit: 50})
		if err == nil {
			p.Items = items
		}
	}
	if len(p.TBD) == 0 && len(p.Items) == 0 {
		return false
	}
	u.render(w, r, "close_confirm", v, p)
	return true
}
