package status

import (
	"testing"

	"github.com/firebreak-oss/firebreak/internal/i18n"
)

// TestEveryMessageHasBothLanguages keeps half-translated strings out.
func TestEveryMessageHasBothLanguages(t *testing.T) {
	for key, m := range messages {
		for i, s := range m {
			if s == "" {
				t.Errorf("%s has no %s text", key, i18n.Languages[i])
			}
		}
	}
}
