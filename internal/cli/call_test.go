package cli

import (
	"net/http"
	"strings"
	"testing"
)

// TestCallAnswers drives commands built on callAs and exchange through the
// fake API: the text of the answer, the answer as it came under --json, a
// refusal named by what was asked, and an answer that is not the expected
// JSON.
func TestCallAnswers(t *testing.T) {
	api := newFakeAPI(t)
	api.mux.HandleFunc("POST /api/v1/signals/{ref}/dismiss", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("ref") {
		case "SIG-3":
			writeJSONAnswer(w, http.StatusOK, map[string]any{"ref": "SIG-3", "status": "dismissed"})
		case "SIG-4":
			writeProblem(w, r, http.StatusConflict, "conflict", "", "SIG-4 is not pending")
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ref": 5}`))
		}
	})
	api.mux.HandleFunc("PATCH /api/v1/incidents/{ref}", func(w http.ResponseWriter, r *http.Request) {
		writeJSONAnswer(w, http.StatusOK, map[string]any{"id": "INC-7", "detection": "chat_report", "detected_at": "2026-12-05T01:42:00Z"})
	})
	api.mux.HandleFunc("POST /api/v1/signals/{ref}/declare", func(w http.ResponseWriter, r *http.Request) {
		writeJSONAnswer(w, http.StatusCreated, incidentJSON(8, "결제 지연", "SEV2", "investigating", []string{"payments"}, "2026-12-05T01:00:00Z"))
	})
	api.mux.HandleFunc("GET /api/v1/signals", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("triage") == "dismissed" {
			writeJSONAnswer(w, http.StatusOK, map[string]any{"items": []any{}})
			return
		}
		writeJSONAnswer(w, http.StatusOK, map[string]any{"next_cursor": "c2", "items": []any{map[string]any{"ref": "SIG-3", "source": "alertmanager",
			"status": "pending", "count": 2, "title": "disk full", "grade": "SEV3", "last_seen": "2026-12-05T01:00:00Z"}}})
	})
	run := func(args ...string) (string, error) {
		return runCLI(t, "", append(args, "--server", api.srv.URL, "--token", testToken)...)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		out     string
		errText string
	}{
		{"text", []string{"triage", "dismiss", "sig-3", "--reason", "a test page"}, "Dismissed SIG-3: a test page\n", ""},
		{"json", []string{"triage", "dismiss", "SIG-3", "--reason", "x", "--json"}, "{\n  \"ref\": \"SIG-3\",\n  \"status\": \"dismissed\"\n}\n", ""},
		{"refused", []string{"triage", "dismiss", "SIG-4", "--reason", "x"}, "", "dismiss SIG-4: SIG-4 is not pending (HTTP 409)"},
		{"not the expected JSON", []string{"triage", "dismiss", "SIG-5", "--reason", "x"}, "", "dismiss SIG-5: unexpected answer: json: cannot unmarshal"},
		{"declare from a signal", []string{"triage", "declare", "sig-3"}, "Declared INC-8 (SEV2, investigating) from SIG-3: 결제 지연\n", ""},
		{"signal list", []string{"triage", "list"}, "REF    SOURCE        STATUS   COUNT  TITLE      SERVICE  GRADE  LAST SEEN\n" +
			"SIG-3  alertmanager  pending  2      disk full  -        SEV3   2026-12-05 01:00\nMore: --cursor c2\n", ""},
		{"empty signal list", []string{"triage", "list", "--state", "dismissed"}, "No signals in state dismissed triage.\n", ""},
		{"detection", []string{"incident", "detection", "7", "--via", "chat_report"}, "INC-7: detected by chat_report at 2026-12-05 01:42:00 UTC.\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := run(tc.args...)
			if tc.errText == "" && err != nil || tc.errText != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.errText)) {
				t.Fatalf("error %v, want %q", err, tc.errText)
			}
			if out != tc.out {
				t.Errorf("output %q, want %q", out, tc.out)
			}
		})
	}
}
