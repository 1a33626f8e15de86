package cli

import (
	"net/http"
	"strings"
	"testing"
)

// TestPlaybookRun: without --yes the step's request is shown and nothing is
// posted; with --yes the confirmed run is posted; a not-rollbackable refusal
// says which flag runs it anyway.
func TestPlaybookRun(t *testing.T) {
	api := newFakeAPI(t)
	api.mux.HandleFunc("GET /api/v1/incidents/{ref}/playbooks", func(w http.ResponseWriter, r *http.Request) {
		writeJSONAnswer(w, http.StatusOK, map[string]any{"incident": "INC-7", "can_run": true, "services": []any{map[string]any{
			"service": "checkout-api", "playbooks": []any{map[string]any{"kind": "rollback", "steps": []any{
				map[string]any{"number": 1, "text": "read"},
				map[string]any{"number": 2, "action": map[string]any{"service": "checkout-api", "playbook": "rollback", "step": 2,
					"action": "github_workflow", "title": "Rollback workflow", "method": "POST", "url": "https://api.github.com/repos/a/b/actions/workflows/r.yml/dispatches",
					"headers": map[string]string{"Authorization": "Bearer ••••••"}, "body": `{"ref":"main"}`}},
			}}}}}})
	})
	refuse := false
	api.mux.HandleFunc("POST /api/v1/incidents/{ref}/playbooks/runs", func(w http.ResponseWriter, r *http.Request) {
		if refuse {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusConflict)
			_, _ = w.Write([]byte(`{"status":409,"code":"conflict","field":"confirm_not_rollbackable","detail":"confirm_not_rollbackable: the newest deploy of checkout-api is not rollbackable: schema change"}`))
			return
		}
		writeJSONAnswer(w, http.StatusAccepted, map[string]any{"id": 3, "state": "queued", "idempotency_key": "pb-1",
			"request": map[string]any{"method": "POST", "url": "https://api.github.com/x"}})
	})
	flags := []string{"--server", api.srv.URL, "--token", testToken}
	out, err := runCLI(t, "", append([]string{"playbook", "run", "INC-7", "--service", "checkout-api", "--playbook", "rollback", "--step", "2"}, flags...)...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "POST https://api.github.com/repos/a/b/actions/workflows/r.yml/dispatches") || !strings.Contains(out, `{"ref":"main"}`) ||
		!strings.Contains(out, "Nothing was sent") || len(api.requests()) != 1 {
		t.Fatalf("preview: %s (%d requests)", out, len(api.requests()))
	}
	out, err = runCLI(t, "", append([]string{"playbook", "run", "INC-7", "--service", "checkout-api", "--playbook", "rollback", "--step", "2", "--yes"}, flags...)...)
	if err != nil || !strings.Contains(out, "Run 3 queued: POST https://api.github.com/x") {
		t.Fatalf("run: %q %v", out, err)
	}
	assertJSON(t, api.requests()[1].Body, `{"service":"checkout-api","playbook":"rollback","step":2,"confirm":true}`)
	refuse = true
	_, err = runCLI(t, "", append([]string{"playbook", "run", "INC-7", "--service", "checkout-api", "--playbook", "rollback", "--step", "2", "--yes"}, flags...)...)
	if err == nil || !strings.Contains(err.Error(), "schema change") || !strings.Contains(err.Error(), "--confirm-not-rollbackable") {
		t.Fatalf("refused: %v", err)
	}
}
