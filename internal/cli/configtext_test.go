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
	body := "teams:\n  - name: \"pay\\0ments\"\nservices:\n  - name: checkout\n    team: payments\n    title: \"checkout \\u202Egnp.exe\"\n"
	_, errOut, err := checkConfig(t, t.TempDir(), "bad.yaml", body)
	for _, want := range []string{"bad.yaml:2:11: teams[0].name: holds a control character (NUL) at byte 3",
		"bad.yaml:6:12: services[0].title: holds a bidirectional control character (U+202E)"} {
		if err == nil || !strings.Contains(errOut, want) {
			t.Errorf("want %q; got %v\n%s", want, err, errOut)
		}
	}
}

// checkConfig writes body as the config file name in dir and runs
// `check-config` on it, returning what it printed and its error.
func checkConfig(t *testing.T, dir, name, body string) (out, errOut string, err error) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	root := NewRoot(&o, &e)
	root.SetArgs([]string{"check-config", p})
	err = root.Execute()
	return o.String(), e.String(), err
}
