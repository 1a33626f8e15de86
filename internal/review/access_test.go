package review_test

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// teamUser adds a user with the organisation viewer role and role in team.
func (e *env) teamUser(t *testing.T, name, team string, role auth.TeamRole) auth.User {
	t.Helper()
	ctx := context.Background()
	if _, err := e.srv.Users.AddUser(ctx, name, name+"@example.com", auth.Viewer); err != nil {
		t.Fatal(err)
	}
	if _, err := e.srv.Users.SetTeamRole(ctx, e.users["root"], name, team, role); err != nil {
		t.Fatal(err)
	}
	u, err := e.srv.DB.Users().UserByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestReviewChangesFollowTeamRoles: the responders of the team owning an
// incident's service hold its reviews and add and change its action items
// without any organisation role; an organisation viewer and another team's
// responder may read them but change nothing.
func TestReviewChangesFollowTeamRoles(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := openEnv(t, url, nil)
		ctx := context.Background()
		payResp := e.teamUser(t, "pay-resp", "payments", auth.TeamResponder)
		platResp := e.teamUser(t, "plat-resp", "platform", auth.TeamResponder)
		inc := e.declare(t, "Checkout timeouts", incident.SEV3, []string{"checkout-api"}, nil)

		if _, err := e.srv.Review.SaveRetrospective(ctx, payResp, inc.ID, review.TeamStage, review.RetroInput{Notes: "by payments"}); err != nil {
			t.Fatalf("a payments responder saves the review of a checkout-api incident: %v", err)
		}
		added, err := e.srv.Review.AddItem(ctx, payResp, inc.ID, review.ItemInput{Title: "Add a timeout alert on checkout-api",
			Category: review.Detect, Term: review.Short, Owner: "pay-resp", DueAt: due(e, 72*time.Hour), Tracker: "none"}, "en")
		if err != nil {
			t.Fatalf("a payments responder adds an action item: %v", err)
		}
		done := review.ItemDone
		if _, err := e.srv.Review.UpdateItem(ctx, payResp, added.Item.ID, review.ItemPatch{Status: &done}); err != nil {
			t.Fatalf("a payments responder closes the item: %v", err)
		}
		for _, u := range []auth.User{e.users["vic"], platResp} {
			_, err := e.srv.Review.SaveRetrospective(ctx, u, inc.ID, review.TeamStage, review.RetroInput{Notes: "outsider"})
			wantCode(t, err, fail.Forbidden, "")
			_, err = e.srv.Review.AddItem(ctx, u, inc.ID, review.ItemInput{Title: "Outsider item", Category: review.Detect,
				Term: review.Short, Owner: u.Name, DueAt: due(e, time.Hour), Tracker: "none"}, "en")
			wantCode(t, err, fail.Forbidden, "")
			open := review.ItemOpen
			_, err = e.srv.Review.UpdateItem(ctx, u, added.Item.ID, review.ItemPatch{Status: &open})
			wantCode(t, err, fail.Forbidden, "")
			if st, err := e.srv.Review.Get(ctx, u, inc.ID); err != nil || len(st.Items) != 1 || st.Stages[0].Notes != "by payments" {
				t.Errorf("%s reads the review: %v, %+v", u.Name, err, st)
			}
		}
	})
}

// TestRecurrencesHideRestrictedIncidents: an incident that repeats a
// restricted one lists it as a recurrence only to those who may see it.
func TestRecurrencesHideRestrictedIncidents(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := openEnv(t, url, nil)
		ctx := context.Background()
		secret, err := e.srv.Incidents.Declare(ctx, e.users["root"], incident.Declaration{Title: "SECRET key exposure on checkout",
			Grade: incident.SEV2, Services: []string{"checkout-api"}, CauseTags: []string{"config-change"}, Visibility: incident.Restricted})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Add(time.Hour)
		later := e.declare(t, "Checkout errors after a config change", incident.SEV3, []string{"checkout-api"}, []string{"config-change"})
		if _, err := e.srv.Review.DetectRecurrence(ctx, later, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		st, err := e.srv.Review.Get(ctx, e.users["root"], later.ID)
		if err != nil || len(st.Recurrences) != 1 || st.Recurrences[0].EarlierID != secret.ID {
			t.Fatalf("admin: recurrences %+v, %v; want the restricted incident (the detection found it)", st, err)
		}
		for _, name := range []string{"vic", "alice"} {
			st, err := e.srv.Review.Get(ctx, e.users[name], later.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Recurrences) != 0 {
				t.Errorf("%s sees the restricted incident as a recurrence: %+v", name, st.Recurrences)
			}
		}
	})
}
