package cli

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestUpdate checks what `incident update` sends and prints, and that it
// refuses an empty update before calling the server.
func TestUpdate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		stdin  string
		text   string
		public bool
		says   string
	}{
		{"text", []string{"update", "7", "--text", "카드 결제 재시도 중 · retrying"}, "", "카드 결제 재시도 중 · retrying", false, "(internal)"},
		{"public from stdin", []string{"update", "INC-7", "--public", "--text", "-"}, "Some card payments fail.\n다음 업데이트 10:30\n",
			"Some card payments fail.\n다음 업데이트 10:30", true, "(public, on the status page)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t)
			api.mux.HandleFunc("POST /api/v1/incidents/{ref}/updates", func(w http.ResponseWriter, r *http.Request) {
				var req struct {
					Text   string
					Public bool
				}
				_ = json.NewDecoder(r.Body).Decode(&req)
				writeJSONAnswer(w, http.StatusCreated, map[string]any{"id": 105, "at": "2026-11-24T01:15:00Z",
					"actor": "alice", "kind": "status_update", "data": map[string]any{"text": req.Text, "public": req.Public}})
			})
			args := append(append([]string{"incident"}, tc.args...), "--server", api.srv.URL, "--token", testToken)
			out, err := runCLI(t, tc.stdin, args...)
			if err != nil {
				t.Fatal(err)
			}
			if want := "Posted a status update " + tc.says + " to INC-7 at 2026-11-24 01:15:00 UTC.\n"; out != want {
				t.Errorf("output %q, want %q", out, want)
			}
			body, _ := json.Marshal(map[string]any{"text": tc.text, "public": tc.public})
			assertJSON(t, api.requests()[0].Body, string(body))
		})
	}
	api := newFakeAPI(t)
	for _, args := range [][]string{{"update", "INC-7"}, {"update", "INC-7", "--text", " "}, {"update", "INC-7", "--text", "-"}} {
		_, err := runCLI(t, "  \n", append(append([]string{"incident"}, args...), "--server", api.srv.URL, "--token", testToken)...)
		if err == nil || !strings.Contains(err.Error(), "--text") {
			t.Errorf("%v: %v", args, err)
		}
	}
	if n := len(api.requests()); n != 0 {
		t.Errorf("refused updates reached the server: %d requests", n)
	}
	if got := describeEvent(eventDoc{Kind: "status_update", Data: map[string]any{"text": "a\nb", "public": true}}); got != "[public] a b" {
		t.Errorf("timeline line %q", got)
	}
}
