package intake_test

import (
	"testing"

	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/textrule"
)

// The webhook parsers meet untrusted bodies: whatever they get, they must
// not panic, and what they accept must meet the text rules.

func FuzzParseAlertmanager(f *testing.F) {
	f.Add([]byte(`{"version": "4", "status": "firing", "alerts": [{"status": "firing", "labels": {"alertname": "DiskFull", "service": "checkout-api"}, "annotations": {"summary": "디스크 가득 참", "description": "line 1\nline 2"}, "startsAt": "2026-11-24T09:30:00Z"}]}`))
	f.Add([]byte(`{"version": "4", "alerts": [{"status": "resolved", "labels": {"alertname": "x"}, "endsAt": "2026-11-24T09:40:00Z"}]}`))
	f.Add([]byte(`{"version": "4", "alerts": []}`))
	f.Fuzz(func(t *testing.T, body []byte) { checkSignals(t, intake.ParseAlertmanager, body) })
}

func FuzzParseGrafana(f *testing.F) {
	f.Add([]byte(`{"receiver": "firebreak", "status": "firing", "orgId": 1, "title": "[FIRING:1] Latency", "alerts": [{"status": "firing", "labels": {"alertname": "Latency", "grafana_folder": "checkout"}, "annotations": {"summary": "p99 over 2 s"}, "fingerprint": "a1b2"}]}`))
	f.Add([]byte(`{"alerts": null}`))
	f.Fuzz(func(t *testing.T, body []byte) { checkSignals(t, intake.ParseGrafana, body) })
}

func FuzzParseGeneric(f *testing.F) {
	f.Add([]byte(`{"title": "결제 지연", "summary": "p99 4 s", "labels": {"service": "checkout-api"}, "starts_at": "2026-11-24T09:30:00Z"}`))
	f.Add([]byte(`{"signals": [{"title": "a", "status": "resolved", "fingerprint": "f1"}, {"title": "b"}]}`))
	f.Add([]byte(`{"Title": "case", "status": "paused"}`))
	f.Fuzz(func(t *testing.T, body []byte) { checkSignals(t, intake.ParseGeneric, body) })
}

func checkSignals(t *testing.T, parse func([]byte) ([]*intake.Signal, error), body []byte) {
	sigs, err := parse(body)
	if err != nil {
		if sigs != nil {
			t.Fatalf("signals together with an error: %v", err)
		}
		return
	}
	if len(sigs) == 0 {
		t.Fatal("no error and no signal")
	}
	for _, s := range sigs {
		if p := textrule.Problem(s.Title, false, true); p != "" {
			t.Fatalf("accepted a title that %s: %q", p, s.Title)
		}
		if p := textrule.Problem(s.Summary, true, false); p != "" {
			t.Fatalf("accepted a summary that %s: %q", p, s.Summary)
		}
		for k, v := range s.Labels {
			if textrule.Problem(k, false, false) != "" || textrule.Problem(v, false, false) != "" {
				t.Fatalf("accepted a label breaking the text rules: %q=%q", k, v)
			}
		}
		if s.Status != intake.Firing && s.Status != intake.Resolved {
			t.Fatalf("status %q", s.Status)
		}
	}
}
