package cli

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestActionInputRules: the CLI gets the server's 400 for a due date out of
// range, an unknown language or category and a control character in a
// title, named by the field, and nothing is added — on both databases.
func TestActionInputRules(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		run, pay, _ := twoTeams(t, dbURL)
		cli := func(args ...string) (string, error) {
			return runCLI(t, "", append(args, "--server", run.Base, "--token", pay)...)
		}
		out, err := cli("incident", "declare", "--title", "Checkout slow", "--grade", "SEV4", "--service", "checkout-api")
		if err != nil {
			t.Fatalf("declare: %v %s", err, out)
		}
		ref := regexp.MustCompile(`INC-\d+`).FindString(out)
		add := func(extra ...string) error {
			args := append([]string{"action", "add", ref, "--title", "Add a load test to the release checklist", "--category", "prevent",
				"--owner", "kim", "--due", "2027-03-01", "--tracker", "none"}, extra...)
			_, err := cli(args...)
			return err
		}
		for _, tc := range []struct {
			name  string
			extra []string
			want  string
		}{
			{"due in 1999", []string{"--due", "1999-12-31"}, "due_at: must be on or after 2000-01-01"},
			{"due 11 years ahead", []string{"--due", time.Now().AddDate(11, 0, 0).Format("2006-01-02")}, "due_at: must be at most 10 years ahead"},
			{"unknown lang", []string{"--lang", "kr"}, "lang: must be en or ko"},
			{"unknown category", []string{"--category", "misc"}, "category: must be prevent, detect or handle"},
			{"ESC in the title", []string{"--title", "fix \x1b[31m"}, "title: holds a control character"},
		} {
			if err := add(tc.extra...); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "HTTP 400") {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			}
		}
		list, err := cli("action", "list", "--incident", ref)
		if err != nil || strings.Contains(list, "load test") {
			t.Fatalf("a refused item was added: %v\n%s", err, list)
		}
		if err := add(); err != nil {
			t.Fatalf("a good item: %v", err)
		}
	})
}
