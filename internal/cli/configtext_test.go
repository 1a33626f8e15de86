package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckConfigTextRules: check-config (and so serve, which loads the file
// the same way) refuses a control character or a bidi control that a YAML
// escape put into a name, a title or a template, naming file, line and
// field, alongside the sections' own errors.
func TestCheckConfigTextRules(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	body := "teams:\n  - name: \"pay\\0ments\"\nservices:\n  - name: checkout\n    team: payments\n    title: \"checkout \\u202Egnp.exe\"\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	root := NewRoot(&out, &errOut)
	root.SetArgs([]string{"check-config", path})
	err := root.Execute()
	for _, want := range []string{"bad.yaml:2:11: teams[0].name: holds a control character (NUL) at byte 3",
		"bad.yaml:6:12: services[0].title: holds a bidirectional control character (U+202E)"} {
		if err == nil || !strings.Contains(errOut.String(), want) {
			t.Errorf("want %q; got %v\n%s", want, err, errOut.String())
		}
	}
}
