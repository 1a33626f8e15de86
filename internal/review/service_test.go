package review_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/review/reviewtest"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// env is an opened (not serving) Firebreak with the demo catalog and users.
type env struct {
	srv   *server.Server
	clock *reviewtest.Clock
	users map[string]auth.User
}

func openEnv(t *testing.T, url string, cfg *review.Config) *env { return openEnvTB(t, url, cfg) }

func openEnvB(b *testing.B, url string) *env { return openEnvTB(b, url, nil) }

func openEnvTB(t testing.TB, url string, cfg *review.Config) *env {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	c := reviewtest.NewClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	srv, err := server.Open(ctx, server.Options{DatabaseURL: url, Catalog: cat, Now: c.Now, Review: cfg, Logger: testutil.TestLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.DB.Close() })
	e := &env{srv: srv, clock: c, users: map[string]auth.User{}}
	for name, role := range map[string]auth.Role{"alice": auth.Responder, "minji.kim": auth.Responder, "bob": auth.Responder,
		"vic": auth.Viewer, "root": auth.Admin} {
		u, err := srv.Users.AddUser(ctx, name, name+"@example.com", role)
		if err != nil {
			t.Fatal(err)
		}
		e.users[name] = u
	}
	return e
}

func (e *env) declare(t *testing.T, title string, grade incident.Grade, services, causes []string) *incident.Incident {
	t.Helper()
	inc, err := e.srv.Incidents.Declare(context.Background(), e.users["alice"], incident.Declaration{
		Title: title, Grade: grade, Services: services, CauseTags: causes})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func (e *env) resolve(t *testing.T, id int64) {
	t.Helper()
	if _, err := e.srv.Incidents.SetStatus(context.Background(), e.users["alice"], id, incident.Resolved, ""); err != nil {
		t.Fatal(err)
	}
}

func (e *env) kinds(t *testing.T, id int64) string {
	t.Helper()
	evs, err := e.srv.Incidents.Timeline(context.Background(), e.users["root"], id, 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	var ks []string
	for _, ev := range evs {
		ks = append(ks, string(ev.Kind))
	}
	return strings.Join(ks, " ")
}

func due(e *env, d time.Duration) *time.Time {
	t := e.clock.Now().Add(d)
	return &t
}

func wantCode(t *testing.T, err error, code fail.Code, field string) {
	t.Helper()
	fe, ok := fail.As(err)
	if !ok || fe.Code != code || fe.Field != field {
		t.Fatalf("want %s error on %q, got %v", code, field, err)
	}
}

// TestClosingWaitsForRequiredReviews: a SEV2 cannot close until both stages
// are held; an admin may override with a reason, which the timeline keeps;
// a SEV4 needs none.
func TestClosingWaitsForRequiredReviews(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := openEnv(t, url, nil)
		ctx := context.Background()
		alice, root := e.users["alice"], e.users["root"]
		inc := e.declare(t, "결제 승인 지연", incident.SEV2, []string{"checkout-api"}, []string{"deploy"})
		e.resolve(t, inc.ID)

		_, err := e.srv.Incidents.SetStatus(ctx, alice, inc.ID, incident.Closed, "")
		wantCode(t, err, fail.Conflict, "status")
		if !strings.Contains(err.Error(), "team review, developer review") {
			t.Errorf("message: %v", err)
		}

		// A stage with notes but not yet held does not count; held needs a facilitator.
		when := e.clock.Now().Add(48 * time.Hour)
		_, err = e.srv.Review.SaveRetrospective(ctx, alice, inc.ID, review.TeamStage, review.RetroInput{Held: true})
		wantCode(t, err, fail.Invalid, "facilitator")
		_, err = e.srv.Review.SaveRetrospective(ctx, alice, inc.ID, review.TeamStage, review.RetroInput{Facilitator: "nobody"})
		wantCode(t, err, fail.Invalid, "facilitator")
		_, err = e.srv.Review.SaveRetrospective(ctx, e.users["vic"], inc.ID, review.TeamStage, review.RetroInput{})
		wantCode(t, err, fail.Forbidden, "")
		_, err = e.srv.Review.SaveRetrospective(ctx, alice, inc.ID, "lunch", review.RetroInput{})
		wantCode(t, err, fail.Invalid, "stage")
		r, err := e.srv.Review.SaveRetrospective(ctx, alice, inc.ID, review.TeamStage, review.RetroInput{
			ScheduledAt: &when, Facilitator: "minji.kim", Attendees: []string{"alice", "bob", "alice"}, Notes: "회고 메모",
			Narrative: review.Narrative{Background: "연말 트래픽", Trigger: "타임아웃 설정 변경 배포", Chain: "재시도 폭증 → 원장 지연", Impact: "결제 12분 지연"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Attendees) != 2 || r.HeldAt != nil {
			t.Fatalf("saved: %+v", r)
		}
		st, err := e.srv.Review.Get(ctx, alice, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Missing) != 2 || st.Stages[0].Narrative.Chain != "재시도 폭증 → 원장 지연" || !st.Stages[0].ScheduledAt.Equal(when) {
			t.Fatalf("state: %+v", st)
		}
		for _, stage := range review.Stages {
			if _, err := e.srv.Review.SaveRetrospective(ctx, alice, inc.ID, stage, review.RetroInput{Facilitator: "minji.kim", Held: true}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.srv.Incidents.SetStatus(ctx, alice, inc.ID, incident.Closed, ""); err != nil {
			t.Fatalf("close after both reviews: %v", err)
		}

		// Override: only an admin, only with a reason.
		other := e.declare(t, "Login errors", incident.SEV1, []string{"auth"}, nil)
		e.resolve(t, other.ID)
		_, err = e.srv.Incidents.CloseOverride(ctx, alice, other.ID, "urgent")
		wantCode(t, err, fail.Forbidden, "")
		_, err = e.srv.Incidents.CloseOverride(ctx, root, other.ID, "  ")
		wantCode(t, err, fail.Invalid, "reason")
		if _, err := e.srv.Incidents.CloseOverride(ctx, root, other.ID, "duplicate of INC-1, reviewed there"); err != nil {
			t.Fatal(err)
		}
		if got := e.kinds(t, other.ID); !strings.HasSuffix(got, "status_changed close_overridden") {
			t.Errorf("timeline: %s", got)
		}

		minor := e.declare(t, "Typo on status page", incident.SEV4, []string{"status-page"}, nil)
		e.resolve(t, minor.ID)
		if _, err := e.srv.Incidents.SetStatus(ctx, alice, minor.ID, incident.Closed, ""); err != nil {
			t.Fatalf("SEV4 needs no review: %v", err)
		}
	})
}

// TestActionItems: creation with validation naming the field, advice
// without refusal, updates on the timeline, suggestions from earlier items.
func TestActionItems(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := openEnv(t, url, nil)
		ctx := context.Background()
		alice := e.users["alice"]
		inc := e.declare(t, "Checkout timeouts", incident.SEV2, []string{"checkout-api"}, []string{"timeout"})
		good := review.ItemInput{Title: "Add a timeout test to the checkout CI", Category: review.Prevent, Term: review.Short,
			Owner: "alice", DueAt: due(e, 14*24*time.Hour)}
		for _, c := range []struct {
			change func(*review.ItemInput)
			field  string
		}{
			{func(i *review.ItemInput) { i.Title = " " }, "title"},
			{func(i *review.ItemInput) { i.Category = "fix" }, "category"},
			{func(i *review.ItemInput) { i.Term = "medium" }, "term"},
			{func(i *review.ItemInput) { i.Owner = "" }, "owner"},
			{func(i *review.ItemInput) { i.Owner = "ghost" }, "owner"},
			{func(i *review.ItemInput) { i.DueAt = nil }, "due_at"},
			{func(i *review.ItemInput) { i.Tracker = "jira" }, "tracker"}, // not configured
		} {
			in := good
			c.change(&in)
			_, err := e.srv.Review.AddItem(ctx, alice, inc.ID, in, "en")
			wantCode(t, err, fail.Invalid, c.field)
		}
		if items, _, _ := e.srv.Review.ListItems(ctx, alice, review.ItemFilter{}); len(items) != 0 {
			t.Fatalf("refused items were stored: %d", len(items))
		}

		added, err := e.srv.Review.AddItem(ctx, alice, inc.ID, good, "en")
		if err != nil || len(added.Vague) != 0 {
			t.Fatalf("concrete item: %+v %v", added, err)
		}
		vagueIn := good
		vagueIn.Title, vagueIn.Category, vagueIn.Term = "배포 시 더 주의하자", review.Handle, review.Long
		vague, err := e.srv.Review.AddItem(ctx, alice, inc.ID, vagueIn, "ko")
		if err != nil {
			t.Fatalf("a vague item is advised, never refused: %v", err)
		}
		// The rewrite fits the item: its topic (deploys), the incident's
		// service and the item's language.
		if len(vague.Vague) == 0 || !strings.Contains(vague.Vague[0].Suggestion, "checkout-api 배포를 10% 카나리로") {
			t.Fatalf("advice: %+v", vague.Vague)
		}

		done := review.ItemDone
		it, err := e.srv.Review.UpdateItem(ctx, alice, added.Item.ID, review.ItemPatch{Status: &done})
		if err != nil || it.Status != review.ItemDone || it.DoneAt == nil {
			t.Fatalf("done: %+v %v", it, err)
		}
		bad := review.ItemStatus("finished")
		_, err = e.srv.Review.UpdateItem(ctx, alice, added.Item.ID, review.ItemPatch{Status: &bad})
		wantCode(t, err, fail.Invalid, "status")
		_, err = e.srv.Review.UpdateItem(ctx, e.users["vic"], added.Item.ID, review.ItemPatch{Status: &done})
		wantCode(t, err, fail.Forbidden, "")
		if got := e.kinds(t, inc.ID); got != "declared action_item_added action_item_added action_item_changed" {
			t.Errorf("timeline: %s", got)
		}

		// Suggestions come from what earlier items used, most used first.
		other := e.declare(t, "Ledger timeouts", incident.SEV3, []string{"ledger"}, nil)
		again := good
		again.Title = "add a timeout test to the checkout CI"
		if _, err := e.srv.Review.AddItem(ctx, alice, other.ID, again, "en"); err != nil {
			t.Fatal(err)
		}
		sg, err := e.srv.Review.Suggestions(ctx, review.Prevent)
		if err != nil || len(sg) != 1 || sg[0].Count != 2 || sg[0].Category != review.Prevent {
			t.Fatalf("suggestions: %+v %v", sg, err)
		}
		_, err = e.srv.Review.Suggestions(ctx, "other")
		wantCode(t, err, fail.Invalid, "category")
		// The vague "배포 시 더 주의하자" is never offered.
		all, _ := e.srv.Review.Suggestions(ctx, "")
		if len(all) != 1 {
			t.Errorf("all categories: %+v", all)
		}
	})
}

// TestRemindersAndEscalation: reminders before the due date reach the
// owner once each; an overdue item escalates to the lead of the owner's
// team; done items are left alone.
func TestRemindersAndEscalation(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := openEnv(t, url, nil)
		ctx := context.Background()
		var sent []review.Notice
		e.srv.Reviews.SendNotice = func(_ context.Context, _ *sql.Tx, n review.Notice) error { sent = append(sent, n); return nil }
		alice := e.users["alice"]
		inc := e.declare(t, "Checkout timeouts", incident.SEV2, []string{"checkout-api"}, nil)
		item, err := e.srv.Review.AddItem(ctx, alice, inc.ID, review.ItemInput{Title: "Cap retries at 2", Category: review.Prevent,
			Term: review.Short, Owner: "alice", DueAt: due(e, 5*24*time.Hour)}, "en")
		if err != nil {
			t.Fatal(err)
		}
		doneItem, _ := e.srv.Review.AddItem(ctx, alice, inc.ID, review.ItemInput{Title: "Done one", Category: review.Detect,
			Term: review.Short, Owner: "bob", DueAt: due(e, 24*time.Hour)}, "en")
		done := review.ItemDone
		if _, err := e.srv.Review.UpdateItem(ctx, alice, doneItem.Item.ID, review.ItemPatch{Status: &done}); err != nil {
			t.Fatal(err)
		}
		step := func(d time.Duration, want ...string) {
			t.Helper()
			e.clock.Add(d)
			sent = nil
			if _, err := e.srv.Review.SendDueNotices(ctx, e.clock.Now()); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range sent {
				got = append(got, n.Key+"→"+n.To)
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("after %s: sent %v, want %v", d, got, want)
			}
		}
		dueKey := item.Item.DueAt.Format(time.RFC3339)                      // notices are given once per due date
		step(time.Hour)                                                     // 5 days out: nothing yet
		step(2*24*time.Hour+time.Hour, "reminder:72h0m0s:"+dueKey+"→alice") // under 3 days
		step(time.Hour)                                                     // given once
		step(2*24*time.Hour, "reminder:24h0m0s:"+dueKey+"→alice")           // under 1 day
		step(24*time.Hour, "escalation:"+dueKey+"→minji.kim")               // overdue: payments' lead
		step(24 * time.Hour)                                                // escalated once
		if got := e.kinds(t, inc.ID); !strings.HasSuffix(got, "action_item_reminder action_item_reminder action_item_escalated") {
			t.Errorf("timeline: %s", got)
		}

		// The due date moves on and is missed again: reminded and escalated
		// again, for the new date.
		later := e.clock.Now().Add(2 * 24 * time.Hour).Truncate(time.Second)
		if _, err := e.srv.Review.UpdateItem(ctx, alice, item.Item.ID, review.ItemPatch{DueAt: &later}); err != nil {
			t.Fatal(err)
		}
		laterKey := later.UTC().Format(time.RFC3339)
		step(time.Hour, "reminder:72h0m0s:"+laterKey+"→alice")
		step(2*24*time.Hour, "escalation:"+laterKey+"→minji.kim")
		step(time.Hour)
	})
}

// TestEscalationNeverGoesBackToTheOwner: an overdue item escalates to the
// lead of the owner's team, else to the lead of the team running the
// incident's service; when that is the owner too, or there is no team, the
// escalation is recorded on the timeline with no one told.
func TestEscalationNeverGoesBackToTheOwner(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := openEnv(t, url, nil)
		ctx := context.Background()
		var sent []string
		e.srv.Reviews.SendNotice = func(_ context.Context, _ *sql.Tx, n review.Notice) error { sent = append(sent, n.To); return nil }
		alice := e.users["alice"]
		for _, c := range []struct {
			owner    string
			services []string
			want     string // "" for no one
		}{
			{"alice", []string{"checkout-api"}, "minji.kim"}, // a member: the team's lead
			{"minji.kim", []string{"checkout-api"}, ""},      // leads payments, which runs checkout-api
			{"minji.kim", []string{"auth"}, "dave"},          // auth is platform's
			{"bob", []string{"checkout-api"}, "minji.kim"},   // leads messaging: checkout-api's team
			{"root", nil, ""}, // in no team, no service
		} {
			inc := e.declare(t, "Overdue for "+c.owner, incident.SEV3, c.services, nil)
			added, err := e.srv.Review.AddItem(ctx, alice, inc.ID, review.ItemInput{Title: "Add a queue depth alert", Category: review.Detect,
				Term: review.Short, Owner: c.owner, DueAt: due(e, -time.Hour)}, "en")
			if err != nil {
				t.Fatal(err)
			}
			sent = nil
			if n, err := e.srv.Review.SendDueNotices(ctx, e.clock.Now()); err != nil || n != 1 {
				t.Fatalf("%s: %d notices, %v", c.owner, n, err)
			}
			wantSent := []string{c.want}
			if c.want == "" {
				wantSent = nil
			}
			if strings.Join(sent, ",") != strings.Join(wantSent, ",") {
				t.Errorf("owner %s on %v: told %v, want %v", c.owner, c.services, sent, wantSent)
			}
			evs, err := e.srv.Incidents.Timeline(ctx, e.users["root"], inc.ID, 0, 50)
			if err != nil {
				t.Fatal(err)
			}
			last := evs[len(evs)-1]
			if last.Kind != review.EventItemEscalated || last.Data["to"] != c.want || (c.want == "") != (last.Data["no_one"] == true) ||
				last.Data["item"] != float64(added.Item.ID) && last.Data["item"] != added.Item.ID {
				t.Errorf("owner %s: escalation event %v %v", c.owner, last.Kind, last.Data)
			}
		}
	})
}

// TestDueNoticesDoNotStall: more overdue items than one page of the due
// check are all escalated in one run, and items escalated already do not
// hold back one that falls overdue later.
func TestDueNoticesDoNotStall(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := openEnv(t, url, nil)
		ctx := context.Background()
		escalated := map[int64]int{}
		e.srv.Reviews.SendNotice = func(_ context.Context, _ *sql.Tx, n review.Notice) error {
			if n.Kind == review.NoticeEscalation {
				escalated[n.ItemID]++
			}
			return nil
		}
		alice := e.users["alice"]
		inc := e.declare(t, "Checkout timeouts", incident.SEV2, []string{"checkout-api"}, nil)
		add := func(dueIn time.Duration) int64 {
			t.Helper()
			a, err := e.srv.Review.AddItem(ctx, alice, inc.ID, review.ItemInput{Title: "Cap retries", Category: review.Prevent,
				Term: review.Short, Owner: "alice", DueAt: due(e, dueIn)}, "en")
			if err != nil {
				t.Fatal(err)
			}
			return a.Item.ID
		}
		const many = 520 // more than one page (500)
		for range many {
			add(-time.Hour)
		}
		if n, err := e.srv.Review.SendDueNotices(ctx, e.clock.Now()); err != nil || n != many || len(escalated) != many {
			t.Fatalf("first run: %d given, %d items escalated, %v; want %d", n, len(escalated), err, many)
		}
		late := add(time.Hour) // due soon: reminded first, then overdue
		e.clock.Add(2 * time.Hour)
		if n, err := e.srv.Review.SendDueNotices(ctx, e.clock.Now()); err != nil || n != 1 || escalated[late] != 1 {
			t.Fatalf("second run: %d given (%v), item %d escalated %d times", n, err, late, escalated[late])
		}
		for id, k := range escalated {
			if k != 1 {
				t.Errorf("item %d escalated %d times", id, k)
			}
		}
	})
}

// TestRestrictedIncidentsStayHidden: a restricted incident's items are not
// suggested to others, and a match with it shows only to those who may see
// it.
func TestRestrictedIncidentsStayHidden(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := openEnv(t, url, nil)
		ctx := context.Background()
		alice := e.users["alice"]
		secret, err := e.srv.Incidents.Declare(ctx, alice, incident.Declaration{Title: "Admin tokens leaked", Grade: incident.SEV1,
			Services: []string{"auth"}, CauseTags: []string{"leak"}, Visibility: incident.Restricted})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.srv.Review.AddItem(ctx, alice, secret.ID, review.ItemInput{Title: "Rotate the signing key of tenant 42",
			Category: review.Prevent, Term: review.Short, Owner: "alice", DueAt: due(e, 24*time.Hour)}, "en"); err != nil {
			t.Fatal(err)
		}
		if sg, _ := e.srv.Review.Suggestions(ctx, review.Prevent); len(sg) != 0 {
			t.Errorf("restricted item suggested: %+v", sg)
		}
		e.clock.Add(time.Hour)
		later := e.declare(t, "Auth errors", incident.SEV2, []string{"auth"}, []string{"leak"})
		if ms, err := e.srv.Review.DetectRecurrence(ctx, later, e.clock.Now()); err != nil || len(ms) != 1 {
			t.Fatalf("detect: %v %v", ms, err)
		}
		for user, want := range map[string]int{"vic": 0, "bob": 0, "alice": 1, "root": 1} {
			st, err := e.srv.Review.Get(ctx, e.users[user], later.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Recurrences) != want {
				t.Errorf("%s sees %d matches, want %d", user, len(st.Recurrences), want)
			}
		}
	})
}

// TestRecurrenceOfAnyAge: an earlier incident sharing a service and a cause
// tag is found however long ago it was (the lookback bounds only the text
// comparison), while one only alike in text is left out once it is older
// than the lookback.
func TestRecurrenceOfAnyAge(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := openEnv(t, url, nil)
		ctx := context.Background()
		old := e.declare(t, "Ledger pool exhausted", incident.SEV2, []string{"checkout-api"}, []string{"db-pool"})
		e.declare(t, "Checkout timeouts at evening peak", incident.SEV2, []string{"checkout-api"}, nil)
		e.declare(t, "Auth pool exhausted", incident.SEV3, []string{"auth"}, []string{"db-pool"}) // same cause, other service
		e.clock.Add(3 * 365 * 24 * time.Hour)                                                     // past the two-year lookback
		for range 3 {
			e.declare(t, "Typo on the status page", incident.SEV5, []string{"status-page"}, nil)
		}
		inc := e.declare(t, "Checkout timeouts at evening peak", incident.SEV2, []string{"checkout-api"}, []string{"db-pool"})
		ms, err := e.srv.Review.DetectRecurrence(ctx, inc, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].EarlierID != old.ID || ms[0].Reason != review.MatchServiceCause {
			t.Fatalf("matches: %+v, want only %s by service and cause", ms, old.Ref())
		}
	})
}
