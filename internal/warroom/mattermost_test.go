package warroom_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

const (
	mmToken   = "mm-bot-token-war-room"
	mmTeam    = "teamfirebreak0000000000000"
	mmCommand = "mm-slash-command-token"
	mmAlice   = "alice000000000000000000000"
	mmBob     = "bob00000000000000000000000"
	mmMinji   = "minji00000000000000000000a"
	mmCarol   = "carol00000000000000000000a"
)

type mmWorld struct {
	run *testutil.Running
	mm  *testutil.MattermostAPI
}

func startMattermost(t *testing.T, dbURL string) *mmWorld {
	t.Helper()
	cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	api := testutil.StartMattermostAPI(t, mmToken, mmTeam)
	for id, name := range map[string]string{mmAlice: "alice.mm", mmBob: "bob.mm", mmMinji: "minji.mm", mmCarol: "carol.mm"} {
		api.AddUser(id, name)
	}
	cfg := warroom.DefaultConfig()
	cfg.BaseURL = "https://firebreak.example.com"
	cfg.ArchiveAfter = 0
	cfg.Provider = warroom.Mattermost
	cfg.Mattermost = &warroom.MattermostConfig{URL: api.URL, TeamID: mmTeam, Token: mmToken, CommandToken: mmCommand,
		Users: map[string]string{"alice": mmAlice, "bob": mmBob, "minji.kim": mmMinji}}
	run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, WarRoom: cfg})
	ctx := context.Background()
	for name, role := range map[string]auth.Role{"alice": auth.Responder, "bob": auth.Responder, "root": auth.Admin} {
		if _, err := run.Server.Users.AddUser(ctx, name, "", role); err != nil {
			t.Fatal(err)
		}
	}
	return &mmWorld{run: run, mm: api}
}

func (w *mmWorld) events(t *testing.T, id int64, kind incident.EventKind) []incident.Event {
	t.Helper()
	return testutil.EventsOfKind(t, w.run.Server.DB, id, kind)
}

func (w *mmWorld) incident(t *testing.T, id int64) *incident.Incident {
	t.Helper()
	inc, err := w.run.Server.DB.Incidents().GetIncident(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func (w *mmWorld) posted(channel, contains string) bool {
	for _, p := range w.mm.Posts(channel) {
		if strings.Contains(p.Message, contains) {
			return true
		}
	}
	return false
}

// command sends a Mattermost slash command request as Mattermost does.
func (w *mmWorld) command(t *testing.T, token, userID, userName, channel, text string) (int, map[string]string) {
	t.Helper()
	form := url.Values{"token": {token}, "team_id": {mmTeam}, "channel_id": {channel}, "user_id": {userID}, "user_name": {userName},
		"command": {"/incident"}, "text": {text}}
	resp, err := http.PostForm(w.run.Base+"/hooks/mattermost/command", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	out := map[string]string{}
	_ = json.Unmarshal(data, &out)
	if out["text"] == "" {
		out["text"] = string(data)
	}
	return resp.StatusCode, out
}

// TestMattermostWarRoom opens a war room on Mattermost through its REST
// API with the bot token: the channel is made once (a retried job, and a
// channel left by a crashed try, still give one), with its header, members
// and a pinned summary kept current; timeline news reaches the channel
// through the outbox; pinned posts, their edits and deletions reach the
// timeline; /incident note works with the command's token and is refused
// without it; the closed incident's channel is archived; and the report's
// pre-filled timeline holds the pinned posts. On both databases.
func TestMattermostWarRoom(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := startMattermost(t, dbURL)
		op := auth.User{Name: "root", Role: auth.Admin}
		if _, err := w.run.Server.Incidents.Declare(ctx, op, incident.Declaration{Title: "결제 지연 Checkout slow", Grade: incident.SEV2,
			Services: []string{"checkout-api"}}); err != nil {
			t.Fatal(err)
		}
		testutil.WaitFor(t, "the war room", func() bool { return len(w.events(t, 1, warroom.EventOpened)) == 1 })
		chans := w.mm.Channels()
		if len(chans) != 1 || chans[0].Name != "inc-1-checkout-slow" || chans[0].Type != "O" || chans[0].DisplayName != "INC-1 결제 지연 Checkout slow" {
			t.Fatalf("channels %+v", chans)
		}
		ch := chans[0]
		if !strings.Contains(ch.Header, "SEV2") || !strings.Contains(ch.Header, "https://firebreak.example.com/incidents/INC-1") ||
			ch.Purpose != "결제 지연 Checkout slow" {
			t.Errorf("header %q, purpose %q", ch.Header, ch.Purpose)
		}
		// minji.kim leads payments, which owns checkout-api: on duty by default.
		if !slices.Contains(ch.Members, mmMinji) {
			t.Errorf("members %v", ch.Members)
		}
		// News may follow at once (the owning team's failed deliveries);
		// the summary is the first post and the one pinned.
		summaries := func() int {
			n := 0
			for _, p := range w.mm.Posts(ch.ID) {
				if strings.HasPrefix(p.Message, "#### [INC-1]") {
					n++
				}
			}
			return n
		}
		posts := w.mm.Posts(ch.ID)
		if len(posts) == 0 || summaries() != 1 || !posts[0].Pinned || !strings.Contains(posts[0].Message, "[INC-1](https://firebreak.example.com/incidents/INC-1) SEV2") {
			t.Fatalf("posts %+v", posts)
		}
		if ev := w.events(t, 1, warroom.EventOpened)[0]; ev.Data["title"] != "~inc-1-checkout-slow" || ev.Data["provider"] != warroom.Mattermost {
			t.Errorf("opened %+v", ev.Data)
		}
		room, err := w.run.Server.DB.WarRooms().Room(ctx, 1)
		if err != nil || room == nil || room.Provider != warroom.Mattermost || room.ChannelID != ch.ID || room.SummaryTS != posts[0].ID {
			t.Fatalf("room %+v, %v", room, err)
		}

		// A retried job finds the stored channel: still one, one summary.
		if err := w.run.Server.WarRooms.Open(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if n := w.mm.Count("POST /channels"); n != 1 {
			t.Errorf("%d channels created after a retry, want 1", n)
		}
		if n := summaries(); n != 1 {
			t.Errorf("%d summaries after a retry, want 1", n)
		}
		// A try that made the channel and died before storing its id: the
		// next gets "already exists" and looks the channel up by name.
		left := w.mm.AddChannel("inc-2-ledger", false)
		if _, err := w.run.Server.Incidents.Declare(ctx, op, incident.Declaration{Title: "원장 불일치", Grade: incident.SEV1,
			Services: []string{"ledger"}}); err != nil {
			t.Fatal(err)
		}
		testutil.WaitFor(t, "the second room", func() bool { return len(w.events(t, 2, warroom.EventOpened)) == 1 })
		if r2, _ := w.run.Server.DB.WarRooms().Room(ctx, 2); r2 == nil || r2.ChannelID != left.ID || len(w.mm.Channels()) != 2 ||
			w.mm.Count("GET /teams/channels/name") != 1 {
			t.Errorf("room 2 %+v; channels %+v", r2, w.mm.Channels())
		}

		// Timeline → chat: the news reaches the channel through the outbox,
		// the header and the summary follow, the new resolver is added.
		if _, err := w.run.Server.Incidents.Assign(ctx, op, 1, incident.Resolver, "alice"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.run.Server.Incidents.SetStatus(ctx, op, 1, incident.Identified, "pool exhausted"); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if t.Failed() {
				msgs, _ := w.run.Server.DB.Outbox().IncidentMessages(ctx, 1, 0, 100)
				for _, m := range msgs {
					t.Logf("outbox: %s %s %s %q %s", m.Channel, m.To, m.Status, m.LastError, m.Text)
				}
				for _, p := range w.mm.Posts(ch.ID) {
					t.Logf("post: %q", p.Message)
				}
			}
		}()
		for _, want := range []string{"Investigating · 조사 중 → Identified · 원인 파악", "alice: Resolver · 해결 담당"} {
			testutil.WaitFor(t, "the channel to hear "+want, func() bool { return w.posted(ch.ID, want) })
		}
		testutil.WaitFor(t, "the header, summary and members to follow", func() bool {
			c := w.mm.Channels()[0]
			summary := w.mm.Posts(ch.ID)[0]
			return strings.Contains(c.Header, "Identified") && strings.Contains(summary.Message, "| alice |") && slices.Contains(c.Members, mmAlice)
		})
		for _, p := range w.mm.Posts(ch.ID)[1:] {
			if strings.Contains(p.Message, "&gt;") || !strings.Contains(p.Message, "**") {
				t.Errorf("news not in Mattermost's Markdown: %q", p.Message)
			}
		}

		// Chat → timeline: pinned posts, read by the sweep.
		kept := w.mm.Say(ch.ID, mmAlice, "롤백 시작 rolling back [deploy 42](https://deploy.example.com/42)",
			map[string]string{"id": "file00000000000000000000aa", "name": "graph.png"})
		w.mm.Pin(kept)
		w.mm.Say(ch.ID, mmCarol, "not for the record")
		gone := w.mm.Say(ch.ID, mmCarol, "DB 커넥션 풀 포화 connection pool saturated")
		w.mm.Pin(gone)
		sweep := func() {
			t.Helper()
			if err := w.run.Server.WarRooms.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
		}
		sweep()
		sweep() // a second read copies nothing more
		copies := w.events(t, 1, warroom.EventChatMessage)
		if len(copies) != 2 {
			t.Fatalf("%d copies, want 2: %+v", len(copies), copies)
		}
		first := copies[0]
		text, _ := first.Data["text"].(string)
		if first.Actor != "alice" || first.Data["ts"] != kept || !strings.Contains(text, "deploy 42 (https://deploy.example.com/42)") ||
			!strings.Contains(text, w.mm.URL+"/api/v4/files/file00000000000000000000aa") {
			t.Errorf("copied %+v", first)
		}
		if copies[1].Actor != "carol.mm" {
			t.Errorf("an unmapped author is named by their username: %q", copies[1].Actor)
		}
		// Edits and deletions follow; an unpinned post stays as it was.
		w.mm.Edit(kept, "롤백 완료 rollback done")
		w.mm.Delete(gone)
		sweep()
		sweep()
		if ed := w.events(t, 1, warroom.EventChatEdited); len(ed) != 1 || !strings.HasPrefix(ed[0].Data["text"].(string), "롤백 완료 rollback done\n📎 graph.png") {
			t.Errorf("edits %+v", ed)
		}
		if del := w.events(t, 1, warroom.EventChatDeleted); len(del) != 1 || del[0].Data["ts"] != gone {
			t.Errorf("removals %+v", del)
		}
		w.mm.Unpin(kept)
		sweep()
		if n := len(w.events(t, 1, warroom.EventChatDeleted)); n != 1 {
			t.Errorf("an unpinned post was taken for a deleted one")
		}

		// /incident note with the command's token, and without it.
		if st, out := w.command(t, "not-the-token", mmBob, "bob.mm", ch.ID, "note forged"); st != http.StatusUnauthorized {
			t.Errorf("a wrong token: %d %v", st, out)
		}
		st, out := w.command(t, mmCommand, mmBob, "bob.mm", ch.ID, "note 고객센터 공지 게시 posted a notice for support")
		if st != 200 || out["response_type"] != "in_channel" || !strings.Contains(out["text"], "Note on INC-1") {
			t.Fatalf("note: %d %v", st, out)
		}
		if st, out := w.command(t, mmCommand, mmCarol, "carol.mm", ch.ID, "note who am I"); st != 200 || out["response_type"] != "ephemeral" ||
			!strings.Contains(out["text"], "not a Firebreak user") {
			t.Errorf("an unknown user: %d %v", st, out)
		}
		if notes := w.events(t, 1, incident.EventNote); len(notes) != 1 || notes[0].Actor != "bob" {
			t.Errorf("notes %+v", notes)
		}

		// Close and archive.
		if _, err := w.run.Server.Incidents.SetStatus(ctx, op, 1, incident.Resolved, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.run.Server.Incidents.SetStatus(ctx, op, 1, incident.Closed, ""); err != nil {
			if _, err := w.run.Server.Incidents.CloseOverride(ctx, op, 1, "test"); err != nil {
				t.Fatal(err)
			}
		}
		sweep()
		if c := w.mm.Channels()[0]; !c.Deleted {
			t.Errorf("the closed incident's channel is not archived")
		}
		if n := len(w.events(t, 1, warroom.EventArchived)); n != 1 {
			t.Errorf("%d archive events", n)
		}

		// The report's pre-filled timeline holds the pinned posts.
		r, err := w.run.Server.Reports.Start(ctx, op, 1, report.StartOptions{Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if tl := r.Sections[report.KeyTimeline]; !strings.Contains(tl, "deploy 42") || !strings.Contains(tl, "connection pool saturated") ||
			!strings.Contains(tl, "고객센터 공지") {
			t.Errorf("report timeline:\n%s", tl)
		}
		_ = w.incident
	})
}

// TestMattermostRestrictedRoomIsPrivate: a restricted incident's channel is
// private ("P") with its members only; Mattermost's rate limit on the first
// try is waited out, and the channel is still made once.
func TestMattermostRestrictedRoomIsPrivate(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := startMattermost(t, dbURL)
		w.mm.Refuse(testutil.MattermostRefusal{Call: "POST /channels", Status: http.StatusTooManyRequests, ID: "api.context.rate_limited", RetryAfter: 1})
		inc, err := w.run.Server.Incidents.Declare(ctx, auth.User{Name: "root", Role: auth.Admin}, incident.Declaration{
			Title: "계정 탈취 의심 Suspicious logins", Grade: incident.SEV2, Services: []string{"auth"}, Visibility: incident.Restricted,
			Members: []string{"alice"}, Roles: map[incident.Role]string{incident.Resolver: "alice"}})
		if err != nil {
			t.Fatal(err)
		}
		testutil.WaitFor(t, "the room", func() bool { return len(w.events(t, inc.ID, warroom.EventOpened)) == 1 })
		chans := w.mm.Channels()
		if len(chans) != 1 || chans[0].Type != "P" || chans[0].Name != "inc-1-suspicious-logins" {
			t.Fatalf("channels %+v", chans)
		}
		if got := strings.Join(chans[0].Members, ","); got != mmAlice {
			t.Errorf("members %s, want alice only", got)
		}
		if n := w.mm.Count("POST /channels"); n != 1 {
			t.Errorf("%d creates", n)
		}
	})
}

// TestMattermostBadToken: a bot token Mattermost refuses ends the job, and
// the timeline says there is no room.
func TestMattermostBadToken(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		w := startMattermost(t, dbURL)
		w.run.Server.WarRooms.Mattermost.Token = "revoked"
		inc, err := w.run.Server.Incidents.Declare(context.Background(), auth.User{Name: "root", Role: auth.Admin},
			incident.Declaration{Title: "Checkout down", Grade: incident.SEV1, Services: []string{"checkout-api"}})
		if err != nil {
			t.Fatal(err)
		}
		testutil.WaitFor(t, "the failure on the timeline", func() bool { return len(w.events(t, inc.ID, warroom.EventFailed)) == 1 })
		if ev := w.events(t, inc.ID, warroom.EventFailed)[0]; !strings.Contains(ev.Data["reason"].(string), "401") {
			t.Errorf("reason %v", ev.Data)
		}
		if len(w.mm.Channels()) != 0 {
			t.Errorf("channels %+v", w.mm.Channels())
		}
	})
}

// press posts an interactive message action request as the Mattermost
// server does when someone presses a summary's button: the context it
// kept for the action, with the person and the chosen option.
func (w *mmWorld) press(t *testing.T, postID, actionID, userID, userName, selected string, edit func(map[string]any)) (int, map[string]any) {
	t.Helper()
	u, c, ok := w.mm.Action(postID, actionID)
	if !ok {
		t.Fatalf("the summary has no action %s", actionID)
	}
	if u != "https://firebreak.example.com"+warroom.MattermostActionsPath {
		t.Errorf("integration URL %s", u)
	}
	ctxCopy := map[string]any{}
	for k, v := range c {
		ctxCopy[k] = v
	}
	if selected != "" {
		ctxCopy["selected_option"] = selected
	}
	if edit != nil {
		edit(ctxCopy)
	}
	body, _ := json.Marshal(map[string]any{"user_id": userID, "user_name": userName, "channel_id": "c", "post_id": postID,
		"team_id": mmTeam, "trigger_id": w.mm.Trigger(userID), "context": ctxCopy})
	resp, err := http.Post(w.run.Base+warroom.MattermostActionsPath, "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestMattermostButtons works an incident through the Mattermost summary's
// buttons and menus: each press carries the context Firebreak signed, acts
// as the mapped Firebreak user, and a forged or altered context is
// refused. On both databases.
func TestMattermostButtons(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := startMattermost(t, dbURL)
		if _, err := w.run.Server.Incidents.Declare(ctx, auth.User{Name: "root", Role: auth.Admin}, incident.Declaration{
			Title: "Checkout slow", Grade: incident.SEV2, Services: []string{"checkout-api"}}); err != nil {
			t.Fatal(err)
		}
		testutil.WaitFor(t, "the war room", func() bool { return len(w.events(t, 1, warroom.EventOpened)) == 1 })
		room, _ := w.run.Server.DB.WarRooms().Room(ctx, 1)
		summary := room.SummaryTS

		if st, out := w.press(t, summary, "fback", mmAlice, "alice.mm", "", func(c map[string]any) { c["sig"] = "00" + c["sig"].(string)[2:] }); st != 401 {
			t.Errorf("forged signature: %d %v", st, out)
		}
		if st, out := w.press(t, summary, "fback", mmAlice, "alice.mm", "", func(c map[string]any) { c["incident"] = "2" }); st != 401 {
			t.Errorf("altered incident: %d %v", st, out)
		}
		if st, out := w.press(t, summary, "fback", mmCarol, "carol.mm", "", nil); st != 200 ||
			!strings.Contains(fmt.Sprint(out["ephemeral_text"]), "not a Firebreak user") {
			t.Errorf("unknown user: %d %v", st, out)
		}
		if w.incident(t, 1).Roles[incident.Resolver] != "" {
			t.Fatal("a refused press changed the incident")
		}
		if st, out := w.press(t, summary, "fback", mmAlice, "alice.mm", "", nil); st != 200 || out["ephemeral_text"] != nil {
			t.Fatalf("ack: %d %v", st, out)
		}
		if got := w.incident(t, 1).Roles[incident.Resolver]; got != "alice" {
			t.Errorf("resolver %q", got)
		}
		if st, out := w.press(t, summary, "fbstatus", mmAlice, "alice.mm", "identified", nil); st != 200 || out["ephemeral_text"] != nil {
			t.Fatalf("status: %d %v", st, out)
		}
		if st, out := w.press(t, summary, "fbrole", mmBob, "bob.mm", "communicator", nil); st != 200 || out["ephemeral_text"] != nil {
			t.Fatalf("role: %d %v", st, out)
		}
		if st, out := w.press(t, summary, "fbgrade", mmAlice, "alice.mm", "SEV1", nil); st != 200 || out["ephemeral_text"] != nil {
			t.Fatalf("grade: %d %v", st, out)
		}
		inc := w.incident(t, 1)
		if inc.Status != incident.Identified || inc.Roles[incident.Communicator] != "bob" || inc.Grade != incident.SEV1 {
			t.Errorf("incident %+v", inc)
		}
		// A transition the web refuses is refused here, privately.
		if st, out := w.press(t, summary, "fbstatus", mmAlice, "alice.mm", "bogus", nil); st != 200 ||
			!strings.Contains(fmt.Sprint(out["ephemeral_text"]), "Not done on INC-1") {
			t.Errorf("bad status: %d %v", st, out)
		}
		// The summary follows: acknowledged, so its button is gone.
		testutil.WaitFor(t, "the summary to drop Acknowledge", func() bool {
			_, _, ok := w.mm.Action(summary, "fback")
			return !ok && strings.Contains(w.mm.Posts(room.ChannelID)[0].Message, "| SEV1 | alice | bob |")
		})
	})
}
