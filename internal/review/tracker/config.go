package tracker

import "github.com/firebreak-oss/firebreak/internal/review"

// FromConfig returns a client for every tracker the review section
// configures.
func FromConfig(c *review.Config) map[review.Tracker]review.IssueTracker {
	out := map[review.Tracker]review.IssueTracker{}
	if c.Jira.Enabled() {
		out[review.Jira] = NewJira(c.Jira)
	}
	if c.GitHub.Enabled() {
		out[review.GitHub] = NewGitHub(c.GitHub)
	}
	return out
}
