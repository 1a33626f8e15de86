package slack_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/intake/slack"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/textrule"
)

// FuzzSlackCommand: any text after /incident, correctly signed, gets an
// answer Slack can show (JSON with a text), never a panic; a report it
// records meets the text rules.
func FuzzSlackCommand(f *testing.F) {
	for _, s := range []string{"report 결제 페이지가 안 열려요\n카드 결제 시 오류", "report", "update INC-7 복구 중", "declare sev2 payments 카드 결제 실패",
		"mitigate INC-3", "help", "", "REPORT   spaced", "report \u202eevil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		acc := &testutil.Acceptor{FirstID: 41}
		h := slack.NewHandler(secret, acc, func() time.Time { return now }, nil)
		body := slackBody(text)
		ts := strconv.FormatInt(now.Unix(), 10)
		req := httptest.NewRequest("POST", "/hooks/slack", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(slack.HeaderTimestamp, ts)
		req.Header.Set(slack.HeaderSignature, slack.Sign(secret, ts, []byte(body)))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("status %d for %q: %s", w.Code, text, w.Body.String())
		}
		var answer struct{ Text string }
		if err := json.Unmarshal(w.Body.Bytes(), &answer); err != nil || answer.Text == "" {
			t.Fatalf("answer is not Slack's JSON for %q: %s", text, w.Body.String())
		}
		for _, s := range acc.Signals() {
			if p := textrule.Problem(s.Title, false, true); p != "" {
				t.Fatalf("recorded a title that %s: %q", p, s.Title)
			}
		}
	})
}
