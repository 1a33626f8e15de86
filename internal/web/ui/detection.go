package ui

import (
	"net/http"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// detectionMessages are the strings of how and when an incident was found.
var detectionMessages = i18n.Messages{
	"det.label":            {"Detected by", "탐지 경로"},
	"det.title":            {"How and when it was found", "탐지 경로와 시각"},
	"det.hint":             {"The real detection time: when the first signal came in, or when someone first noticed. It may not lie before the start or in the future.", "실제 탐지 시각입니다. 첫 신호가 들어온 시각이나 처음 알아챈 시각을 적습니다. 발생 시각보다 앞서거나 미래일 수 없습니다."},
	"det.at":               {"Detected at (%s)", "탐지 시각 (%s)"},
	"det.submit":           {"Save", "저장"},
	"det.":                 {"not recorded", "기록 안 됨"},
	"det.choose":           {"(not recorded)", "(기록 안 됨)"},
	"det.monitoring_alert": {"Monitoring alert", "모니터링 알림"},
	"det.alarm_email":      {"Alarm e-mail", "알람 이메일"},
	"det.chat_report":      {"Staff report in chat", "채팅으로 들어온 직원 제보"},
	"det.external_form":    {"Customer support or external form", "고객 문의·외부 제보 양식"},
	"det.other":            {"Other", "기타"},
}

func init() { addMessages(detectionMessages) }

// DetectionName names a way of detection in the viewer's language.
func (v *view) DetectionName(d incident.Detection) string { return v.T("det." + string(d)) }

// Detections lists the ways a form offers.
func (v *view) Detections() []incident.Detection { return incident.Detections }

func (u *UI) detectionRoutes(signedIn func(string, func(http.ResponseWriter, *http.Request, *view))) {
	signedIn("POST /incidents/{ref}/detection", u.setDetection)
}

// setDetection records how the incident was found and, when typed, the
// detection time read in the viewer's zone.
func (u *UI) setDetection(w http.ResponseWriter, r *http.Request, v *view) {
	u.act(w, r, v, func(id int64) error {
		d := incident.Detection(r.PostFormValue("detection"))
		p := incident.Patch{Detection: &d}
		if s := strings.TrimSpace(r.PostFormValue("detected_at")); s != "" {
			t, err := time.ParseInLocation("2006-01-02T15:04", s, v.Zone)
			if err != nil {
				return fail.Field("detected_at", "must be a date and time such as 2026-12-05T10:42; got %q", s)
			}
			inc, err := u.Incidents.Get(r.Context(), v.User, id)
			if err != nil {
				return err
			}
			// The field shows whole minutes: sent back as shown, it leaves
			// the time alone, and the start's own minute means the start
			// (not a few seconds before it, which would be refused).
			switch {
			case s == v.LocalInput(&inc.DetectedAt):
			case t.Before(inc.StartedAt) && t.Equal(inc.StartedAt.Truncate(time.Minute)):
				p.DetectedAt = &inc.StartedAt
			default:
				p.DetectedAt = &t
			}
		}
		_, err := u.Incidents.Update(r.Context(), v.User, id, p)
		return err
	})
}
