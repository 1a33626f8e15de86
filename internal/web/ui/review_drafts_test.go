package ui

import (
	"net/url"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/review"
)

// TestKeepDrafts: saving the team review keeps what was typed in the
// developer review, and says it is not saved; a stage whose post matches
// what is stored is not flagged.
func TestKeepDrafts(t *testing.T) {
	v := &view{Lang: "ko", translator: translatorFor("ko"), Zone: time.UTC, Now: time.Now()}
	st := &review.State{Stages: []review.Retrospective{
		{Stage: "team", Notes: "saved team notes"},
		{Stage: "developer", Notes: "old", Attendees: []string{"bob"}},
	}}
	f := url.Values{
		"team.notes": {"new team notes"}, "team.facilitator": {"alice"},
		"developer.notes": {"typed, not saved"}, "developer.chain": {"A → B"}, "developer.attendees": {"bob", "carol"},
	}
	unsaved := keepDrafts(v, st, f, "team")
	if len(unsaved) != 1 || unsaved[0] != "developer" {
		t.Fatalf("unsaved = %v", unsaved)
	}
	if st.Stages[0].Notes != "saved team notes" {
		t.Errorf("the saved stage shows %q, not what is stored", st.Stages[0].Notes)
	}
	d := st.Stages[1]
	if d.Notes != "typed, not saved" || d.Narrative.Chain != "A → B" || len(d.Attendees) != 2 {
		t.Errorf("developer draft lost: %+v", d)
	}
	same := &review.State{Stages: []review.Retrospective{{Stage: "team"}, {Stage: "developer", Notes: "x"}}}
	if u := keepDrafts(v, same, url.Values{"team.notes": {"y"}, "developer.notes": {"x"}}, "team"); len(u) != 0 {
		t.Errorf("an unchanged stage is flagged: %v", u)
	}
	if got := stageValue(url.Values{"notes": {"one form"}}, "team", "notes"); got != "one form" {
		t.Errorf("a one-stage post reads %q", got)
	}
}
