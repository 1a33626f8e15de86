package propagate_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/intake/slack"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// slashCommand posts /incident TEXT as Slack would, signed, and returns the
// answer.
func slashCommand(t *testing.T, base, secret, user, text string) (int, map[string]string) {
	t.Helper()
	body := url.Values{"command": {"/incident"}, "text": {text}, "user_name": {user}, "user_id": {"U1"},
		"team_id": {"T1"}, "channel_name": {"payments-ops"}}.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, _ := http.NewRequest("POST", base+"/hooks/slack", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(slack.HeaderTimestamp, ts)
	req.Header.Set(slack.HeaderSignature, slack.Sign(secret, ts, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestDeclareFromSlack(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		p := startPeers(t)
		opts := p.options(t, url)
		opts.Intake = intake.DefaultConfig()
		opts.Intake.Slack.SigningSecret = "slack-signing-secret"
		run := testutil.StartServer(t, opts)
		if _, err := run.Server.Users.AddUser(ctx, "alice", "", auth.Responder); err != nil {
			t.Fatal(err)
		}
		if _, err := run.Server.Users.AddUser(ctx, "vic", "", auth.Viewer); err != nil {
			t.Fatal(err)
		}
		secret := opts.Intake.Slack.SigningSecret

		status, ans := slashCommand(t, run.Base, secret, "alice", "declare sev2 payments 카드 결제 실패 card payments fail")
		if status != 200 || ans["response_type"] != "in_channel" || !strings.Contains(ans["text"], "INC-1 declared") {
			t.Fatalf("declare: %d %v", status, ans)
		}
		inc, err := run.Server.DB.Incidents().GetIncident(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if inc.Title != "카드 결제 실패 card payments fail" || inc.Grade.String() != "SEV2" || inc.Services[0] != "payments" ||
			inc.CreatedBy != "alice" || inc.Source != "slack" {
			t.Errorf("declared %+v", inc)
		}
		// Told at once, like any declaration: team pay, its dependant shop
		// (SEV2), support; mail and Slack.
		waitFor(t, "the deliveries", func() bool { return count(t, run.Server, inc.ID, notify.EventDelivered) == 6 })

		for _, c := range []struct{ user, text, want string }{
			{"vic", "declare sev2 payments x", "responder role"},
			{"nobody", "declare sev2 payments x", `"nobody" is not a Firebreak user`},
			{"alice", "declare sev2 nope x", `unknown service "nope"`},
			{"alice", "declare sev9 payments x", "sev9"},
			{"alice", "declare sev2 payments", "Usage"},
		} {
			status, ans := slashCommand(t, run.Base, secret, c.user, c.text)
			if status != 200 || ans["response_type"] != "ephemeral" || !strings.Contains(ans["text"], c.want) {
				t.Errorf("%s %q: %d %v, want %q", c.user, c.text, status, ans, c.want)
			}
		}
		if list, _ := run.Server.DB.Incidents().GetIncident(ctx, 2); list != nil {
			t.Error("a refused declaration was stored")
		}
	})
}
