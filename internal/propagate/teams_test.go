package propagate_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/propagate"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/teamtarget"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestTeamsDepartment: a department told in a Microsoft Teams channel is in
// the declaration's preview, gets an Adaptive Card in its language when the
// incident is declared and a new card with the same heading for each
// status update; a department whose flow is gone is told by e-mail instead.
func TestTeamsDepartment(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		wf := testutil.StartTeamsWorkflows(t)
		mail := testutil.StartMailSink(t)
		cat, pol := parseConfig(t, []byte(`
teams:
  - name: pay
services:
  - name: payments
    team: pay
policy:
  base_url: https://fb.example.com
  departments:
    - name: cs
      from_grade: SEV3
      teams: cs-room
      lang: ko
    - name: pr
      from_grade: SEV3
      email: pr@example.com
      teams: pr-room
`))
		run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Policy: pol,
			Notify: &notify.Config{
				Email: &notify.EmailConfig{Host: mail.Host, Port: mail.Port, From: "fb@example.com", TLS: "none"},
				Teams: &notify.TeamsConfig{Channels: []notify.TeamsChannel{
					{Name: "cs-room", WebhookURL: wf.Flow("cs", "sig-cs")},
					{Name: "pr-room", WebhookURL: wf.URL + "/workflows/deleted/triggers/manual/paths/invoke?sig=x"},
				}},
			},
			Jobs: jobs.Config{PollInterval: 100 * time.Millisecond, RetryPolicy: quickRetry{}, MaxAttempts: 5},
		})
		alice := auth.User{Name: "alice", Role: auth.Responder}
		preview, err := run.Server.Propagate.Preview(t.Context(), propagate.Draft{Title: "Card payments fail", Grade: incident.SEV3,
			Services: []string{"payments"}, By: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		var previewed []string
		for _, m := range preview.Messages {
			if m.Target.Channel == policy.ChannelTeams {
				previewed = append(previewed, m.Target.Address)
			}
		}
		if strings.Join(previewed, " ") != "cs-room pr-room" {
			t.Errorf("preview shows Teams targets %v", previewed)
		}

		inc, err := run.Server.Incidents.Declare(t.Context(), alice,
			incident.Declaration{Title: "Card payments fail", Grade: incident.SEV3, Services: []string{"payments"}})
		if err != nil {
			t.Fatal(err)
		}
		// cs's card, pr's e-mail, and pr's card given up for a second e-mail.
		waitFor(t, "three deliveries", func() bool { return count(t, run.Server, inc.ID, notify.EventDelivered) == 3 })
		if _, err := run.Server.Incidents.PostUpdate(t.Context(), alice, inc.ID, incident.StatusUpdate{Text: "롤백했습니다."}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the update's card", func() bool { return len(wf.Posts()) == 2 })
		posts := wf.Posts()
		heading := inc.Ref() + " · Card payments fail"
		if p := posts[0]; p.Texts[0] != heading || p.Texts[1] != "SEV3 · 장애 선언" || !strings.Contains(p.Texts[2], "장애") ||
			!strings.HasPrefix(p.OpenURL, "https://fb.example.com/") {
			t.Errorf("declaration card %q → %s", p.Texts, p.OpenURL)
		}
		if p := posts[1]; p.Texts[0] != heading || p.Texts[1] != "SEV3 · 진행 상황" || !strings.Contains(p.Texts[2], "롤백했습니다.") {
			t.Errorf("update card %q", p.Texts)
		}
		if p := posts[0]; p.Card["version"] != "1.4" || p.Card["body"].([]any)[0].(map[string]any)["style"] != "warning" {
			t.Errorf("card %v", p.Card)
		}
		waitFor(t, "pr's two mails", func() bool { return len(mailTo(mail.Messages(), "pr@example.com")) >= 2 })
		if count(t, run.Server, inc.ID, notify.EventFailed) < 1 {
			t.Error("the deleted flow's failure is not on the timeline")
		}

		// A team may add a Teams channel the notify config names, and no other.
		admin := auth.User{Name: "ada", Role: auth.Admin}
		if _, err := run.Server.TeamTargets.Add(t.Context(), admin, "pay", teamtarget.Input{Channel: "teams", Address: "cs-room"}); err != nil {
			t.Errorf("known Teams channel refused: %v", err)
		}
		_, err = run.Server.TeamTargets.Add(t.Context(), admin, "pay", teamtarget.Input{Channel: "teams", Address: "elsewhere"})
		if e, ok := fail.As(err); !ok || e.Field != "address" || !strings.Contains(e.Message, `no teams target named "elsewhere"`) {
			t.Errorf("unknown Teams channel: %v", err)
		}
	})
}
