package ui

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/review"
)

// The review page holds every stage in one form; each stage's save button
// posts the whole form to that stage's address, which saves only that
// stage. What was typed in the other stages came along in the post, so the
// page is shown again with it in place instead of losing it: no script
// needed, and nothing the writer did not ask to save is saved.

// stageField reads one field of a stage: "team.notes" from the page's form
// of all stages, else "notes" from a form that posts one stage alone.
func stageField(f url.Values, stage review.Stage, name string) []string {
	if xs, ok := f[string(stage)+"."+name]; ok {
		return xs
	}
	return f[name]
}

func stageValue(f url.Values, stage review.Stage, name string) string {
	if xs := stageField(f, stage, name); len(xs) > 0 {
		return xs[0]
	}
	return ""
}

// keepDrafts puts what was posted for each stage but saved into the state
// to show, and returns the stages whose posted text differs from what is
// stored. saved is "" when the save was refused: then every stage shows
// what was posted.
func keepDrafts(v *view, st *review.State, f url.Values, saved review.Stage) []review.Stage {
	var unsaved []review.Stage
	for i := range st.Stages {
		r := &st.Stages[i]
		if r.Stage == saved || !posted(f, r.Stage) {
			continue
		}
		draft := *r
		draft.Facilitator = stageValue(f, r.Stage, "facilitator")
		draft.Attendees = stageField(f, r.Stage, "attendees")
		draft.Notes = stageValue(f, r.Stage, "notes")
		draft.Narrative = review.Narrative{Background: stageValue(f, r.Stage, "background"), Trigger: stageValue(f, r.Stage, "trigger"),
			Chain: stageValue(f, r.Stage, "chain"), Impact: stageValue(f, r.Stage, "impact")}
		if at, err := formTime(v, "scheduled_at", stageValue(f, r.Stage, "scheduled_at"), false); err == nil {
			draft.ScheduledAt = at
		}
		held := stageValue(f, r.Stage, "held") == "1"
		if held && draft.HeldAt == nil {
			now := v.Now
			draft.HeldAt = &now
		} else if !held {
			draft.HeldAt = nil
		}
		if differs(v, *r, draft) {
			unsaved = append(unsaved, r.Stage)
		}
		*r = draft
	}
	return unsaved
}

// posted reports whether the form carried the stage's fields.
func posted(f url.Values, stage review.Stage) bool {
	_, ok := f[string(stage)+".notes"]
	return ok
}

func differs(v *view, a, b review.Retrospective) bool {
	return a.Facilitator != b.Facilitator || !slices.Equal(nonNil(a.Attendees), nonNil(b.Attendees)) || a.Notes != b.Notes ||
		a.Narrative != b.Narrative || v.LocalInput(a.ScheduledAt) != v.LocalInput(b.ScheduledAt) || (a.HeldAt == nil) != (b.HeldAt == nil)
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// saveStage saves the stage the button named, then goes back to the page;
// when the other stages hold typed, unsaved text, the page is shown again
// with that text in place.
func (u *UI) saveStage(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := u.incidentRef(w, r, v)
	if !ok {
		return
	}
	stage := review.Stage(r.PathValue("stage"))
	f := r.PostForm
	err := func() error {
		at, err := formTime(v, "scheduled_at", stageValue(f, stage, "scheduled_at"), false)
		if err != nil {
			return err
		}
		attendees := append(slices.Clone(stageField(f, stage, "attendees")), splitNames(stageValue(f, stage, "attendees_more"))...)
		_, err = u.Review.SaveRetrospective(r.Context(), v.User, id, stage, review.RetroInput{
			ScheduledAt: at, Facilitator: stageValue(f, stage, "facilitator"), Attendees: attendees,
			Notes: stageValue(f, stage, "notes"), Held: stageValue(f, stage, "held") == "1",
			Narrative: review.Narrative{Background: stageValue(f, stage, "background"), Trigger: stageValue(f, stage, "trigger"),
				Chain: stageValue(f, stage, "chain"), Impact: stageValue(f, stage, "impact")},
		})
		return err
	}()
	if err != nil {
		u.renderReview(w, r, v, err, nil)
		return
	}
	if st, gerr := u.Review.Get(r.Context(), v.User, id); gerr == nil && len(keepDrafts(v, st, f, stage)) > 0 {
		u.renderReview(w, r, v, nil, nil)
		return
	}
	http.Redirect(w, r, "/incidents/"+incident.FormatRef(id)+"/review#stage-"+string(stage), http.StatusSeeOther)
}

// Unsaved reports whether the page shows typed, unsaved text for stage.
func (p reviewPage) IsUnsaved(stage review.Stage) bool { return slices.Contains(p.Unsaved, stage) }
