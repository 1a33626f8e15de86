package fail_test

import (
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

func TestPointerField(t *testing.T) {
	for p, want := range map[string]string{
		"":                    "",
		"/labels/team":        "labels.team",
		"/alerts/0/labels":    "alerts[0].labels",
		"/members/2":          "members[2]",
		"/0":                  "0",
		"/labels/a~1b":        "labels.a/b",
		"/alerts/10/startsAt": "alerts[10].startsAt",
	} {
		if got := fail.PointerField(jsontext.Pointer(p)); got != want {
			t.Errorf("%q: got %q, want %q", p, got, want)
		}
	}
}
