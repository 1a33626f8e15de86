package textrule_test

import (
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/textrule"
)

func TestRules(t *testing.T) {
	type rule func(field, s string) error
	for _, tc := range []struct {
		name string
		rule rule
		in   string
		ok   bool
	}{
		{"plain title", textrule.Title, "결제 승인 지연 — Payment approvals slow", true},
		{"title with NUL", textrule.Title, "a\x00b", false},
		{"title with bell", textrule.Title, "a\x07b", false},
		{"title with DEL", textrule.Title, "a\x7fb", false},
		{"title with a newline", textrule.Title, "a\nb", false},
		{"title with a tab", textrule.Title, "a\tb", false},
		{"title with RLO", textrule.Title, "invoice \u202Efdp.exe", false},
		{"title with LRI", textrule.Title, "x\u2066y", false},
		{"title with PDI", textrule.Title, "x\u2069y", false},
		{"title with invalid UTF-8", textrule.Title, "a\xffb", false},
		{"line with RLO (not a title)", textrule.Line, "x\u202Ey", true},
		{"line with a tab", textrule.Line, "a\tb", false},
		{"text with tab and newline", textrule.Text, "a\tb\nc", true},
		{"text with CRLF", textrule.Text, "a\r\nb", true},
		{"text with a lone CR", textrule.Text, "a\rb", false},
		{"text ending in CR", textrule.Text, "a\r", false},
		{"text with NUL", textrule.Text, "a\x00", false},
		{"text with ESC", textrule.Text, "\x1b[31mred", false},
		{"text with invalid UTF-8", textrule.Text, "\xc3\x28", false},
		{"empty", textrule.Title, "", true},
	} {
		err := tc.rule("title", tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok=%v", tc.name, err, tc.ok)
			continue
		}
		if err != nil {
			e, ok := fail.As(err)
			if !ok || e.Code != fail.Invalid || e.Field != "title" {
				t.Errorf("%s: %#v does not name the field as invalid", tc.name, err)
			}
		}
	}
	err := textrule.Labels("labels", map[string]string{"team": "pay\x00ments"})
	if e, ok := fail.As(err); !ok || e.Field != "labels.team" || !strings.Contains(e.Message, "NUL") {
		t.Errorf("labels: %v", err)
	}
	err = textrule.Lines("cause_tags", []string{"ok", "bad\x01"})
	if e, ok := fail.As(err); !ok || e.Field != "cause_tags[1]" {
		t.Errorf("lines: %v", err)
	}
}
