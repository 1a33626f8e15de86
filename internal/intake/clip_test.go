package intake_test

import (
	"testing"

	"github.com/firebreak-oss/firebreak/internal/intake"
)

func TestClipRunes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"disk full", 4, "disk"},
		{"디스크 가득", 3, "디스크"},
		{"short", 10, "short"},
		{"", 3, ""},
		{"abc", 0, ""},
	} {
		if got := intake.ClipRunes(tc.in, tc.n); got != tc.want {
			t.Errorf("ClipRunes(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
