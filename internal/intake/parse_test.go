package intake_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/intake"
)

// A bad payload's error names the field as the 400 answer shows it.
func TestParseErrorsNameTheField(t *testing.T) {
	for _, c := range []struct {
		name, body, field, message string
	}{
		{"syntax", `{"version": "4", "alerts": [{"status": "firing",`, "alerts[0]", "malformed JSON at byte"},
		{"not JSON", `version=4`, "", "malformed JSON at byte 0"},
		{"labels of the wrong type", `{"version": "4", "alerts": [{"status": "firing", "labels": {"a": "b"}}, {"status": "firing", "labels": "x"}]}`,
			"alerts[1].labels", "must be a JSON object"},
		{"a number for the version", `{"version": 4, "alerts": []}`, "version", "must be a JSON string"},
		{"a time that is not one", `{"version": "4", "alerts": [{"status": "firing", "labels": {"a": "b"}, "startsAt": "yesterday"}]}`,
			"alerts[0].startsAt", "RFC 3339"},
		{"a label that is not a string", `{"version": "4", "alerts": [{"status": "firing", "labels": {"a": 1}}]}`, "alerts[0].labels.a", "must be a JSON string"},
	} {
		_, err := intake.ParseAlertmanager([]byte(c.body))
		var pe *intake.ParseError
		if !errors.As(err, &pe) || pe.Field != c.field || !strings.Contains(pe.Message, c.message) {
			t.Errorf("%s: %v (field %q), want field %q and %q", c.name, err, fieldOf(pe), c.field, c.message)
		}
	}
}

func fieldOf(pe *intake.ParseError) string {
	if pe == nil {
		return "<no ParseError>"
	}
	return pe.Field
}

// What encoding/json accepted is still accepted: names in another case,
// a repeated name (the last wins). Invalid UTF-8, which it replaced, is
// now refused naming the field (TestParseRefusesBadText).
func TestParseAcceptsWhatItAlwaysDid(t *testing.T) {
	body := "{\"Version\": \"4\", \"alerts\": [{\"status\": \"firing\", \"Labels\": {\"alertname\": \"Disk\"}, \"status\": \"resolved\"," +
		" \"endsAt\": \"2026-11-24T09:30:00Z\", \"annotations\": {\"summary\": \"디스크 가득 참\"}}]}"
	sigs, err := intake.ParseAlertmanager([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	s := sigs[0]
	if s.Status != intake.Resolved || s.Labels["alertname"] != "Disk" || s.Title != "디스크 가득 참" || s.ResolvedAt == nil {
		t.Errorf("signal: %+v", s)
	}
	gen, err := intake.ParseGeneric([]byte(`{"Title": "결제 지연", "labels": {"service": "checkout-api"}}`))
	if err != nil || len(gen) != 1 || gen[0].Title != "결제 지연" || gen[0].Labels["service"] != "checkout-api" {
		t.Errorf("generic: %+v, %v", gen, err)
	}
}

// TestParseRefusesBadText: invalid UTF-8, control characters and (in
// titles) bidirectional overrides are refused with the field named, never
// repaired.
func TestParseRefusesBadText(t *testing.T) {
	am := func(labels, annotations string) []byte {
		return []byte(`{"version": "4", "alerts": [{"status": "firing", "labels": ` + labels + `, "annotations": ` + annotations + `}]}`)
	}
	for _, tc := range []struct {
		name  string
		parse func([]byte) ([]*intake.Signal, error)
		body  []byte
		field string
	}{
		{"invalid UTF-8 in a label", intake.ParseAlertmanager, am("{\"alertname\": \"Disk\xff\"}", "{}"), "alerts[0].labels.alertname"},
		{"NUL in a label", intake.ParseAlertmanager, am(`{"alertname": "Disk\u0000"}`, "{}"), "alerts[0].labels.alertname"},
		{"newline in a label", intake.ParseAlertmanager, am(`{"alertname": "a\nb"}`, "{}"), "alerts[0].labels.alertname"},
		{"ESC in an annotation", intake.ParseAlertmanager, am(`{"alertname": "Disk"}`, `{"description": "\u001b[31m"}`), "alerts[0].annotations.description"},
		{"RLO in the summary (a title)", intake.ParseGrafana, am(`{"alertname": "Disk"}`, `{"summary": "x\u202ey"}`), "alerts[0].annotations.summary"},
		{"invalid UTF-8 in a generic title", intake.ParseGeneric, []byte("{\"title\": \"a\xc3\x28\"}"), "title"},
		{"NUL in a generic summary", intake.ParseGeneric, []byte(`{"title": "a", "summary": "b\u0000"}`), "summary"},
		{"bidi isolate in a generic title", intake.ParseGeneric, []byte(`{"signals": [{"title": "a\u2066b"}]}`), "signals[0].title"},
	} {
		_, err := tc.parse(tc.body)
		var pe *intake.ParseError
		if !errors.As(err, &pe) || pe.Field != tc.field {
			t.Errorf("%s: got %v (field %q), want a ParseError naming %s", tc.name, err, fieldOf(pe), tc.field)
		}
	}
	// A multi-line description is fine.
	if _, err := intake.ParseAlertmanager(am(`{"alertname": "Disk"}`, `{"description": "line 1\n\tline 2"}`)); err != nil {
		t.Errorf("multi-line description: %v", err)
	}
}
