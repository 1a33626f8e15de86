package confyaml_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
)

// readSecret reads the section "s" of text, a config file in dir, with one
// secret called token; required says whether it must be given.
func readSecret(t *testing.T, dir, text string, required bool) (string, error) {
	t.Helper()
	var got string
	r := &confyaml.Reader{}
	err := confyaml.ReadSection(r, filepath.Join(dir, "f.yaml"), []byte(text), "s", func(f confyaml.Field) {
		path := f.Key.Value // the top level's paths start with a dot
		fields, ok := r.Fields(f.Val, path)
		if !ok {
			return
		}
		token := confyaml.Secret{Base: "token"}
		for _, g := range fields {
			if !token.Read(r, g) {
				r.Unknown(g)
			}
		}
		if required {
			got = token.Required(r, f.Val, path, "the bot's token")
		} else {
			got = token.Optional(r, path)
		}
		if got == "bad" {
			token.Errorf(r, "must not be %q", got)
		}
	})
	return got, err
}

// TestSecret: a secret is read inline, from an environment variable or from
// a file beside the config (space trimmed); each way it can go wrong is
// reported at its key with the field's path.
func TestSecret(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tok"), []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FB_TEST_SECRET", " from-env ")
	t.Setenv("FB_TEST_EMPTY", "")
	for _, tc := range []struct {
		name, yaml string
		required   bool
		want, err  string
	}{
		{"inline", "s:\n  token: abc\n", true, "abc", ""},
		{"env", "s:\n  token_env: FB_TEST_SECRET\n", true, "from-env", ""},
		{"file relative to the config", "s:\n  token_file: tok\n", true, "from-file", ""},
		{"file absolute", "s:\n  token_file: " + filepath.Join(dir, "tok") + "\n", true, "from-file", ""},
		{"optional, absent", "s:\n  other: 1\n", false, "", "f.yaml:2:3: s.other: unknown field"},
		{"optional, given", "s:\n  token: abc\n", false, "abc", ""},
		{"required, absent", "s: {}\n", true, "", "f.yaml:1:4: s.token: required: the bot's token, as token, token_env or token_file"},
		{"env not set", "s:\n  token_env: FB_TEST_NOT_SET_ANYWHERE\n", true, "", "f.yaml:2:14: s.token_env: environment variable FB_TEST_NOT_SET_ANYWHERE is not set"},
		{"env empty", "s:\n  token_env: FB_TEST_EMPTY\n", true, "", "f.yaml:2:14: s.token_env: environment variable FB_TEST_EMPTY is not set"},
		{"file missing", "s:\n  token_file: nope\n", true, "", "f.yaml:2:15: s.token_file: cannot read the file: open " + filepath.Join(dir, "nope")},
		{"given twice", "s:\n  token: abc\n  token_env: FB_TEST_SECRET\n", false, "", "f.yaml:3:14: s: give one of token, token_env and token_file; got token and token_env"},
		{"value refused at its key", "s:\n  token: bad\n", true, "bad", "f.yaml:2:10: s.token: must not be \"bad\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readSecret(t, dir, tc.yaml, tc.required)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.err != "" && (err == nil || !strings.HasPrefix(err.Error(), filepath.Join(dir, tc.err))):
				t.Fatalf("error %v, want %s", err, tc.err)
			}
			if got != tc.want {
				t.Errorf("secret %q, want %q", got, tc.want)
			}
		})
	}
}
