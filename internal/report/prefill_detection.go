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
		label, ways = "탐지 경로", detectionWays["ko"]
	}
	way := ways[inc.Detection]
	if way == "" {
		way = TBD
	}
	return "\n- " + label + ": " + way
}

// sourceNames name where an incident was declared or opened from, per
// report language; a source not listed (a product name) stays as it is.
var sourceNames = map[string]map[string]string{
	"en": {"manual": "declared by hand", "web": "web UI", "api": "API", "cli": "command line", "slack": "Slack",
		"email": "alarm e-mail intake", "form": "report form", "generic": "monitoring webhook"},
	"ko": {"manual": "직접 선언", "web": "웹 화면", "api": "API", "cli": "명령줄", "slack": "Slack",
		"email": "알람 이메일 수신", "form": "제보 양식", "generic": "모니터링 웹훅"},
}

// sourceName says where an incident came from in lang.
func sourceName(source, lang string) string {
	names := sourceNames["en"]
	if lang == "ko" {
		names = sourceNames["ko"]
	}
	if n, ok := names[source]; ok {
		return n
	}
	return source
}
