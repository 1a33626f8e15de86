package ui_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// TestDemoWarRoom runs the demo's war rooms (Slack answered in process): a
// SEV2 gets its channel, the incident page names it in English and
// Korean, and what the room is told lands in the demo outbox addressed to
// the channel.
func TestDemoWarRoom(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
		if err != nil {
			t.Fatal(err)
		}
		pol, err := policy.ParseConfig("demo.yaml", catalog.DemoYAML, nil)
		if err != nil {
			t.Fatal(err)
		}
		rooms, err := warroom.ParseConfig("demo.yaml", catalog.DemoYAML, nil)
		if err != nil || rooms == nil {
			t.Fatalf("demo war_room section: %v %v", rooms, err)
		}
		run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Policy: pol, DemoOutbox: true, WarRoom: rooms})
		testutil.AddUsers(t, run.Server, password, map[string]auth.Role{"ada": auth.Admin})
		ada := auth.User{Name: "ada", Role: auth.Admin}
		inc, err := run.Server.Incidents.Declare(t.Context(), ada, incident.Declaration{Title: "결제 승인 지연 Payment approvals slow",
			Grade: incident.SEV2, Services: []string{"checkout-api"}})
		if err != nil {
			t.Fatal(err)
		}
		waitForRoom(t, run, inc.ID)
		c := httpSession(t, run.Base, "ada")
		name := "#inc-" + strings.TrimPrefix(inc.Ref(), "INC-") + "-payment-approvals-slow"
		for lang, label := range map[string]string{"en": "Chat channel", "ko": "장애 채널"} {
			if page := getInLang(t, c, run.Base+"/incidents/"+inc.Ref(), lang); !strings.Contains(page, label) || !strings.Contains(page, name) {
				t.Errorf("%s page lacks %q / %q", lang, label, name)
			}
		}
		if _, err := run.Server.Incidents.SetStatus(t.Context(), ada, inc.ID, incident.Identified, ""); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			_, page := get(t, c, run.Base+"/demo/outbox")
			if strings.Contains(page, name) && strings.Contains(page, "Identified · 원인 파악") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the demo outbox never showed the room's news:\n%s", page)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// waitForRoom waits until the incident's war room is made and its summary
// posted.
func waitForRoom(t *testing.T, run *testutil.Running, incidentID int64) {
	t.Helper()
	testutil.WaitFor(t, "the war room", func() bool {
		r, _ := run.Server.DB.WarRooms().Room(context.Background(), incidentID)
		return r != nil && r.SummaryTS != ""
	})
}

// getInLang gets a page in the language lang (en or ko), as the lang
// cookie asks.
func getInLang(t *testing.T, c *http.Client, u, lang string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.AddCookie(&http.Cookie{Name: "lang", Value: lang})
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
