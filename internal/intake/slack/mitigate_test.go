package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestMitigateFromSlack: `/incident mitigate INC-n [time]` records when the
// impact stopped as the Firebreak user of the Slack name; a time before the
// start or in the future, a bad time and a viewer are told why and change
// nothing.
func TestMitigateFromSlack(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		run := startDemoSlack(t, dbURL)
		for name, role := range map[string]auth.Role{"jiyoung.kim": auth.Responder, "viewer.lee": auth.Viewer} {
			if _, err := run.Server.Users.AddUser(ctx, name, "", role); err != nil {
				t.Fatal(err)
			}
		}
		started := time.Now().Add(-time.Hour).Truncate(time.Second)
		inc, err := run.Server.Incidents.Declare(ctx, auth.User{Name: "jiyoung.kim", Role: auth.Responder}, incident.Declaration{
			Title: "결제 실패", Grade: incident.SEV2, Services: []string{"checkout-api"}, Visibility: incident.Internal, StartedAt: &started})
		if err != nil {
			t.Fatal(err)
		}
		send := func(user, text string) response {
			t.Helper()
			return sendCommand(t, run, user, text, signedBySecret)
		}
		for _, c := range []struct{ name, user, text, says string }{
			{"no incident", "jiyoung.kim", "mitigate", "Usage"},
			{"bad time", "jiyoung.kim", "mitigate " + inc.Ref() + " yesterday", "mitigated_at: must be an RFC 3339 time"},
			{"before the start", "jiyoung.kim", "mitigate " + inc.Ref() + " " + started.Add(-time.Minute).Format(time.RFC3339), "mitigated_at: is before the incident started"},
			{"future", "jiyoung.kim", "mitigate " + inc.Ref() + " " + time.Now().Add(time.Hour).Format(time.RFC3339), "mitigated_at: is in the future"},
			{"viewer", "viewer.lee", "mitigate " + inc.Ref(), "responder"},
		} {
			if res := send(c.user, c.text); res.status != 200 || !strings.Contains(res.Text, c.says) {
				t.Errorf("%s: %d %q", c.name, res.status, res.Text)
			}
		}
		if got, _ := run.Server.DB.Incidents().GetIncident(ctx, inc.ID); got.MitigatedAt != nil {
			t.Fatalf("refused commands set mitigated_at %v", got.MitigatedAt)
		}
		at := started.Add(20 * time.Minute)
		res := send("jiyoung.kim", "mitigate "+inc.Ref()+" "+at.In(time.FixedZone("KST", 9*3600)).Format(time.RFC3339))
		if res.status != 200 || !strings.Contains(res.Text, "Recorded that the impact of *"+inc.Ref()+"* stopped") {
			t.Fatalf("answer: %+v", res)
		}
		got, _ := run.Server.DB.Incidents().GetIncident(ctx, inc.ID)
		if got.MitigatedAt == nil || !got.MitigatedAt.Equal(at) {
			t.Fatalf("mitigated_at = %v, want %v", got.MitigatedAt, at)
		}
		evs := testutil.EventsOfKind(t, run.Server.DB, inc.ID, incident.EventMitigated)
		if len(evs) != 1 || evs[0].Actor != "jiyoung.kim" {
			t.Fatalf("mitigated events: %+v", evs)
		}
	})
}
