package review

import (
	"fmt"

	"github.com/firebreak-oss/firebreak/internal/textrule"
)

// checkItemText applies the text rules every input path shares to an
// action item: the title and task force are one line (the title with no
// bidirectional controls), the description may span lines.
func checkItemText(it *ActionItem) error {
	if err := textrule.Title("title", it.Title); err != nil {
		return err
	}
	if err := textrule.Text("description", it.Description); err != nil {
		return err
	}
	if err := textrule.Line("owner", it.Owner); err != nil {
		return err
	}
	return textrule.Line("task_force", it.TaskForce)
}

// checkRetroText applies the text rules to a review stage: the notes and
// the narrative may span lines; names are one line.
func checkRetroText(in RetroInput) error {
	if err := textrule.Line("facilitator", in.Facilitator); err != nil {
		return err
	}
	for i, a := range in.Attendees {
		if err := textrule.Line(fmt.Sprintf("attendees[%d]", i), a); err != nil {
			return err
		}
	}
	if err := textrule.Text("notes", in.Notes); err != nil {
		return err
	}
	if err := textrule.Text("narrative.background", in.Narrative.Background); err != nil {
		return err
	}
	if err := textrule.Text("narrative.trigger", in.Narrative.Trigger); err != nil {
		return err
	}
	if err := textrule.Text("narrative.chain", in.Narrative.Chain); err != nil {
		return err
	}
	return textrule.Text("narrative.impact", in.Narrative.Impact)
}
