package warroom_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

const (
	secret = "war-room-signing-secret"
	token  = "xoxb-war-room"
)

type world struct {
	run   *testutil.Running
	slack *testutil.SlackAPI
	send  testutil.SlackSender
}

func start(t *testing.T, dbURL string) *world {
	t.Helper()
	cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	api := testutil.StartSlackAPI(t, token)
	in := intake.DefaultConfig()
	in.Slack.SigningSecret = secret
	cfg := warroom.DefaultConfig()
	cfg.BaseURL = "https://firebreak.example.com"
	cfg.SlackUsers = map[string]string{"alice": "UALICE", "bob": "UBOB", "minji.kim": "UMINJI", "vic": "UVIC"}
	cfg.ArchiveAfter = 0
	run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Intake: in, WarRoom: cfg,
		Notify: &notify.Config{Slack: &notify.SlackConfig{Token: token, APIURL: api.URL}}})
	ctx := context.Background()
	for name, role := range map[string]auth.Role{"alice": auth.Responder, "bob": auth.Responder, "vic": auth.Viewer, "root": auth.Admin} {
		if _, err := run.Server.Users.AddUser(ctx, name, "", role); err != nil {
			t.Fatal(err)
		}
	}
	api.AddUser("UCAROL", "carol.slack")
	return &world{run: run, slack: api, send: testutil.SlackSender{Base: run.Base, Secret: secret}}
}

func (w *world) incident(t *testing.T, id int64) *incident.Incident {
	t.Helper()
	inc, err := w.run.Server.DB.Incidents().GetIncident(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func (w *world) events(t *testing.T, id int64, kind incident.EventKind) []incident.Event {
	t.Helper()
	return testutil.EventsOfKind(t, w.run.Server.DB, id, kind)
}

func (w *world) posted(channel, contains string) bool {
	for _, c := range w.slack.Calls() {
		if c.Method == "chat.postMessage" && c.Channel == channel && strings.Contains(c.Text, contains) {
			return true
		}
	}
	return false
}

func press(user, username, channel, action, value string, selected bool) map[string]any {
	a := map[string]any{"action_id": action, "type": "button", "value": value}
	if selected {
		a = map[string]any{"action_id": action, "type": "static_select", "selected_option": map[string]any{"value": value}}
	}
	return map[string]any{"type": "block_actions", "user": map[string]any{"id": user, "username": username},
		"trigger_id": "trig-" + action, "channel": map[string]any{"id": channel}, "actions": []any{a}}
}

// TestWarRoomEndToEnd declares from chat, and the incident's channel is
// made once (a retried job, and a channel left by a crashed try, still give
// one), with topic, invitations and a pinned summary; the incident is
// worked through the summary's buttons and update form, with refusals for
// unknown users and missing rights; pinned messages, their edits and
// removals and /incident note reach the timeline; news reaches the
// channel; the closed incident's channel is archived; and the report's
// pre-filled timeline holds the pinned messages. On both databases.
func TestWarRoomEndToEnd(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := start(t, dbURL)

		// Declare from chat.
		status, body := w.send.Command(t, "UALICE", "alice", "CGENERAL", "declare sev2 checkout-api 결제 지연 Checkout slow")
		if status != 200 || !strings.Contains(string(body), "INC-1") {
			t.Fatalf("declare: %d %s", status, body)
		}
		testutil.WaitFor(t, "the war room", func() bool { return len(w.events(t, 1, warroom.EventOpened)) == 1 })
		chans := w.slack.Channels()
		if len(chans) != 1 || chans[0].Name != "inc-1-checkout-slow" || chans[0].Private {
			t.Fatalf("channels %+v", chans)
		}
		ch := chans[0]
		if !strings.Contains(ch.Topic, "SEV2") || !strings.Contains(ch.Topic, "https://firebreak.example.com/incidents/INC-1") {
			t.Errorf("topic %q", ch.Topic)
		}
		// minji.kim leads payments, which owns checkout-api: on duty by default.
		if !slices.Contains(ch.Members, "UMINJI") || len(ch.Pins) != 1 {
			t.Errorf("members %v, pins %v", ch.Members, ch.Pins)
		}
		room, err := w.run.Server.DB.WarRooms().Room(ctx, 1)
		if err != nil || room == nil || room.ChannelID != ch.ID || room.SummaryTS != ch.Pins[0] {
			t.Fatalf("room %+v, %v", room, err)
		}

		// A retried job finds the stored channel: still one.
		if err := w.run.Server.WarRooms.Open(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if n := w.slack.Count("conversations.create"); n != 1 {
			t.Errorf("%d channels created after a retry, want 1", n)
		}
		// A try that made the channel and died before storing its id: the
		// next finds it by name.
		op := auth.User{Name: "root", Role: auth.Admin}
		left := w.slack.AddChannel("inc-2-ledger")
		// An invitation Slack refuses does not hold the room up.
		w.slack.Refuse(testutil.SlackRefusal{Method: "conversations.invite", Channel: left.ID, Error: "user_not_found"})
		if _, err := w.run.Server.Incidents.Declare(ctx, op, incident.Declaration{Title: "원장 불일치", Grade: incident.SEV1,
			Services: []string{"ledger"}}); err != nil {
			t.Fatal(err)
		}
		testutil.WaitFor(t, "the second room", func() bool { return len(w.events(t, 2, warroom.EventOpened)) == 1 })
		if r2, _ := w.run.Server.DB.WarRooms().Room(ctx, 2); r2 == nil || r2.ChannelID != left.ID || len(w.slack.Channels()) != 2 ||
			len(w.slack.Channels()[1].Pins) != 1 {
			t.Errorf("room 2 %+v; channels %+v", r2, w.slack.Channels())
		}
		// SEV4 is not a grade the policy names: no room.
		if _, err := w.run.Server.Incidents.Declare(ctx, op, incident.Declaration{Title: "minor", Grade: incident.SEV4,
			Services: []string{"ledger"}}); err != nil {
			t.Fatal(err)
		}

		// Buttons. Acknowledge: alice takes the resolver role.
		if st, b := w.send.Interaction(t, press("UALICE", "alice", ch.ID, warroom.ActionAck, "1", false)); st != 200 {
			t.Fatalf("ack: %d %s", st, b)
		}
		testutil.WaitFor(t, "the acknowledgement", func() bool { return w.incident(t, 1).Roles[incident.Resolver] == "alice" })
		w.send.Interaction(t, press("UALICE", "alice", ch.ID, warroom.ActionStatus, "1:identified", true))
		testutil.WaitFor(t, "the status", func() bool { return w.incident(t, 1).Status == incident.Identified })
		w.send.Interaction(t, press("UBOB", "bob", ch.ID, warroom.ActionTakeRole, "1:communicator", true))
		testutil.WaitFor(t, "the communicator", func() bool { return w.incident(t, 1).Roles[incident.Communicator] == "bob" })
		w.send.Interaction(t, press("UALICE", "alice", ch.ID, warroom.ActionGrade, "1:SEV1", true))
		testutil.WaitFor(t, "the grade", func() bool { return w.incident(t, 1).Grade == incident.SEV1 })
		// Refusals go to the person only, and change nothing.
		w.send.Interaction(t, press("UGHOST", "ghost", ch.ID, warroom.ActionStatus, "1:monitoring", true))
		w.send.Interaction(t, press("UVIC", "vic", ch.ID, warroom.ActionStatus, "1:monitoring", true))
		w.send.Interaction(t, press("UALICE", "alice", ch.ID, warroom.ActionAck, "1", false))
		testutil.WaitFor(t, "three private answers", func() bool { return len(w.slack.Ephemerals()) == 3 })
		eph := w.slack.Ephemerals()
		byUser := map[string]string{}
		for _, e := range eph {
			byUser[e.User] = e.Text
		}
		if !strings.Contains(byUser["UGHOST"], "not a Firebreak user") || !strings.Contains(byUser["UGHOST"], "Firebreak 사용자가 없습니다") ||
			!strings.Contains(byUser["UVIC"], "Not done on INC-1") || !strings.Contains(byUser["UALICE"], "이미 alice 님이 대응 중") {
			t.Errorf("private answers %v", byUser)
		}
		if w.incident(t, 1).Status != incident.Identified {
			t.Errorf("a refused press changed the status")
		}

		// The update form: opened, refused empty, posted.
		w.send.Interaction(t, press("UBOB", "bob", ch.ID, warroom.ActionUpdate, "1", false))
		testutil.WaitFor(t, "the form", func() bool { return len(w.slack.Views()) == 1 })
		if v := w.slack.Views()[0].View; v["callback_id"] != warroom.CallbackUpdate || v["private_metadata"] != "1" {
			t.Errorf("view %v", v)
		}
		submit := func(text string) (int, string) {
			st, b := w.send.Interaction(t, map[string]any{"type": "view_submission", "user": map[string]any{"id": "UBOB", "username": "bob"},
				"view": map[string]any{"callback_id": warroom.CallbackUpdate, "private_metadata": "1",
					"state": map[string]any{"values": map[string]any{"update": map[string]any{"text": map[string]any{"value": text}}}}}})
			return st, string(b)
		}
		if st, b := submit("  "); st != 200 || !strings.Contains(b, `"response_action":"errors"`) {
			t.Errorf("empty update: %d %s", st, b)
		}
		if st, b := submit("PG사 응답 지연, 우회 경로로 전환 중 · switching to the backup processor"); st != 200 || b != "" {
			t.Errorf("update: %d %s", st, b)
		}
		if n := len(w.events(t, 1, incident.EventStatusUpdate)); n != 1 {
			t.Errorf("%d status updates, want 1", n)
		}

		// Timeline → chat: the news reaches the channel, through the outbox.
		for _, want := range []string{"Identified · 원인 파악", "Communicator · 전파 담당", "SEV2 → SEV1", "switching to the backup processor"} {
			testutil.WaitFor(t, "the channel to hear "+want, func() bool { return w.posted(ch.ID, want) })
		}
		testutil.WaitFor(t, "the role holders to be invited", func() bool {
			m := w.slack.Channels()[0].Members
			return slices.Contains(m, "UALICE") && slices.Contains(m, "UBOB")
		})
		testutil.WaitFor(t, "the topic to follow", func() bool {
			c := w.slack.Channels()[0]
			return strings.Contains(c.Topic, "SEV1") && strings.Contains(c.Topic, "Comms 전파: bob")
		})

		// Chat → timeline: a pinned message with a link and a file.
		ts := w.slack.Say(ch.ID, "UALICE", "롤백 시작 rolling back <https://deploy.example.com/42|deploy 42>",
			map[string]string{"name": "graph.png", "permalink": "https://files.slack.example/graph.png"})
		pin := func(ts, emoji, by string) {
			if st, b := w.send.Event(t, map[string]any{"type": "reaction_added", "user": by, "reaction": emoji,
				"item": map[string]any{"type": "message", "channel": ch.ID, "ts": ts}}); st != 200 {
				t.Fatalf("reaction: %d %s", st, b)
			}
		}
		pin(ts, "pushpin", "UBOB")
		pin(ts, "pushpin", "UMINJI") // a second pin of the same message copies nothing more
		other := w.slack.Say(ch.ID, "UCAROL", "not for the record")
		pin(other, "eyes", "UBOB")
		gone := w.slack.Say(ch.ID, "UCAROL", "DB 커넥션 풀 포화 connection pool saturated")
		pin(gone, "pushpin", "UALICE")
		testutil.WaitFor(t, "the copies", func() bool { return len(w.events(t, 1, warroom.EventChatMessage)) == 2 })
		copies := w.events(t, 1, warroom.EventChatMessage)
		first := copies[0]
		if first.Data["ts"] != ts {
			first = copies[1]
		}
		text, _ := first.Data["text"].(string)
		if first.Actor != "alice" || !strings.Contains(text, "deploy 42 (https://deploy.example.com/42)") ||
			!strings.Contains(text, "https://files.slack.example/graph.png") || !first.At.Equal(warroom.SlackTime(ts)) {
			t.Errorf("copied %+v", first)
		}
		// Edits and removals follow.
		w.send.Event(t, map[string]any{"type": "message", "subtype": "message_changed", "channel": ch.ID,
			"message": map[string]any{"ts": ts, "user": "UALICE", "text": "롤백 완료 rollback done"}})
		w.send.Event(t, map[string]any{"type": "message", "subtype": "message_deleted", "channel": ch.ID, "deleted_ts": gone})
		w.send.Event(t, map[string]any{"type": "message", "subtype": "message_deleted", "channel": ch.ID, "deleted_ts": other})
		if ed := w.events(t, 1, warroom.EventChatEdited); len(ed) != 1 || ed[0].Data["text"] != "롤백 완료 rollback done" {
			t.Errorf("edits %+v", ed)
		}
		if del := w.events(t, 1, warroom.EventChatDeleted); len(del) != 1 || del[0].Data["ts"] != gone {
			t.Errorf("removals %+v", del)
		}
		// /incident note in the channel.
		if st, b := w.send.Command(t, "UBOB", "bob", ch.ID, "note 고객센터 공지 게시 posted a notice for support"); st != 200 ||
			!strings.Contains(string(b), "Note on INC-1") {
			t.Fatalf("note: %d %s", st, b)
		}
		if notes := w.events(t, 1, incident.EventNote); len(notes) != 1 || notes[0].Actor != "bob" {
			t.Errorf("notes %+v", notes)
		}

		// Resolve with a button, close, archive.
		w.send.Interaction(t, press("UALICE", "alice", ch.ID, warroom.ActionStatus, "1:resolved", true))
		testutil.WaitFor(t, "resolved", func() bool { return w.incident(t, 1).Status == incident.Resolved })
		if _, err := w.run.Server.Incidents.SetStatus(ctx, op, 1, incident.Closed, ""); err != nil {
			if _, err := w.run.Server.Incidents.CloseOverride(ctx, op, 1, "test"); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.run.Server.WarRooms.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if c := w.slack.Channels()[0]; !c.Archived {
			t.Errorf("the closed incident's channel is not archived")
		}
		if n := len(w.events(t, 1, warroom.EventArchived)); n != 1 {
			t.Errorf("%d archive events", n)
		}

		// The report's pre-filled timeline holds the pinned messages.
		for _, lang := range []string{"en"} {
			r, err := w.run.Server.Reports.Start(ctx, op, 1, report.StartOptions{Lang: lang})
			if err != nil {
				t.Fatal(err)
			}
			tl := r.Sections[report.KeyTimeline]
			if !strings.Contains(tl, "deploy 42") || !strings.Contains(tl, "connection pool saturated") || !strings.Contains(tl, "고객센터 공지") {
				t.Errorf("report timeline:\n%s", tl)
			}
		}
	})
}

// TestEventsEndpointChecksSignature answers Slack's URL verification and
// refuses what is not signed with the app's secret.
func TestEventsEndpointChecksSignature(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		w := start(t, dbURL)
		st, b := w.send.Raw(t, []byte(`{"type":"url_verification","token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`))
		var out map[string]string
		_ = json.Unmarshal(b, &out)
		if st != 200 || out["challenge"] != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
			t.Errorf("url verification: %d %s", st, b)
		}
		bad := testutil.SlackSender{Base: w.run.Base, Secret: "not-the-secret"}
		if st, _ := bad.Raw(t, []byte(`{"type":"url_verification","challenge":"x"}`)); st != 401 {
			t.Errorf("badly signed event: %d, want 401", st)
		}
		if st, _ := bad.Interaction(t, press("UALICE", "alice", "C1", warroom.ActionAck, "1", false)); st != 401 {
			t.Errorf("badly signed interaction: %d, want 401", st)
		}
		if st, _ := w.send.Raw(t, []byte(`{not json`)); st != 400 {
			t.Errorf("bad JSON: %d, want 400", st)
		}
	})
}

// TestRestrictedRoomIsPrivate: a restricted incident's channel is private
// and invites its members only; Slack's rate limit on the first try is
// waited out, and the channel is still made once.
func TestRestrictedRoomIsPrivate(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		w := start(t, dbURL)
		w.slack.Refuse(testutil.SlackRefusal{Method: "conversations.create", Error: "ratelimited", RetryAfter: 1})
		op := auth.User{Name: "root", Role: auth.Admin}
		inc, err := w.run.Server.Incidents.Declare(ctx, op, incident.Declaration{Title: "계정 탈취 의심 Suspicious logins",
			Grade: incident.SEV2, Services: []string{"auth"}, Visibility: incident.Restricted, Members: []string{"alice"},
			Roles: map[incident.Role]string{incident.Resolver: "alice"}})
		if err != nil {
			t.Fatal(err)
		}
		testutil.WaitFor(t, "the room", func() bool { return len(w.events(t, inc.ID, warroom.EventOpened)) == 1 })
		chans := w.slack.Channels()
		if len(chans) != 1 || !chans[0].Private || chans[0].Name != "inc-1-suspicious-logins" {
			t.Fatalf("channels %+v", chans)
		}
		// alice is a member; dave (platform's lead, on duty for auth) is not.
		if got := strings.Join(chans[0].Members, ","); got != "UALICE" {
			t.Errorf("members %s, want UALICE only", got)
		}
		if n := w.slack.Count("conversations.create"); n != 1 {
			t.Errorf("%d creates", n)
		}
	})
}

// TestRoomFailureIsRecorded: when Slack refuses for good (the app lacks a
// scope), the incident's timeline says there is no room, and why.
func TestRoomFailureIsRecorded(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		w := start(t, dbURL)
		w.slack.Refuse(testutil.SlackRefusal{Method: "conversations.create", Error: "missing_scope"})
		inc, err := w.run.Server.Incidents.Declare(context.Background(), auth.User{Name: "root", Role: auth.Admin},
			incident.Declaration{Title: "Checkout down", Grade: incident.SEV1, Services: []string{"checkout-api"}})
		if err != nil {
			t.Fatal(err)
		}
		testutil.WaitFor(t, "the failure on the timeline", func() bool { return len(w.events(t, inc.ID, warroom.EventFailed)) == 1 })
		if ev := w.events(t, inc.ID, warroom.EventFailed)[0]; !strings.Contains(ev.Data["reason"].(string), "missing_scope") {
			t.Errorf("reason %v", ev.Data)
		}
		if r, _ := w.run.Server.DB.WarRooms().Room(context.Background(), inc.ID); r != nil || len(w.slack.Channels()) != 0 {
			t.Errorf("room %+v", r)
		}
	})
}
