package slack_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestCommandTextRules: a command whose text or names break the text rules
// (NUL, other control characters, bidi controls in a report's title) is
// answered with what is wrong and records nothing, whatever the subcommand.
func TestCommandTextRules(t *testing.T) {
	for _, tc := range []struct{ name, text, user, want string }{
		{"NUL in a report", "report disk\x00full", "jiyoung.kim", "text holds a control character (NUL)"},
		{"ESC in a declaration", "declare SEV2 checkout \x1b[31mdown", "jiyoung.kim", "text holds a control character (U+001B)"},
		{"bell in an update", "update INC-1 still \x07 down", "jiyoung.kim", "text holds a control character (U+0007)"},
		{"RLO in a report title", "report invoice \u202efdp.exe", "jiyoung.kim", "bidirectional"},
		{"control in the user name", "report disk full", "jiyoung\x01kim", "user_name holds a control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acc := &testutil.Acceptor{FirstID: 41}
			h := newHandler(acc)
			v, _ := url.ParseQuery(slackBody(tc.text))
			v.Set("user_name", tc.user)
			body := v.Encode()
			res := do(t, h, http.MethodPost, body, signed(body, now))
			if res.status != http.StatusOK || !strings.Contains(res.Text, "Not recorded") || !strings.Contains(res.Text, tc.want) {
				t.Fatalf("answer = %+v, want %q", res, tc.want)
			}
			if len(acc.Signals()) != 0 {
				t.Fatalf("recorded %d signals", len(acc.Signals()))
			}
		})
	}
}
