package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/intake"
)

func TestWebhookPayloadIsAlertmanagers(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			p := newPayloads(sc, "r1", time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), "http://127.0.0.1:9093")
			body := p.webhook(nil, 3)
			var msg struct {
				Version, Status, Receiver, GroupKey string
				CommonLabels                        map[string]string
				Alerts                              []struct {
					Fingerprint string
					Labels      map[string]string
				}
			}
			if err := json.Unmarshal(body, &msg); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
			if msg.Version != "4" || msg.Status != "firing" || len(msg.Alerts) != sc.Batch {
				t.Fatalf("message: %s", body)
			}
			seen := map[string]bool{}
			for j, a := range msg.Alerts {
				k := sc.key(3, j)
				if a.Fingerprint != fingerprint(p.labels(k)) || a.Fingerprint != fingerprint(a.Labels) {
					t.Fatalf("alert %d: fingerprint %s, labels %v", j, a.Fingerprint, a.Labels)
				}
				if seen[a.Fingerprint] {
					t.Fatalf("fingerprint %s twice in one notification", a.Fingerprint)
				}
				seen[a.Fingerprint] = true
			}
			for k, v := range msg.CommonLabels {
				for _, a := range msg.Alerts {
					if a.Labels[k] != v {
						t.Fatalf("common label %s=%s, alert has %q", k, v, a.Labels[k])
					}
				}
			}
			// Firebreak reads it as it reads Alertmanager's.
			sigs, err := intake.ParseAlertmanager(body)
			if err != nil || len(sigs) != sc.Batch || sigs[0].Fingerprint != msg.Alerts[0].Fingerprint {
				t.Fatalf("ParseAlertmanager: %v, %d signals", err, len(sigs))
			}
			var postable []map[string]any
			if err := json.Unmarshal(p.postable(nil, 3), &postable); err != nil || len(postable) != sc.Batch {
				t.Fatalf("postable alerts: %v, %d", err, len(postable))
			}
		})
	}
}

func TestFingerprintMatchesPrometheusModel(t *testing.T) {
	// The empty set hashes to FNV-1a's offset basis, as in Prometheus'
	// model; the second is what Alertmanager 0.25 put in a webhook for those
	// labels. The run itself checks one more against Alertmanager's API.
	if got := fingerprint(map[string]string{}); got != "cbf29ce484222325" {
		t.Fatalf("empty set: %s", got)
	}
	if got := fingerprint(map[string]string{"alertname": "IntakeLoad", "instance": "host-0:9100", "service": "checkout-api"}); got != "00635dd1babc4748" {
		t.Fatalf("Alertmanager's fingerprint: %s", got)
	}
	p := newPayloads(scenarios[0], "r1", time.Now(), "")
	for k := range 1000 {
		if p.fp.of(k) != fingerprint(p.labels(k)) {
			t.Fatalf("key %d: fast %s, slow %s", k, p.fp.of(k), fingerprint(p.labels(k)))
		}
	}
}

func TestLoopbackOnly(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080", "http://localhost:1", "http://127.3.4.5/x", "postgres://u:p@127.0.0.1:5432/db"} {
		if err := checkLoopback("target", u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	for _, u := range []string{"http://10.0.0.1:8080", "http://example.com", "http://[::1]:80", "http://0.0.0.0:80", "postgres://db.internal/x"} {
		if err := checkLoopback("target", u); err == nil {
			t.Errorf("%s allowed", u)
		}
	}
	for _, u := range []string{"postgres://127.0.0.1/db?host=10.0.0.1", "host=127.0.0.1 dbname=x", "mysql://127.0.0.1/x"} {
		if err := checkPostgres(u); err == nil {
			t.Errorf("-postgres %s allowed", u)
		}
	}
	// The dialer refuses whatever a name resolves to, past the URL check.
	if _, err := loopbackDialer.Dial("tcp", "192.0.2.1:80"); err == nil || !strings.Contains(err.Error(), "loopback only") {
		t.Fatalf("dial outside loopback: %v", err)
	}
}

func TestLoadStopsAtTheFirstFailure(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) > 5 {
			http.Error(w, "could not store the signals; retry", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"accepted": 1}`))
	}))
	defer srv.Close()
	tg := target{name: "fake", url: srv.URL, body: func(b []byte, _ int) []byte { return append(b, "{}"...) }, accepted: firebreakAccepted}
	_, err := load(context.Background(), newClient(1), tg, 1, 1, 10*time.Second, 100)
	if err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "retry") {
		t.Fatalf("load: %v", err)
	}
	// A count bound ends the run before the duration.
	n.Store(-1 << 30)
	r, err := load(context.Background(), newClient(2), tg, 1, 2, time.Minute, 50)
	if err != nil || r.Requests != 50 || r.Alerts != 50 {
		t.Fatalf("bounded run: %+v, %v", r, err)
	}
}

func TestParseStatCPU(t *testing.T) {
	// utime 250 and stime 50 ticks; the command name holds a space and a parenthesis.
	line := "4242 (fire break) serve) S 1 4242 4242 0 -1 4194560 9000 0 0 0 250 50 0 0 20 0 9 0 100 2000000 5000 18446744073709551615\n"
	got, err := parseStatCPU([]byte(line))
	if err != nil || got != 3*time.Second {
		t.Fatalf("parseStatCPU = %v, %v; want 3s", got, err)
	}
	if _, err := parseStatCPU([]byte("4242 (firebreak) S 1 2")); err == nil {
		t.Fatal("a short line parsed")
	}
	// This process has used some CPU by now, and /proc says so.
	if d, err := processCPU(os.Getpid()); err != nil || d < 0 {
		t.Fatalf("processCPU(self) = %v, %v", d, err)
	}
}
