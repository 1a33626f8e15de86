package ui

import (
	"context"
	"maps"
	"net/http"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// updateMessages are the strings of status updates and reminders, kept
// beside their handler and merged into the catalogue at start.
var updateMessages = map[string][2]string{
	"upd.title":         {"Post a status update", "상태 업데이트 게시"},
	"upd.hint":          {"Goes to everyone told of this incident.", "이 장애를 전파받은 모든 대상에게 전달됩니다."},
	"upd.public":        {"Also show it on the public status page", "공개 상태 페이지에도 표시"},
	"upd.submit":        {"Post update", "업데이트 게시"},
	"upd.badge":         {"Status update", "상태 업데이트"},
	"upd.badge_public":  {"Public", "공개"},
	"upd.badge_overdue": {"Update overdue", "업데이트 지연"},
	"upd.reminded":      {"%s was reminded by e-mail.", "%s 님에게 이메일로 알렸습니다."},
	"upd.no_address":    {"%s has no e-mail address; only this timeline says so.", "%s 님의 이메일 주소가 없어 타임라인에만 기록했습니다."},
	"upd.no_mail":       {"%s was not e-mailed: no mail server is set up.", "메일 서버가 설정되지 않아 %s 님에게 이메일을 보내지 못했습니다."},
	"nav.status":        {"Status page", "상태 페이지"},
	"upd.next":          {"Next update due by %s (every %s).", "다음 업데이트 기한: %s (%s마다)."},
	"upd.overdue":       {"An update was due by %s (every %s): it is overdue.", "업데이트 기한 %s이(가) 지났습니다 (%s마다)."},
}

func init() { maps.Copy(messages, updateMessages) }

// CadenceReader reads where open incidents stand against their update
// cadence.
type CadenceReader interface {
	UpdateClocks(ctx context.Context, incs []*incident.Incident) (map[int64]incident.Cadence, error)
}

// UpdateDue is when an open incident's next status update is due.
type UpdateDue struct {
	By      time.Time
	Every   time.Duration
	Overdue bool
}

// updateDue works out the next update's deadline for the incident page; nil
// when the incident is not open or the UI has no cadence reader.
func (u *UI) updateDue(ctx context.Context, inc *incident.Incident) (*UpdateDue, error) {
	if u.Cadence == nil || !inc.Status.Open() {
		return nil, nil
	}
	clocks, err := u.Cadence.UpdateClocks(ctx, []*incident.Incident{inc})
	if err != nil {
		return nil, err
	}
	every := inc.Grade.UpdateInterval()
	if u.UpdateEvery != nil {
		every = u.UpdateEvery(inc.Grade)
	}
	by := clocks[inc.ID].LastUpdate.Add(every)
	return &UpdateDue{By: by, Every: every, Overdue: u.Now().After(by)}, nil
}

// DueText says when the next update is due, in the viewer's language.
func (v *view) DueText(d *UpdateDue) string {
	every := i18n.FormatDuration(d.Every, v.lang())
	if d.Overdue {
		return v.T("upd.overdue", v.Time(d.By), every)
	}
	return v.T("upd.next", v.Time(d.By), every)
}

func (u *UI) postUpdate(w http.ResponseWriter, r *http.Request, v *view) {
	u.act(w, r, v, func(id int64) error {
		_, err := u.Incidents.PostUpdate(r.Context(), v.User, id, incident.StatusUpdate{
			Text: r.PostFormValue("text"), Public: r.PostFormValue("public") == "1",
		})
		return err
	})
}

// EventBadge labels the timeline events that stand out: status updates
// (public or not) and missed ones. "" for the rest.
func (v *view) EventBadge(ev incident.Event) string {
	switch {
	case incident.IsPublicUpdate(ev):
		return v.T("upd.badge") + " · " + v.T("upd.badge_public")
	case ev.Kind == incident.EventStatusUpdate:
		return v.T("upd.badge")
	case ev.Kind == incident.EventUpdateOverdue:
		return v.T("upd.badge_overdue")
	}
	return ""
}

// overdueText describes a missed update and whom Firebreak reminded.
func (v *view) overdueText(ev incident.Event) string {
	interval, _ := ev.Data["interval"].(string)
	if d, err := time.ParseDuration(interval); err == nil {
		interval = i18n.FormatDuration(d, v.lang()) // "15분", as the due hint says it
	}
	text := v.T("ev.update_overdue", interval)
	to, _ := ev.Data["remind"].(string)
	if to == "" {
		return text
	}
	if emailed, _ := ev.Data["emailed"].(bool); emailed {
		return text + " — " + v.T("upd.reminded", to)
	}
	if why, _ := ev.Data["why_not"].(string); why == "no_mail" {
		return text + " — " + v.T("upd.no_mail", to)
	}
	return text + " — " + v.T("upd.no_address", to)
}

// SignedInUser returns the user whose session the request carries, for
// pages served outside the UI (the status page) that show more to staff.
func (u *UI) SignedInUser(r *http.Request) (auth.User, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return auth.User{}, false
	}
	_, user, err := u.Passwords.Session(r.Context(), c.Value)
	return user, err == nil
}
