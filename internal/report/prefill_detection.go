package report

import (
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// detectionWays name how an incident was detected, per report language.
var detectionWays = map[string]map[incident.Detection]string{
	"en": {
		incident.MonitoringAlert: "monitoring alert",
		incident.AlarmEmail:      "alarm e-mail",
		incident.ChatReport:      "staff report in chat",
		incident.ExternalForm:    "customer support or external form",
		incident.OtherDetection:  "other",
	},
	"ko": {
		incident.MonitoringAlert: "모니터링 알림",
		incident.AlarmEmail:      "알람 이메일",
		incident.ChatReport:      "채팅으로 들어온 직원 제보",
		incident.ExternalForm:    "고객 문의·외부 제보 양식",
		incident.OtherDetection:  "기타",
	},
}

// detectionLine is the detection section's line on how the incident was
// found; a way never recorded stays TBD, so the report tracks it until
// someone fills it in.
func detectionLine(inc *incident.Incident, lang string) string {
	label, ways := "Detected by", detectionWays["en"]
	if lang == "ko" {
		label, ways = "감지 경로", detectionWays["ko"]
	}
	way := ways[inc.Detection]
	if way == "" {
		way = TBD
	}
	return "\n- " + label + ": " + way
}
