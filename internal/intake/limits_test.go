package intake_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/intake"
)

// TestAlertsPerRequestCap: one alert more than MaxAlertsPerRequest is
// refused with an error naming the list; exactly the cap is accepted.
func TestAlertsPerRequestCap(t *testing.T) {
	alerts := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = `{"status":"firing","labels":{"alertname":"a` + strconv.Itoa(i) + `"}}`
		}
		return strings.Join(parts, ",")
	}
	signals := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = `{"title":"s` + strconv.Itoa(i) + `"}`
		}
		return strings.Join(parts, ",")
	}
	for _, tc := range []struct {
		name  string
		parse func([]byte) ([]*intake.Signal, error)
		body  func(n int) string
		field string
	}{
		{"alertmanager", intake.ParseAlertmanager, func(n int) string { return `{"version":"4","alerts":[` + alerts(n) + `]}` }, "alerts"},
		{"grafana", intake.ParseGrafana, func(n int) string { return `{"alerts":[` + alerts(n) + `]}` }, "alerts"},
		{"generic", intake.ParseGeneric, func(n int) string { return `{"signals":[` + signals(n) + `]}` }, "signals"},
	} {
		_, err := tc.parse([]byte(tc.body(intake.MaxAlertsPerRequest + 1)))
		var pe *intake.ParseError
		if !errors.As(err, &pe) || pe.Field != tc.field || !strings.Contains(err.Error(), "at most 10000") {
			t.Errorf("%s: %d alerts: %v, want an error naming %s", tc.name, intake.MaxAlertsPerRequest+1, err, tc.field)
		}
		if sigs, err := tc.parse([]byte(tc.body(intake.MaxAlertsPerRequest))); err != nil || len(sigs) != intake.MaxAlertsPerRequest {
			t.Errorf("%s: exactly the cap: %d signals, %v", tc.name, len(sigs), err)
		}
	}
}
