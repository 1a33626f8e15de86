package ui_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestDemoTeamsAndLineWorksGoThroughTheirNotifiers: in the demo, a SEV1's
// Microsoft Teams card (pr-room) and LINE WORKS message (leadership-room)
// are delivered by the real notifiers, answered in process (a Workflows run
// ID; a LINE WORKS token got with the demo key's JWT), not by the demo
// outbox's stand-in, and the demo outbox shows both as sent.
func TestDemoTeamsAndLineWorksGoThroughTheirNotifiers(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		s := startDemoSite(t, dbURL)
		inc, err := s.srv.Incidents.Declare(t.Context(), auth.User{Name: "ada", Role: auth.Admin},
			incident.Declaration{Title: "결제 실패 Checkout failing", Grade: incident.SEV1, Services: []string{"checkout-api"}})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		var teams, works *notify.Message
		for teams == nil || works == nil || teams.Status != notify.Sent || works.Status != notify.Sent {
			if time.Now().After(deadline) {
				t.Fatalf("not both delivered: teams %+v, lineworks %+v", teams, works)
			}
			time.Sleep(200 * time.Millisecond)
			msgs, err := s.srv.DB.Outbox().IncidentMessages(t.Context(), inc.ID, 0, 200)
			if err != nil {
				t.Fatal(err)
			}
			for i := range msgs {
				switch m := &msgs[i]; {
				case m.Channel == notify.Teams && m.To == "pr-room":
					teams = m
				case m.Channel == notify.LineWorks && m.To == "leadership-room":
					works = m
				}
				if msgs[i].Status == notify.Failed {
					t.Fatalf("a demo message failed: %+v", msgs[i])
				}
			}
		}
		if !strings.HasPrefix(teams.ExternalID, "demo-teams-run-") {
			t.Errorf("the Teams card was not posted through the Teams notifier: reference %q", teams.ExternalID)
		}
		if strings.HasPrefix(works.ExternalID, "demo-outbox:") || works.Attempts != 1 {
			t.Errorf("the LINE WORKS message was not sent through the LINE WORKS notifier: %+v", works)
		}
		code, page := get(t, httpSession(t, s.base, "ada"), s.base+"/demo/outbox")
		if code != http.StatusOK {
			t.Fatalf("demo outbox: %d", code)
		}
		for _, w := range []string{"pr-room", "leadership-room", "Microsoft Teams", "LINE WORKS", `class="msg-sent"`} {
			if !strings.Contains(page, w) {
				t.Errorf("demo outbox lacks %q", w)
			}
		}
		if strings.Contains(page, "msg-failed") {
			t.Errorf("demo outbox shows a failure:\n%s", page)
		}
	})
}
