package slack

import (
	"net/url"

	"github.com/firebreak-oss/firebreak/internal/textrule"
)

// textProblem applies the text rules every input path shares to the fields
// a command reads, before any subcommand sees them: the command text may
// span lines; the names Slack sends are one line. It returns the field and
// what is wrong with it, or "" when all is well.
func textProblem(f url.Values) (field, problem string) {
	if p := textrule.Problem(f.Get("text"), true, false); p != "" {
		return "text", p
	}
	for _, k := range []string{"command", "user_name", "user_id", "channel_name", "channel_id", "team_id"} {
		if p := textrule.Problem(f.Get(k), false, false); p != "" {
			return k, p
		}
	}
	return "", ""
}
