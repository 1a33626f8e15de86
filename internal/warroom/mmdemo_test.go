package warroom_test

import (
	"context"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// TestDemoMattermostRoom: `serve --demo` answers Mattermost in process as
// it does Slack, and puts the messaging team's rooms on Mattermost: a SEV2
// on notification-worker gets a Mattermost room (~name, summary posted and
// pinned), a SEV2 on checkout-api a Slack channel (#name), and the
// Mattermost room's news is delivered through the outbox to the channel.
// On both databases.
func TestDemoMattermostRoom(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
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
		op := auth.User{Name: auth.SystemActor, Role: auth.Admin}
		push, err := run.Server.Incidents.Declare(ctx, op, incident.Declaration{Title: "Push notifications late", Grade: incident.SEV2,
			Services: []string{"notification-worker"}})
		if err != nil {
			t.Fatal(err)
		}
		pay, err := run.Server.Incidents.Declare(ctx, op, incident.Declaration{Title: "Payment approvals slow", Grade: incident.SEV2,
			Services: []string{"checkout-api"}})
		if err != nil {
			t.Fatal(err)
		}
		room := func(id int64) *warroom.Room {
			r, err := run.Server.DB.WarRooms().Room(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		testutil.WaitFor(t, "both rooms", func() bool {
			return len(testutil.EventsOfKind(t, run.Server.DB, push.ID, warroom.EventOpened)) == 1 &&
				len(testutil.EventsOfKind(t, run.Server.DB, pay.ID, warroom.EventOpened)) == 1
		})
		mm, sl := room(push.ID), room(pay.ID)
		if mm.Provider != warroom.Mattermost || mm.Title() != "~inc-1-push-notifications-late" || sl.Provider != warroom.Slack ||
			sl.Title() != "#inc-2-payment-approvals-slow" {
			t.Fatalf("rooms %+v / %+v", mm, sl)
		}
		opened := testutil.EventsOfKind(t, run.Server.DB, push.ID, warroom.EventOpened)
		if len(opened) != 1 || opened[0].Data["title"] != "~inc-1-push-notifications-late" {
			t.Errorf("opened %+v", opened)
		}
		if _, err := run.Server.Incidents.SetStatus(ctx, op, push.ID, incident.Identified, ""); err != nil {
			t.Fatal(err)
		}
		testutil.WaitFor(t, "the news delivered to the Mattermost room", func() bool {
			msgs, err := run.Server.DB.Outbox().IncidentMessages(ctx, push.ID, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				if m.Channel == notify.MattermostRoom && m.To == mm.ChannelID && m.Status == notify.Sent &&
					strings.Contains(m.Text, "Identified · 원인 파악") {
					return true
				}
			}
			return false
		})
	})
}
