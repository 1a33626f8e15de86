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
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// TestMattermostWarRoomPage: the incident page names a Mattermost room as
// such, with the pinning hint, in English and Korean.
func TestMattermostWarRoomPage(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
		if err != nil {
			t.Fatal(err)
		}
		api := testutil.StartMattermostAPI(t, "mm-token", "teamfirebreak0000000000000")
		cfg := warroom.DefaultConfig()
		cfg.Provider = warroom.Mattermost
		cfg.Mattermost = &warroom.MattermostConfig{URL: api.URL, TeamID: "teamfirebreak0000000000000", Token: "mm-token", Users: map[string]string{}}
		run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, WarRoom: cfg})
		testutil.AddUsers(t, run.Server, password, map[string]auth.Role{"ada": auth.Admin})
		inc, err := run.Server.Incidents.Declare(t.Context(), auth.User{Name: "ada", Role: auth.Admin},
			incident.Declaration{Title: "Checkout slow", Grade: incident.SEV2, Services: []string{"checkout-api"}})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			if r, _ := run.Server.DB.WarRooms().Room(context.Background(), inc.ID); r != nil && r.SummaryTS != "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no war room")
			}
			time.Sleep(50 * time.Millisecond)
		}
		c := httpSession(t, run.Base, "ada")
		for lang, hint := range map[string]string{"en": "Pin a message there to copy it", "ko": "채널에서 고정한 메시지는"} {
			req, _ := http.NewRequest("GET", run.Base+"/incidents/"+inc.Ref(), nil)
			req.AddCookie(&http.Cookie{Name: "lang", Value: lang})
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if page := string(b); !strings.Contains(page, "Mattermost ~inc-1-checkout-slow") || !strings.Contains(page, hint) ||
				strings.Contains(page, "slack.com/app_redirect") {
				t.Errorf("%s page lacks the Mattermost room", lang)
			}
		}
	})
}
