package incident

import (
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// Detection is how an incident was found out: the first line of the
// report's detection section, and what "improve detection" action items
// are measured against.
type Detection string

// The ways an incident is detected. Unknown is the empty value of
// incidents recorded before the field existed, or never said.
const (
	Unknown         Detection = ""
	AlarmEmail      Detection = "alarm_email"      // an alarm e-mail
	MonitoringAlert Detection = "monitoring_alert" // Alertmanager, Grafana, a monitoring webhook
	ChatReport      Detection = "chat_report"      // a staff member's report in chat
	ExternalForm    Detection = "external_form"    // customer support or the public report form
	OtherDetection  Detection = "other"
)

// Detections lists the ways in the order forms offer them.
var Detections = []Detection{MonitoringAlert, AlarmEmail, ChatReport, ExternalForm, OtherDetection}

// Valid reports whether d is one of Detections (Unknown is not).
func (d Detection) Valid() bool {
	for _, x := range Detections {
		if d == x {
			return true
		}
	}
	return false
}

// DetectionOf says how an incident opened from a signal of this intake
// source was detected; Unknown for sources that are not intake (manual,
// web, API).
func DetectionOf(source string) Detection {
	switch source {
	case "alertmanager", "grafana", "generic":
		return MonitoringAlert
	case "email":
		return AlarmEmail
	case "slack":
		return ChatReport
	case "form":
		return ExternalForm
	}
	return Unknown
}

// checkDetection refuses a way that is not one of Detections.
func checkDetection(d Detection) error {
	if d != Unknown && !d.Valid() {
		return fail.Field("detection", "must be one of monitoring_alert, alarm_email, chat_report, external_form, other; got %q", d)
	}
	return nil
}

// checkDetectedAt holds the detection time between the start and now (a
// minute of clock skew allowed): detection cannot come before the incident
// began, nor lie ahead.
func checkDetectedAt(inc *Incident, now time.Time) error {
	if inc.DetectedAt.Before(inc.StartedAt) {
		return fail.Field("detected_at", "is before the incident started (%s)", inc.StartedAt.Format(time.RFC3339))
	}
	if inc.DetectedAt.After(now.Add(time.Minute)) {
		return fail.Field("detected_at", "is in the future")
	}
	return nil
}
