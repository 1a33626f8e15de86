package warroom_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

const mmVera = "vera000000000000000000000a"

// submit posts a dialog's submission as the Mattermost server does once
// the person presses the dialog's submit button.
func (w *mmWorld) submit(t *testing.T, d testutil.MattermostDialog, userID string, fields map[string]any, edit func(map[string]any)) (int, map[string]any) {
	t.Helper()
	body := map[string]any{"type": "dialog_submission", "callback_id": d.Dialog["callback_id"], "state": d.Dialog["state"],
		"user_id": userID, "channel_id": "c", "team_id": mmTeam, "submission": fields, "cancelled": false}
	if edit != nil {
		edit(body)
	}
	data, _ := json.Marshal(body)
	resp, err := http.Post(d.URL, "application/json", strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestMattermostUpdateDialog: the summary's "Post update" button, and
// `/incident update` typed in the room, open Mattermost's interactive
// dialog with the trigger id (the fake checks it, once, and the dialog's
// limits); its submission posts the status update, and changes the status
// when one is chosen, as the person it was opened for, under the web's
// rules. A state altered or submitted by someone else is refused (401);
// an empty text, a status the web refuses and a viewer's update keep the
// form open with the reason and change nothing. On both databases.
func TestMattermostUpdateDialog(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := startMattermost(t, dbURL)
		w.mm.AddUser(mmVera, "vera")
		if _, err := w.run.Server.Users.AddUser(ctx, "vera", "", auth.Viewer); err != nil {
			t.Fatal(err)
		}
		if _, err := w.run.Server.Incidents.Declare(ctx, auth.User{Name: "root", Role: auth.Admin}, incident.Declaration{
			Title: "Checkout slow", Grade: incident.SEV2, Services: []string{"checkout-api"}}); err != nil {
			t.Fatal(err)
		}
		testutil.WaitFor(t, "the war room", func() bool { return len(w.events(t, 1, warroom.EventOpened)) == 1 })
		room, _ := w.run.Server.DB.WarRooms().Room(ctx, 1)

		if st, out := w.press(t, room.SummaryTS, "fbupdate", mmAlice, "alice.mm", "", nil); st != 200 || out["ephemeral_text"] != nil {
			t.Fatalf("press: %d %v", st, out)
		}
		dialogs := w.mm.Dialogs()
		if len(dialogs) != 1 {
			t.Fatalf("dialogs %+v", dialogs)
		}
		d := dialogs[0]
		if d.URL != "https://firebreak.example.com"+warroom.MattermostDialogPath || d.UserID != mmAlice || d.Dialog["callback_id"] != "fbupdate" {
			t.Errorf("dialog %+v", d)
		}
		// The test's Firebreak listens elsewhere than the configured base URL.
		d.URL = w.run.Base + warroom.MattermostDialogPath

		if st, out := w.submit(t, d, mmBob, map[string]any{"text": "forged"}, nil); st != http.StatusUnauthorized {
			t.Errorf("another user's submission: %d %v", st, out)
		}
		if st, out := w.submit(t, d, mmAlice, map[string]any{"text": "forged"}, func(b map[string]any) {
			b["state"] = "2" + strings.TrimPrefix(b["state"].(string), "1")
		}); st != http.StatusUnauthorized {
			t.Errorf("altered state: %d %v", st, out)
		}
		fieldErr := func(out map[string]any, field string) string {
			errs, _ := out["errors"].(map[string]any)
			s, _ := errs[field].(string)
			return s
		}
		if st, out := w.submit(t, d, mmAlice, map[string]any{"text": "  "}, nil); st != 200 || !strings.Contains(fieldErr(out, "text"), "Write the update") {
			t.Errorf("empty: %d %v", st, out)
		}
		if st, out := w.submit(t, d, mmAlice, map[string]any{"text": "x", "status": "bogus"}, nil); st != 200 || !strings.Contains(fieldErr(out, "status"), "Not changed") {
			t.Errorf("bad status: %d %v", st, out)
		}
		if n := len(w.events(t, 1, incident.EventStatusUpdate)); n != 0 {
			t.Fatalf("%d updates after refusals", n)
		}
		if st, out := w.submit(t, d, mmAlice, map[string]any{"text": "우회 경로 적용 failover done", "status": "monitoring"}, nil); st != 200 || len(out) != 0 {
			t.Fatalf("submit: %d %v", st, out)
		}
		ups := w.events(t, 1, incident.EventStatusUpdate)
		if len(ups) != 1 || ups[0].Actor != "alice" || ups[0].Data["text"] != "우회 경로 적용 failover done" {
			t.Errorf("updates %+v", ups)
		}
		if inc := w.incident(t, 1); inc.Status != incident.Monitoring {
			t.Errorf("status %s", inc.Status)
		}
		if st, out := w.submit(t, d, mmAlice, nil, func(b map[string]any) { b["cancelled"] = true }); st != 200 || len(out) != 0 {
			t.Errorf("cancel: %d %v", st, out)
		}

		// A viewer may open the form but not post: the web's rule, in the form.
		if st, out := w.press(t, room.SummaryTS, "fbupdate", mmVera, "vera", "", nil); st != 200 || out["ephemeral_text"] != nil {
			t.Fatalf("viewer press: %d %v", st, out)
		}
		dv := w.mm.Dialogs()[1]
		dv.URL = w.run.Base + warroom.MattermostDialogPath
		if st, out := w.submit(t, dv, mmVera, map[string]any{"text": "viewer news"}, nil); st != 200 || !strings.Contains(fieldErr(out, "text"), "Not posted") {
			t.Errorf("viewer: %d %v", st, out)
		}
		if n := len(w.events(t, 1, incident.EventStatusUpdate)); n != 1 {
			t.Errorf("%d updates after the viewer's", n)
		}

		// /incident update in the room opens the same form; with text it posts.
		command := func(text string) (int, map[string]string) {
			form := url.Values{"token": {mmCommand}, "team_id": {mmTeam}, "channel_id": {room.ChannelID}, "user_id": {mmBob},
				"user_name": {"bob.mm"}, "command": {"/incident"}, "text": {text}, "trigger_id": {w.mm.Trigger(mmBob)}}
			resp, err := http.PostForm(w.run.Base+"/hooks/mattermost/command", form)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			out := map[string]string{}
			_ = json.NewDecoder(resp.Body).Decode(&out)
			return resp.StatusCode, out
		}
		if st, out := command("update"); st != 200 || len(w.mm.Dialogs()) != 3 || w.mm.Dialogs()[2].UserID != mmBob {
			t.Errorf("/incident update: %d %v, dialogs %d", st, out, len(w.mm.Dialogs()))
		}
		if st, out := command("update INC-1 고객 공지 완료 customers told"); st != 200 || !strings.Contains(out["text"], "Posted a status update to **INC-1**") {
			t.Errorf("/incident update with text: %d %v", st, out)
		}
		if ups := w.events(t, 1, incident.EventStatusUpdate); len(ups) != 2 || ups[1].Actor != "bob" {
			t.Errorf("updates %+v", ups)
		}
	})
}
