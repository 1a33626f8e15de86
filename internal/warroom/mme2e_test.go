package warroom_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// TestMattermostEndToEnd works an incident from Mattermost alone: declared
// with /incident declare, acknowledged and staffed through the summary's
// buttons, a message marked with the pin emoji, an update and a status
// change through the update dialog, resolved from the status menu; then
// closed, the room archived, and the report's pre-filled timeline holds
// the marked message and the update. On both databases.
func TestMattermostEndToEnd(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := startMattermost(t, dbURL)
		st, out := w.command(t, mmCommand, mmAlice, "alice.mm", "townsquare00000000000000aa", "declare sev2 checkout-api 결제 지연 Checkout slow")
		ref := regexp.MustCompile(`INC-\d+`).FindString(out["text"])
		if st != 200 || out["response_type"] != "in_channel" || ref == "" {
			t.Fatalf("declare: %d %v", st, out)
		}
		id, _ := incident.ParseRef(ref)
		testutil.WaitFor(t, "the war room", func() bool { return len(w.events(t, id, warroom.EventOpened)) == 1 })
		testutil.WaitFor(t, "the bot's websocket", func() bool { return w.mm.Sockets() == 1 })
		room, _ := w.run.Server.DB.WarRooms().Room(ctx, id)
		press := func(action, user, name, option string) {
			t.Helper()
			if st, out := w.press(t, room.SummaryTS, action, user, name, option, nil); st != 200 || out["ephemeral_text"] != nil {
				t.Fatalf("%s by %s: %d %v", action, name, st, out)
			}
		}
		press("fback", mmAlice, "alice.mm", "")
		press("fbrole", mmBob, "bob.mm", "communicator")

		said := w.mm.Say(room.ChannelID, mmAlice, "DB 커넥션 풀 포화 — connection pool saturated")
		w.mm.React(said, mmBob, "pushpin")
		testutil.WaitFor(t, "the marked message on the timeline", func() bool { return len(w.events(t, id, warroom.EventChatMessage)) == 1 })

		press("fbupdate", mmBob, "bob.mm", "")
		d := w.mm.Dialogs()[0]
		d.URL = w.run.Base + warroom.MattermostDialogPath
		if st, out := w.submit(t, d, mmBob, map[string]any{"text": "풀 크기 상향 pool size raised", "status": "identified"}, nil); st != 200 || len(out) != 0 {
			t.Fatalf("update form: %d %v", st, out)
		}
		press("fbstatus", mmAlice, "alice.mm", "monitoring")
		press("fbstatus", mmAlice, "alice.mm", "resolved")
		inc := w.incident(t, id)
		if inc.Status != incident.Resolved || inc.Roles[incident.Resolver] != "alice" || inc.Roles[incident.Communicator] != "bob" {
			t.Fatalf("incident %+v", inc)
		}
		testutil.WaitFor(t, "the channel to hear of it", func() bool { return w.posted(room.ChannelID, "Monitoring · 모니터링 → Resolved · 해결") })

		op := auth.User{Name: "root", Role: auth.Admin}
		if _, err := w.run.Server.Incidents.SetStatus(ctx, op, id, incident.Closed, ""); err != nil {
			if _, err := w.run.Server.Incidents.CloseOverride(ctx, op, id, "test"); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.run.Server.WarRooms.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(w.events(t, id, warroom.EventArchived)); n != 1 {
			t.Errorf("%d archive events", n)
		}
		r, err := w.run.Server.Reports.Start(ctx, op, id, report.StartOptions{Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if tl := r.Sections[report.KeyTimeline]; !strings.Contains(tl, "connection pool saturated") || !strings.Contains(tl, "pool size raised") {
			t.Errorf("report timeline:\n%s", tl)
		}
	})
}
