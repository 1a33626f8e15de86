package warroom_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// TestMattermostDeclare: `/incident declare <grade> <service> <title>` from
// Mattermost, with the command's token checked, follows Slack's rules:
// whoever may declare on the service (a responder of the owning team, or
// of another) gets an internal incident with them as a member, whatever
// the text says of visibility; a viewer is refused and nothing is stored;
// a wrong token, a bad grade, an unknown service and a control character
// store nothing either. The declared SEV3 gets its Mattermost room. On
// both databases.
func TestMattermostDeclare(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := startMattermost(t, dbURL)
		op := auth.User{Name: auth.SystemActor, Role: auth.Admin}
		for _, p := range []struct {
			name, team string
			role       auth.TeamRole
		}{{"pay-resp", "payments", auth.TeamResponder}, {"plat-resp", "platform", auth.TeamResponder}, {"pay-viewer", "payments", auth.TeamViewer}} {
			if _, err := w.run.Server.Users.AddUser(ctx, p.name, "", auth.Viewer); err != nil {
				t.Fatal(err)
			}
			if _, err := w.run.Server.Users.SetTeamRole(ctx, op, p.name, p.team, p.role); err != nil {
				t.Fatal(err)
			}
		}
		count := func() int {
			items, err := w.run.Server.DB.Incidents().ListIncidents(ctx, incident.Filter{SeeAll: true, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			return len(items)
		}
		const text = "declare sev3 checkout-api restricted please: checkout down"
		if st, out := w.command(t, "forged", "payresp0000000000000000000", "pay-resp", "town", text); st != http.StatusUnauthorized || count() != 0 {
			t.Errorf("wrong token: %d %v, %d incidents", st, out, count())
		}
		for _, c := range []struct{ text, want string }{
			{"declare sev9 checkout-api down", "SEV1-SEV5"},
			{"declare sev3 no-such-service down", `unknown service "no-such-service"`},
			{"declare sev3 checkout-api", "Usage"},
			{"declare sev3 checkout-api down\x07", "Not recorded"},
		} {
			if st, out := w.command(t, mmCommand, "payresp0000000000000000000", "pay-resp", "town", c.text); st != 200 ||
				out["response_type"] != "ephemeral" || !strings.Contains(out["text"], c.want) {
				t.Errorf("%q: %d %v", c.text, st, out)
			}
		}
		if n := count(); n != 0 {
			t.Fatalf("%d incidents after refusals", n)
		}
		for _, c := range []struct {
			user    string
			declare bool
		}{{"pay-resp", true}, {"plat-resp", true}, {"pay-viewer", false}} {
			before := count()
			st, out := w.command(t, mmCommand, "unmapped000000000000000000", c.user, "town", text)
			ref := regexp.MustCompile(`INC-\d+`).FindString(out["text"])
			if !c.declare {
				if st != 200 || out["response_type"] != "ephemeral" || !strings.Contains(out["text"], "Not declared") || count() != before {
					t.Errorf("declare by %s: %d %v (incidents %d → %d)", c.user, st, out, before, count())
				}
				continue
			}
			if st != 200 || out["response_type"] != "in_channel" || !strings.Contains(out["text"], "declared**") || ref == "" {
				t.Fatalf("declare by %s: %d %v", c.user, st, out)
			}
			id, _ := incident.ParseRef(ref)
			inc := w.incident(t, id)
			if inc.Visibility != incident.Internal || !inc.IsMember(c.user) || inc.Grade != incident.SEV3 || inc.Source != "mattermost" ||
				inc.Title != "restricted please: checkout down" {
				t.Errorf("declared by %s: %+v", c.user, inc)
			}
			testutil.WaitFor(t, "the room of "+ref, func() bool { return len(w.events(t, id, warroom.EventOpened)) == 1 })
		}
		if n := len(w.mm.Channels()); n != 2 {
			t.Errorf("%d channels, want 2", n)
		}
	})
}
