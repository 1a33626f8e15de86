package eventtext

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// kindPatterns find the event kinds the code writes: constants of type
// EventKind (in incident or any other package) and conversions of a string
// to one.
var kindPatterns = []*regexp.Regexp{
	regexp.MustCompile(`EventKind\s*=\s*"([a-z0-9_]+)"`),
	regexp.MustCompile(`EventKind\(\s*"([a-z0-9_]+)"\s*\)`),
	regexp.MustCompile(`newEvent\(\s*"([a-z0-9_]+)"`),
}

// writtenKinds scans every non-test Go file of the module for kinds.
func writtenKinds(t *testing.T) map[incident.EventKind]string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	found := map[incident.EventKind]string{}
	for _, dir := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, re := range kindPatterns {
				for _, m := range re.FindAllStringSubmatch(string(b), -1) {
					rel, _ := filepath.Rel(root, p)
					found[incident.EventKind(m[1])] = rel
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return found
}

// TestEveryWrittenKindHasWording fails when a package declares an event kind
// that the registry cannot name: that kind would show raw on the timeline.
func TestEveryWrittenKindHasWording(t *testing.T) {
	found := writtenKinds(t)
	// The scan must see the kinds of several packages, or it is broken.
	for _, k := range []incident.EventKind{incident.EventDeclared, incident.EventRoleWarning, "report_started", "review_held", "playbook_action_failed", "change_landed", "message_failed"} {
		if _, ok := found[k]; !ok {
			t.Errorf("the source scan did not find kind %q; the patterns are out of date", k)
		}
	}
	for k, where := range found {
		if !Known(k) {
			t.Errorf("event kind %q (written in %s) has no wording in eventtext", k, where)
		}
	}
}

// TestWordingIsComplete checks both languages of every entry: present, not
// the raw kind, and Korean in Hangul.
func TestWordingIsComplete(t *testing.T) {
	hangul := regexp.MustCompile(`\p{Hangul}`)
	for _, k := range Kinds() {
		en, ko := Label(k, "en"), Label(k, "ko")
		if en == "" || ko == "" || en == string(k) || ko == string(k) || strings.Contains(en, "_") {
			t.Errorf("%s: wording %q / %q", k, en, ko)
		}
		if !hangul.MatchString(ko) {
			t.Errorf("%s: Korean wording %q has no Hangul", k, ko)
		}
	}
	if got := Label("some_future_kind", "ko"); got != "이벤트" {
		t.Errorf("an unknown kind reads %q", got)
	}
}
