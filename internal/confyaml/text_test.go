package confyaml_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
)

// TestCheckTextFile: escapes that YAML turns into NUL, other control
// characters or bidi controls are refused with file, line and field; a
// multi-line template with tabs is fine.
func TestCheckTextFile(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, field string
		line              int
	}{
		{"NUL in a team name", "teams:\n  - name: \"pay\\0ments\"\n", "teams[0].name", 2},
		{"ESC in a template", "policy:\n  templates:\n    sev1:\n      en: \"\\e[31mred\"\n", "policy.templates.sev1.en", 4},
		{"RLO in a title", "flags:\n  - key: a\n    title: \"gpj\\u202Eexe\"\n", "flags[0].title", 3},
		{"newline in a name", "services:\n  - name: \"a\\nb\"\n", "services[0].name", 2},
		{"bell in a key", "intake:\n  \"a\\a\": 1\n", "intake.a\a", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "firebreak.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			err := confyaml.CheckTextFile(path)
			var fe confyaml.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || fe.Line != tc.line || fe.File != path {
				t.Fatalf("got %v, want %s at line %d", err, tc.field, tc.line)
			}
		})
	}
	path := filepath.Join(t.TempDir(), "firebreak.yaml")
	good := "policy:\n  templates:\n    sev1:\n      en: \"line 1\\n\\tline 2\"\n      ko: |\n        장애가 발생했습니다.\n        조치 중입니다.\nteams:\n  - name: 결제\n"
	if err := os.WriteFile(path, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := confyaml.CheckTextFile(path); err != nil {
		t.Fatalf("a good file: %v", err)
	}
}
