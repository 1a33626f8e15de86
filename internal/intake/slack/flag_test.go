package slack_test

import (
	"context"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestFlagFromSlack flips a kill switch with `/incident flag` on a running
// Firebreak, signed as Slack signs, on both databases: a payments
// responder's flip lands on the switch (its revision naming the incident)
// and on the timeline; another team's responder, a missing reason, an
// unknown variant and a bad signature are told why and change nothing.
func TestFlagFromSlack(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		run := startDemoSlack(t, dbURL)
		op := auth.User{Name: auth.SystemActor, Role: auth.Admin}
		for name, team := range map[string]string{"jiyoung.kim": "payments", "minho.park": "platform"} {
			if _, err := run.Server.Users.AddUser(ctx, name, "", auth.Viewer); err != nil {
				t.Fatal(err)
			}
			if _, err := run.Server.Users.SetTeamRole(ctx, op, name, team, auth.TeamResponder); err != nil {
				t.Fatal(err)
			}
		}
		inc, err := run.Server.Incidents.Declare(ctx, op, incident.Declaration{
			Title: "결제 시트 오류 Payment sheet crashes", Grade: incident.SEV2, Services: []string{"checkout-api"}})
		if err != nil {
			t.Fatal(err)
		}
		const key = "checkout.new-payment-sheet"
		if _, err := run.Server.Flags.Create(ctx, op, flag.Definition{Key: key, Service: "checkout-api", Type: flag.Boolean}); err != nil {
			t.Fatal(err)
		}
		send := func(user, text string, sig func(ts int64, body string) string) response {
			t.Helper()
			return sendCommand(t, run, user, text, sig)
		}
		good := func(ts int64, body string) string { return sign(secret, ts, body) }
		for _, c := range []struct {
			name, user, text string
			sig              func(int64, string) string
			status           int
			says             string
		}{
			{"no reason", "jiyoung.kim", "flag " + inc.Ref() + " " + key + " off", good, 200, "사유를 입력하세요"},
			{"no switch", "jiyoung.kim", "flag " + inc.Ref(), good, 200, "flag INC-<n> <switch>"},
			{"another team", "minho.park", "flag " + inc.Ref() + " " + key + " off 결제 오류", good, 200, "responder role of its owning team"},
			{"unknown variant", "jiyoung.kim", "flag " + inc.Ref() + " " + key + " sideways because", good, 200, "to: must be"},
			{"unknown switch", "jiyoung.kim", "flag " + inc.Ref() + " nope off because", good, 200, `no switch "nope"`},
			{"bad signature", "jiyoung.kim", "flag " + inc.Ref() + " " + key + " off x", func(ts int64, body string) string { return sign("wrong", ts, body) }, 401, ""},
		} {
			res := send(c.user, c.text, c.sig)
			if res.status != c.status || !strings.Contains(res.Text, c.says) {
				t.Errorf("%s: %d %q", c.name, res.status, res.Text)
			}
		}
		if sw, _ := run.Server.Flags.Store.GetSwitch(ctx, key); sw.Flipped() || sw.Version != 1 {
			t.Fatalf("refused commands changed the switch: %+v", sw)
		}
		if n := len(testutil.EventsOfKind(t, run.Server.DB, inc.ID, flag.EventFlipped)); n != 0 {
			t.Fatalf("refused commands wrote %d timeline events", n)
		}

		res := send("jiyoung.kim", "flag "+strings.ToLower(inc.Ref())+" "+key+" off 결제 시트가 iOS에서 멈춤", good)
		if res.status != 200 || res.Type != "ephemeral" || !strings.Contains(res.Text, "Flipped kill switch `"+key+"` from default to *off* during *"+inc.Ref()+"*") ||
			!strings.Contains(res.Text, "킬 스위치") {
			t.Fatalf("answer: %+v", res)
		}
		sw, revs, err := run.Server.Flags.Get(ctx, op, key)
		if err != nil || sw.State != "off" || revs[0].Incident != inc.Ref() || revs[0].Actor != "jiyoung.kim" || revs[0].Reason != "결제 시트가 iOS에서 멈춤" {
			t.Fatalf("after the flip: %+v %+v %v", sw, revs, err)
		}
		evs := testutil.EventsOfKind(t, run.Server.DB, inc.ID, flag.EventFlipped)
		if len(evs) != 1 || evs[0].Actor != "jiyoung.kim" || evs[0].Data["key"] != key || evs[0].Data["to"] != "off" {
			t.Fatalf("timeline: %+v", evs)
		}
	})
}
