package ui_test

import (
	"strings"
	"testing"

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
		waitForRoom(t, run, inc.ID)
		c := httpSession(t, run.Base, "ada")
		for lang, hint := range map[string]string{"en": "Pin a message there to copy it", "ko": "채널에서 고정한 메시지는"} {
			if page := getInLang(t, c, run.Base+"/incidents/"+inc.Ref(), lang); !strings.Contains(page, "Mattermost ~inc-1-checkout-slow") || !strings.Contains(page, hint) ||
				strings.Contains(page, "slack.com/app_redirect") {
				t.Errorf("%s page lacks the Mattermost room", lang)
			}
		}
	})
}
