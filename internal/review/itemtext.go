package review

import "github.com/firebreak-oss/firebreak/internal/textrule"

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
