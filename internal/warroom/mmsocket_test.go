package warroom_test

import (
	"context"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// TestMattermostReactionCopies: on Mattermost a reaction with the pin emoji
// copies a post to the timeline at once, as on Slack. The bot's WebSocket
// (the bearer token checked by the fake server) hears reaction_added; a
// job reads the post through the REST API and copies it with its author,
// its links and who marked it. Another emoji, a second marking and a
// reaction to the summary copy nothing; edits and deletions of the copy
// follow it through post_edited and post_deleted, with no poll of the
// pinned posts. A socket with a wrong token is refused. On both databases.
func TestMattermostReactionCopies(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := startMattermost(t, dbURL)
		if _, err := w.run.Server.Incidents.Declare(ctx, auth.User{Name: "root", Role: auth.Admin}, incident.Declaration{
			Title: "Checkout slow", Grade: incident.SEV2, Services: []string{"checkout-api"}}); err != nil {
			t.Fatal(err)
		}
		testutil.WaitFor(t, "the war room", func() bool { return len(w.events(t, 1, warroom.EventOpened)) == 1 })
		testutil.WaitFor(t, "the bot's websocket", func() bool { return w.mm.Sockets() == 1 })
		room, _ := w.run.Server.DB.WarRooms().Room(ctx, 1)

		other := w.mm.Say(room.ChannelID, mmCarol, "thanks all")
		w.mm.React(other, mmBob, "thumbsup")
		w.mm.React(room.SummaryTS, mmBob, "pushpin")
		kept := w.mm.Say(room.ChannelID, mmAlice, "롤백 결정 rolling back [deploy 42](https://deploy.example.com/42)")
		w.mm.React(kept, mmBob, "pushpin")
		testutil.WaitFor(t, "the marked post on the timeline", func() bool { return len(w.events(t, 1, warroom.EventChatMessage)) > 0 })
		w.mm.React(kept, mmMinji, "pushpin") // marked twice: still one copy
		copies := w.events(t, 1, warroom.EventChatMessage)
		if len(copies) != 1 {
			t.Fatalf("%d copies, want 1: %+v", len(copies), copies)
		}
		c := copies[0]
		if c.Actor != "alice" || c.Data["ts"] != kept || c.Data["marked_by"] != "bob" || c.Data["provider"] != warroom.Mattermost ||
			!strings.Contains(c.Data["text"].(string), "deploy 42 (https://deploy.example.com/42)") {
			t.Errorf("copy %+v", c)
		}

		w.mm.Edit(kept, "롤백 완료 rollback done")
		testutil.WaitFor(t, "the edit on the timeline", func() bool { return len(w.events(t, 1, warroom.EventChatEdited)) == 1 })
		if ed := w.events(t, 1, warroom.EventChatEdited)[0]; ed.Data["text"] != "롤백 완료 rollback done" {
			t.Errorf("edit %+v", ed.Data)
		}
		w.mm.Edit(other, "not copied, not followed")
		w.mm.Delete(kept)
		testutil.WaitFor(t, "the removal on the timeline", func() bool { return len(w.events(t, 1, warroom.EventChatDeleted)) == 1 })
		if n := len(w.events(t, 1, warroom.EventChatMessage)); n != 1 {
			t.Errorf("%d copies after the edits, want 1", n)
		}
		if n := len(w.events(t, 1, warroom.EventChatEdited)); n != 1 {
			t.Errorf("%d edits, want 1", n)
		}

		// A socket with a wrong token is refused.
		bad := *w.run.Server.WarRooms
		api := *bad.Mattermost
		api.Token = "revoked"
		bad.Mattermost = &api
		lctx, stop := context.WithCancel(ctx)
		defer stop()
		go bad.ListenMattermost(lctx)
		testutil.WaitFor(t, "the refused socket", func() bool { return w.mm.RefusedSockets() >= 1 })
		if n := w.mm.Sockets(); n != 1 {
			t.Errorf("%d sockets open, want the bot's one", n)
		}
	})
}
