package lineworks

import (
	"strings"
	"testing"
)

func TestPlainTextDropsChatMarks(t *testing.T) {
	for in, want := range map[string]string{
		"*SEV1 incident INC-3 declared: 결제 실패*\n_Tell partners._": "SEV1 incident INC-3 declared: 결제 실패\nTell partners.",
		"a*b*c stays, snake_case_name stays":                      "a*b*c stays, snake_case_name stays",
		strings.Repeat("가", 2500):                                 strings.Repeat("가", 1999) + "…",
	} {
		if got := plainText(in); got != want {
			t.Errorf("plainText(%.40q) = %.40q", in, got)
		}
	}
}
