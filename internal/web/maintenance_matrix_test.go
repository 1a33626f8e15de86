package web_test

import "github.com/firebreak-oss/firebreak/internal/incident"

// Rows of the permission matrix for maintenance windows and silences, kept
// in their own file and added to matrix by init so the shared table's edit
// stays small.
var (
	// planCheckout: a window on checkout-api is planned by payments'
	// managers and admins.
	planCheckout = signedIn(func(c caller, _ incident.Visibility) outcome {
		if is(c, payManager, admin) {
			return allow
		}
		return deny
	})
	// noSuchObject: a window or silence that does not exist is 404 to every
	// reader; a token that may not write is refused before the lookup.
	noSuchWrite = signedIn(func(c caller, _ incident.Visibility) outcome {
		if c == payReadOnly {
			return deny
		}
		return hidden
	})
	noSuchRead = signedIn(func(caller, incident.Visibility) outcome { return hidden })
	// endSilence: silencing needs a responder somewhere; then the lookup.
	endMissingSilence = signedIn(func(c caller, _ incident.Visibility) outcome {
		if is(c, viewer, payViewer, payReadOnly) {
			return deny
		}
		return hidden
	})
)

func init() {
	matrix["GET /maintenance"] = row{rule: anyReader}
	matrix["POST /maintenance"] = row{rule: planCheckout, body: jsonBody(map[string]any{"title": "matrix", "services": []string{"checkout-api"},
		"starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-01-01T01:00:00Z"})}
	matrix["GET /maintenance/{id}"] = row{rule: noSuchRead, path: fixed("/maintenance/999999")}
	matrix["POST /maintenance/{id}/end"] = row{rule: noSuchWrite, path: fixed("/maintenance/999999/end")}
	matrix["GET /silences"] = row{rule: anyReader}
	matrix["POST /silences"] = row{rule: respondAnywhere, body: jsonBody(map[string]any{"duration": "1h", "comment": "matrix",
		"matchers": []map[string]string{{"name": "alertname", "op": "=", "value": "matrix"}}})}
	matrix["POST /silences/{id}/end"] = row{rule: endMissingSilence, path: fixed("/silences/999999/end")}
	matrix["GET /signals/suppressed"] = row{rule: anyReader}
}
