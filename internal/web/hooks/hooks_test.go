package hooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

const hooksConfig = `
teams:
  - name: payments
services:
  - name: checkout-api
    team: payments
  - name: ledger
    team: payments
intake:
  alertmanager:
    token: am-token
  grafana:
    token: grafana-token
  generic:
    secret: generic-secret
    replay_window: 5m
  routes:
    - match: {service: checkout-api}
      service: checkout-api
      grade: SEV2
      action: declare
      group_by: [alertname]
    - match: {severity: warning}
      service: ledger
      grade: SEV4
      action: triage
`

type firebreak struct {
	base  string
	srv   *server.Server
	admin string // API token
}

func startFirebreak(t testing.TB, dbURL string) *firebreak {
	t.Helper()
	return startFirebreakWith(t, server.Options{DatabaseURL: dbURL})
}

// hooksOptions reads hooksConfig into opts.
func hooksOptions(t testing.TB, opts server.Options) server.Options {
	t.Helper()
	cat, err := catalog.Parse("firebreak.yaml", []byte(hooksConfig))
	if err != nil {
		t.Fatal(err)
	}
	in, err := intake.ParseConfig("firebreak.yaml", []byte(hooksConfig), func(s string) bool { _, ok := cat.Service(s); return ok })
	if err != nil {
		t.Fatal(err)
	}
	opts.Catalog, opts.Intake = cat, in
	return opts
}

func startFirebreakWith(t testing.TB, opts server.Options) *firebreak {
	t.Helper()
	run := testutil.StartServer(t, hooksOptions(t, opts))
	ctx := context.Background()
	if _, err := run.Server.Users.AddUser(ctx, "ops", "", auth.Admin); err != nil {
		t.Fatal(err)
	}
	token, _, err := run.Server.Users.CreateToken(ctx, "ops", "test", 0)
	if err != nil {
		t.Fatal(err)
	}
	return &firebreak{base: run.Base, srv: run.Server, admin: token}
}

type reply struct {
	status int
	body   map[string]any
	raw    string
}

func (f *firebreak) post(t *testing.T, path string, headers map[string]string, body []byte) reply {
	t.Helper()
	req, _ := http.NewRequest("POST", f.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func (f *firebreak) api(t *testing.T, method, path string, body any) reply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, f.base+"/api/v1"+path, rd)
	req.Header.Set("Authorization", "Bearer "+f.admin)
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func (r reply) want(t *testing.T, status int) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r
}

// signals reads every signal straight from the database.
func (f *firebreak) signals(t *testing.T) []map[string]any {
	t.Helper()
	rows, err := f.srv.DB.SQL.Query("SELECT id, source, fingerprint, status, count, routed, triage, COALESCE(incident_id, 0) FROM signals ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var id, count, routed, incidentID int64
		var source, fp, status, triage string
		if err := rows.Scan(&id, &source, &fp, &status, &count, &routed, &triage, &incidentID); err != nil {
			t.Fatal(err)
		}
		out = append(out, map[string]any{"id": id, "source": source, "fingerprint": fp, "status": status, "count": count,
			"routed": routed == 1, "triage": triage, "incident_id": incidentID})
	}
	return out
}

func amPayload(status string, alerts ...map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{
		"version": "4", "groupKey": "{}:{alertname=\"x\"}", "status": status, "receiver": "firebreak",
		"groupLabels": map[string]string{}, "commonLabels": map[string]string{}, "commonAnnotations": map[string]string{},
		"externalURL": "http://alertmanager.example", "truncatedAlerts": 0, "alerts": alerts,
	})
	return b
}

func amAlert(status, fingerprint string, labels map[string]string) map[string]any {
	a := map[string]any{"status": status, "labels": labels, "annotations": map[string]string{"summary": "p99 latency high 지연"},
		"startsAt": "2026-11-24T09:00:00Z", "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prom/graph", "fingerprint": fingerprint}
	if status == "resolved" {
		a["endsAt"] = "2026-11-24T09:30:00Z"
	}
	return a
}

var amAuth = map[string]string{"Authorization": "Bearer am-token"}

func eachDB(t *testing.T, fn func(t *testing.T, f *firebreak)) {
	testutil.EachDatabase(t, func(t *testing.T, url string) { fn(t, startFirebreak(t, url)) })
}

func TestAlertmanagerDedupRoutingAndResolution(t *testing.T) {
	eachDB(t, func(t *testing.T, f *firebreak) {
		labels := map[string]string{"alertname": "CheckoutLatency", "service": "checkout-api", "instance": "a:9100"}
		fire := amPayload("firing", amAlert("firing", "fp-1", labels))

		// Callers without the token are refused and nothing is stored.
		f.post(t, "/hooks/alertmanager", nil, fire).want(t, 401)
		f.post(t, "/hooks/alertmanager", map[string]string{"Authorization": "Bearer wrong"}, fire).want(t, 401)
		if n := len(f.signals(t)); n != 0 {
			t.Fatalf("%d signals stored from unauthenticated requests", n)
		}

		if r := f.post(t, "/hooks/alertmanager", amAuth, fire).want(t, 200); r.body["accepted"] != 1.0 {
			t.Fatalf("reply: %s", r.raw)
		}
		f.post(t, "/hooks/alertmanager", amAuth, fire).want(t, 200)
		f.post(t, "/hooks/alertmanager", amAuth, fire).want(t, 200)
		sigs := f.signals(t)
		if len(sigs) != 1 || sigs[0]["count"] != int64(3) || sigs[0]["fingerprint"] != "fp-1" {
			t.Fatalf("after three repeats: %v", sigs)
		}

		// The route declares an incident and the signal joins it.
		testutil.WaitFor(t, "routing", func() bool { return f.signals(t)[0]["incident_id"] != int64(0) })
		ref := fmt.Sprintf("INC-%d", f.signals(t)[0]["incident_id"])
		inc := f.api(t, "GET", "/incidents/"+ref, nil).want(t, 200)
		if inc.body["grade"] != "SEV2" || inc.body["source"] != "alertmanager" || !strings.Contains(inc.raw, "checkout-api") {
			t.Fatalf("declared incident: %s", inc.raw)
		}
		// A second alert of the same group joins the same incident.
		labels2 := map[string]string{"alertname": "CheckoutLatency", "service": "checkout-api", "instance": "b:9100"}
		f.post(t, "/hooks/alertmanager", amAuth, amPayload("firing", amAlert("firing", "fp-2", labels2))).want(t, 200)
		testutil.WaitFor(t, "second signal routed", func() bool { s := f.signals(t); return len(s) == 2 && s[1]["routed"] == true })
		if s := f.signals(t); s[1]["incident_id"] != s[0]["incident_id"] {
			t.Fatalf("second alert of the group went elsewhere: %v", s)
		}

		// Resolution is recorded on the signal and on the incident's timeline.
		f.post(t, "/hooks/alertmanager", amAuth, amPayload("resolved", amAlert("resolved", "fp-1", labels))).want(t, 200)
		if s := f.signals(t); s[0]["status"] != "resolved" || s[0]["count"] != int64(3) {
			t.Fatalf("after resolution: %v", s[0])
		}
		tl := f.api(t, "GET", "/incidents/"+ref+"/timeline", nil).want(t, 200)
		for _, kind := range []string{`"kind":"signal_joined"`, `"kind":"signal_status"`, `"status":"resolved"`} {
			if !strings.Contains(tl.raw, kind) {
				t.Errorf("timeline lacks %s: %s", kind, tl.raw)
			}
		}
		if n := strings.Count(tl.raw, `"kind":"signal_joined"`); n != 2 {
			t.Errorf("%d signal_joined events, want 2", n)
		}
	})
}

func TestMalformedPayloadsAreRejectedAndKept(t *testing.T) {
	f := startFirebreak(t, testutil.SQLiteURL(t))
	cases := []struct {
		name, path, body, field string
		headers                 map[string]string
	}{
		{"syntax", "/hooks/alertmanager", `{"version": "4", "alerts": [`, "alerts", amAuth},
		{"version", "/hooks/alertmanager", `{"version": "3", "alerts": []}`, "version", amAuth},
		{"no alerts", "/hooks/alertmanager", `{"version": "4", "alerts": []}`, "alerts", amAuth},
		{"bad status", "/hooks/alertmanager", string(amPayload("firing", amAlert("burning", "x", map[string]string{"a": "b"}))), "alerts[0].status", amAuth},
		{"grafana without alerts", "/hooks/grafana", `{"title": "x"}`, "alerts", map[string]string{"Authorization": "Bearer grafana-token"}},
	}
	for _, c := range cases {
		r := f.post(t, c.path, c.headers, []byte(c.body)).want(t, 400)
		if got, _ := r.body["field"].(string); got != c.field || r.body["detail"] == "" {
			t.Errorf("%s: field %q, want %q: %s", c.name, got, c.field, r.raw)
		}
	}
	if n := len(f.signals(t)); n != 0 {
		t.Fatalf("%d signals stored from malformed payloads", n)
	}
	rejected := f.api(t, "GET", "/rejected-signals", nil).want(t, 200)
	items := rejected.body["items"].([]any)
	if len(items) != len(cases) {
		t.Fatalf("%d rejected payloads kept, want %d", len(items), len(cases))
	}
	newest := items[0].(map[string]any)
	if newest["source"] != "grafana" || newest["body"] != `{"title": "x"}` || !strings.Contains(newest["reason"].(string), "alerts") {
		t.Fatalf("newest rejected: %v", newest)
	}
}

// TestOversizedBodiesAreRefused: a body over 8 MiB gets 413 whether its
// length is declared (refused before reading) or it comes chunked (refused
// at the limit), and a body of a declared length is read whole.
func TestOversizedBodiesAreRefused(t *testing.T) {
	f := startFirebreak(t, testutil.SQLiteURL(t))
	huge := append(append([]byte(`{"version":"4","alerts":[],"pad":"`), bytes.Repeat([]byte("x"), 8<<20)...), `"}`...)
	for _, chunked := range []bool{false, true} {
		req, _ := http.NewRequest("POST", f.base+"/hooks/alertmanager", bytes.NewReader(huge))
		for k, v := range amAuth {
			req.Header.Set(k, v)
		}
		if chunked {
			req.ContentLength = -1 // sent chunked, its length unknown until read
		}
		if r := do(t, req).want(t, 413); !strings.Contains(r.body["detail"].(string), "8 MiB") {
			t.Errorf("chunked %v: %s", chunked, r.raw)
		}
	}
	body := amPayload("firing", amAlert("firing", "fp-exact", map[string]string{"alertname": "결제 지연", "service": "checkout-api"}))
	r := f.post(t, "/hooks/alertmanager", amAuth, body).want(t, 200)
	if r.raw != "{\"accepted\":1}\n" {
		t.Errorf("answer %q", r.raw)
	}
	if got := f.signals(t); len(got) != 1 || got[0]["title"] == "" {
		t.Fatalf("signals: %v", got)
	}
}

func TestGrafanaAndSignedGenericWebhook(t *testing.T) {
	f := startFirebreak(t, testutil.SQLiteURL(t))
	grafana := amPayload("firing", amAlert("firing", "g-1", map[string]string{"alertname": "DiskFull", "severity": "warning"}))
	f.post(t, "/hooks/grafana", map[string]string{"Authorization": "Bearer am-token"}, grafana).want(t, 401)
	f.post(t, "/hooks/grafana", map[string]string{"Authorization": "Bearer grafana-token"}, grafana).want(t, 200)

	body := []byte(`{"title": "결제 오류율 상승", "summary": "5xx at 3%", "labels": {"service": "ledger", "severity": "warning"}}`)
	now := time.Now()
	signed := func(ts time.Time, b []byte) map[string]string {
		return map[string]string{intake.HeaderTimestamp: strconv.FormatInt(ts.Unix(), 10), intake.HeaderSignature: intake.Sign("generic-secret", ts.Unix(), b)}
	}
	f.post(t, "/hooks/generic", nil, body).want(t, 401)
	bad := signed(now, body)
	bad[intake.HeaderSignature] = intake.Sign("wrong-secret", now.Unix(), body)
	f.post(t, "/hooks/generic", bad, body).want(t, 401)
	// A request captured and replayed after the window is refused…
	f.post(t, "/hooks/generic", signed(now.Add(-10*time.Minute), body), body).want(t, 401)
	// …and so is a signature moved onto another body.
	other := []byte(`{"title": "something else"}`)
	f.post(t, "/hooks/generic", signed(now, body), other).want(t, 401)
	if n := len(f.signals(t)); n != 1 {
		t.Fatalf("%d signals after refused requests, want only grafana's", n)
	}
	f.post(t, "/hooks/generic", signed(now, body), body).want(t, 200)
	f.post(t, "/hooks/generic", signed(now, []byte(`{"title": ""}`)), []byte(`{"title": ""}`)).want(t, 400)
	sigs := f.signals(t)
	if len(sigs) != 2 || sigs[0]["source"] != "grafana" || sigs[1]["source"] != "generic" {
		t.Fatalf("signals: %v", sigs)
	}
	// Both match the warning route, which sends them to triage.
	testutil.WaitFor(t, "triage", func() bool {
		s := f.signals(t)
		return s[0]["triage"] == "pending" && s[1]["triage"] == "pending"
	})
}

func TestTriageInbox(t *testing.T) {
	eachDB(t, func(t *testing.T, f *firebreak) {
		for i := range 4 {
			f.post(t, "/hooks/alertmanager", amAuth, amPayload("firing", amAlert("firing", fmt.Sprintf("w-%d", i),
				map[string]string{"alertname": fmt.Sprintf("LedgerWarning%d", i), "severity": "warning"}))).want(t, 200)
		}
		testutil.WaitFor(t, "four pending signals", func() bool {
			r := f.api(t, "GET", "/signals?triage=pending", nil)
			items, _ := r.body["items"].([]any)
			return len(items) == 4
		})
		page := f.api(t, "GET", "/signals?limit=3", nil).want(t, 200)
		if items := page.body["items"].([]any); len(items) != 3 || page.body["next_cursor"] == "" {
			t.Fatalf("first page: %s", page.raw)
		}
		sig := func(i int) string { return fmt.Sprintf("/signals/SIG-%d", i) }

		inc := f.api(t, "POST", sig(1)+"/declare", map[string]any{"grade": "SEV3"}).want(t, 201)
		ref := inc.body["id"].(string)
		if inc.body["title"] != "p99 latency high 지연" || !strings.Contains(inc.raw, "ledger") {
			t.Fatalf("declared from signal: %s", inc.raw)
		}
		f.api(t, "POST", sig(1)+"/dismiss", map[string]any{"reason": "late"}).want(t, 409)
		if r := f.api(t, "POST", sig(2)+"/merge", map[string]any{"incident": ref}).want(t, 200); r.body["triage"] != "merged" || r.body["incident"] != ref {
			t.Fatalf("merge: %s", r.raw)
		}
		f.api(t, "POST", sig(3)+"/merge", map[string]any{"incident": "INC-999"}).want(t, 400)
		f.api(t, "POST", sig(3)+"/dismiss", map[string]any{}).want(t, 400)
		if r := f.api(t, "POST", sig(3)+"/dismiss", map[string]any{"reason": "test alert from staging"}).want(t, 200); r.body["triage"] != "dismissed" {
			t.Fatalf("dismiss: %s", r.raw)
		}
		pending := f.api(t, "GET", "/signals", nil).want(t, 200).body["items"].([]any)
		if len(pending) != 1 || pending[0].(map[string]any)["ref"] != "SIG-4" {
			t.Fatalf("pending after triage: %v", pending)
		}
		tl := f.api(t, "GET", "/incidents/"+ref+"/timeline", nil).want(t, 200)
		if n := strings.Count(tl.raw, `"kind":"signal_joined"`); n != 2 {
			t.Fatalf("%d signals on the incident's timeline, want 2: %s", n, tl.raw)
		}
	})
}
