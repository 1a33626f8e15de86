package slack_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// TestUpdateFromSlack posts status updates with `/incident update` to a
// running Firebreak, signed as Slack signs, on both databases: the update
// lands on the timeline as the Firebreak user of the same name; bad input
// and unknown or unauthorised people are told why and change nothing.
func TestUpdateFromSlack(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		run := startDemoSlack(t, dbURL)
		for name, role := range map[string]auth.Role{"jiyoung.kim": auth.Responder, "viewer.lee": auth.Viewer} {
			if _, err := run.Server.Users.AddUser(ctx, name, "", role); err != nil {
				t.Fatal(err)
			}
		}
		jiyoung := auth.User{Name: "jiyoung.kim", Role: auth.Responder}
		// Declaring a public incident needs an owning team's manager or an
		// admin; jiyoung declares it with the admin role, and stays a member.
		asAdmin := auth.User{Name: jiyoung.Name, Role: auth.Admin}
		inc, err := run.Server.Incidents.Declare(ctx, asAdmin, incident.Declaration{
			Title: "결제 실패 Checkout failing", Grade: incident.SEV2, Services: []string{"checkout-api"}, Visibility: incident.Public})
		if err != nil {
			t.Fatal(err)
		}
		internal, err := run.Server.Incidents.Declare(ctx, jiyoung, incident.Declaration{Title: "ledger lag", Grade: incident.SEV3})
		if err != nil {
			t.Fatal(err)
		}
		send := func(user, text string, sig func(ts int64, body string) string) response {
			t.Helper()
			return sendCommand(t, run, user, text, sig)
		}
		good := func(ts int64, body string) string { return sign(secret, ts, body) }
		updates := func(id int64) []incident.Event {
			return testutil.EventsOfKind(t, run.Server.DB, id, incident.EventStatusUpdate)
		}

		res := send("jiyoung.kim", "update "+inc.Ref()+" --public 카드 결제 일부 실패, 원인 파악 중. Some card payments fail; investigating.", good)
		if res.status != 200 || res.Type != "ephemeral" || !strings.Contains(res.Text, "Posted a status update to *"+inc.Ref()+"*") ||
			!strings.Contains(res.Text, "public status page") {
			t.Fatalf("answer: %+v", res)
		}
		res = send("jiyoung.kim", "update "+strings.ToLower(inc.Ref())+" DB failover in progress", good)
		if res.status != 200 || !strings.Contains(res.Text, "internal") {
			t.Fatalf("internal update: %+v", res)
		}
		got := updates(inc.ID)
		if len(got) != 2 || got[0].Actor != "jiyoung.kim" || got[0].Data["text"] != "카드 결제 일부 실패, 원인 파악 중. Some card payments fail; investigating." ||
			got[0].Data["public"] != true || got[1].Data["text"] != "DB failover in progress" || got[1].Data["public"] != false {
			t.Fatalf("timeline updates: %+v", got)
		}

		for _, c := range []struct {
			name, user, text string
			sig              func(int64, string) string
			status           int
			says             string
		}{
			{"no text", "jiyoung.kim", "update " + inc.Ref(), good, 200, "update INC-<n> [--public] <update>"},
			{"no incident", "jiyoung.kim", "update lag is back", good, 200, "Usage"},
			{"public on an internal incident", "jiyoung.kim", "update " + internal.Ref() + " --public hello", good, 200, "public: " + internal.Ref() + " is internal"},
			{"unknown incident", "jiyoung.kim", "update INC-999 hello", good, 200, "INC-999 not found"},
			{"too long", "jiyoung.kim", "update " + inc.Ref() + " " + strings.Repeat("가", 3001), good, 200, "text: is longer than 3000"},
			{"not a Firebreak user", "mallory", "update " + inc.Ref() + " all good", good, 200, `"mallory" is not a Firebreak user`},
			{"viewer", "viewer.lee", "update " + inc.Ref() + " all good", good, 200, "responder role"},
			{"bad signature", "jiyoung.kim", "update " + inc.Ref() + " all good", func(ts int64, body string) string { return sign("wrong", ts, body) }, 401, ""},
		} {
			res := send(c.user, c.text, c.sig)
			if res.status != c.status || !strings.Contains(res.Text, c.says) {
				t.Errorf("%s: %d %q", c.name, res.status, res.Text)
			}
		}
		if n := len(updates(inc.ID)) + len(updates(internal.ID)); n != 2 {
			t.Fatalf("refused commands stored updates: %d in all", n)
		}
	})
}
