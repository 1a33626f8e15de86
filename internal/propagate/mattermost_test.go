package propagate_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// mattermostHooks is a Mattermost server's incoming webhooks: /hooks/good
// takes JSON with a "text", any other hook is unknown (404, as Mattermost
// answers a deleted hook).
type mattermostHooks struct {
	mu    sync.Mutex
	texts []string
}

func (h *mattermostHooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Text string `json:"text"`
	}
	if r.URL.Path != "/hooks/good" {
		http.Error(w, "Unable to find the webhook.", http.StatusNotFound)
		return
	}
	if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil || body.Text == "" {
		http.Error(w, "Unable to parse the incoming data.", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.texts = append(h.texts, body.Text)
	h.mu.Unlock()
	_, _ = w.Write([]byte("ok"))
}

func (h *mattermostHooks) Texts() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.texts...)
}

// TestMattermostDepartment: a department told by Mattermost gets the chat
// message on its hook; one whose hook is gone is told by e-mail instead.
func TestMattermostDepartment(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		hooks := &mattermostHooks{}
		mm := httptest.NewServer(hooks)
		t.Cleanup(mm.Close)
		mail := testutil.StartMailSink(t)
		yaml := []byte(`
teams:
  - name: pay
services:
  - name: payments
    team: pay
policy:
  departments:
    - name: support
      from_grade: SEV3
      mattermost: ` + mm.URL + `/hooks/good
    - name: pr
      from_grade: SEV3
      email: pr@example.com
      mattermost: ` + mm.URL + `/hooks/deleted
`)
		cat, pol := parseConfig(t, yaml)
		run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Policy: pol,
			Notify: &notify.Config{Email: &notify.EmailConfig{Host: mail.Host, Port: mail.Port, From: "fb@example.com", TLS: "none"}},
			Jobs:   jobs.Config{PollInterval: 100 * time.Millisecond, RetryPolicy: quickRetry{}, MaxAttempts: 5},
		})
		inc, err := run.Server.Incidents.Declare(t.Context(), auth.User{Name: "alice", Role: auth.Responder},
			incident.Declaration{Title: "Card payments fail", Grade: incident.SEV3, Services: []string{"payments"}})
		if err != nil {
			t.Fatal(err)
		}
		// support's hook, pr's e-mail, and pr's hook given up for a second e-mail.
		waitFor(t, "three deliveries", func() bool { return count(t, run.Server, inc.ID, notify.EventDelivered) == 3 })
		if texts := hooks.Texts(); len(texts) != 1 || !strings.Contains(texts[0], "Card payments fail") {
			t.Errorf("Mattermost got %q", texts)
		}
		if n := len(mailTo(mail.Messages(), "pr@example.com")); n != 2 {
			t.Errorf("pr got %d mails, want 2 (its own and the fallback)", n)
		}
		if count(t, run.Server, inc.ID, notify.EventFailed) != 1 {
			t.Error("the deleted hook's failure is not on the timeline")
		}
	})
}
