package propagate_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

const configYAML = `
teams:
  - name: pay
    email: pay@example.com
    chat_channel: "#pay"
  - name: shop
    email: shop@example.com
    chat_channel: "#shop"
  - name: search
    email: search@example.com
    chat_channel: "#search"
services:
  - name: payments
    team: pay
  - name: checkout
    team: shop
    depends_on: [payments]
  - name: finder
    team: search
policy:
  language: en
  time_zone: Asia/Seoul
  base_url: https://fb.example.com
  grades:
    SEV2:
      guide:
        ko: 30분 안에 파트너사에 알립니다.
  departments:
    - name: support
      from_grade: SEV3
      email: support@example.com
      slack: "#support"
      lang: ko
  partners:
    - name: acme
      from_grade: SEV2
      webhook: WEBHOOK
      secret: acme-secret
`

// quickRetry retries after 50 ms, so tests see retries without waiting.
type quickRetry struct{}

func (quickRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(50 * time.Millisecond)
}

type peers struct {
	mail  *testutil.MailSink
	slack *testutil.SlackAPI
	hook  *testutil.WebhookReceiver
}

func startPeers(t *testing.T) *peers {
	return &peers{
		mail:  testutil.StartMailSink(t),
		slack: testutil.StartSlackAPI(t, "xoxb-test-token"),
		hook:  testutil.StartWebhookReceiver(t, "acme-secret"),
	}
}

// options builds a server's options whose channels reach the peers.
func (p *peers) options(t *testing.T, dbURL string) server.Options {
	t.Helper()
	yaml := []byte(strings.Replace(configYAML, "WEBHOOK", p.hook.URL, 1))
	cat, pol := parseConfig(t, yaml)
	return server.Options{
		DatabaseURL: dbURL, Catalog: cat, Policy: pol,
		Notify: &notify.Config{
			Email: &notify.EmailConfig{Host: p.mail.Host, Port: p.mail.Port, From: "Firebreak <fb@example.com>", TLS: "none"},
			Slack: &notify.SlackConfig{Token: p.slack.Token, APIURL: p.slack.URL},
		},
		Jobs: jobs.Config{PollInterval: 100 * time.Millisecond, RetryPolicy: quickRetry{}, MaxAttempts: 5},
	}
}

// parseConfig reads the catalog and the policy of a config file's text,
// checking the policy's service names against the catalog.
func parseConfig(t testing.TB, yaml []byte) (*catalog.Catalog, *policy.Policy) {
	t.Helper()
	cat, err := catalog.Parse("f.yaml", yaml)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.ParseConfig("f.yaml", yaml, func(s string) bool { _, ok := cat.Service(s); return ok })
	if err != nil {
		t.Fatal(err)
	}
	return cat, pol
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func count(t *testing.T, srv *server.Server, incidentID int64, kind incident.EventKind) int {
	t.Helper()
	evs, err := srv.DB.Incidents().ListEvents(context.Background(), incidentID, 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

func mailTo(ms []testutil.ReceivedMail, addr string) []testutil.ReceivedMail {
	var out []testutil.ReceivedMail
	for _, m := range ms {
		for _, to := range m.To {
			if to == addr {
				out = append(out, m)
			}
		}
	}
	return out
}

func TestDeclareTellsTargetsAndRaiseTellsOnlyNewOnes(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		p := startPeers(t)
		run := testutil.StartServer(t, p.options(t, url))
		srv := run.Server
		alice := auth.User{Name: "alice", Role: auth.Responder}

		// SEV3 on payments: the owning team (mail, Slack) and support (ko).
		inc, err := srv.Incidents.Declare(ctx, auth.User{Name: alice.Name, Role: auth.Admin}, incident.Declaration{Title: "Card payments fail", Grade: incident.SEV3,
			Services: []string{"payments"}, Visibility: incident.Public})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "four deliveries", func() bool { return count(t, srv, inc.ID, notify.EventDelivered) == 4 })
		mails := p.mail.Messages()
		if len(mails) != 2 {
			t.Fatalf("%d mails, want 2 (team pay, support)", len(mails))
		}
		pay := mailTo(mails, "pay@example.com")[0]
		if pay.Subject() != "[SEV3] "+inc.Ref()+" Card payments fail" || !strings.Contains(pay.Text, "https://fb.example.com/incidents/") ||
			!strings.Contains(pay.Text, "owns payments") || !strings.Contains(pay.HTML, "<strong>Card payments fail</strong>") {
			t.Errorf("team mail: %q\n%s\n%s", pay.Subject(), pay.Text, pay.HTML)
		}
		support := mailTo(mails, "support@example.com")[0]
		if !strings.Contains(support.Text, "장애") || !strings.Contains(support.Text, "KST") {
			t.Errorf("support's mail is not Korean in Seoul time:\n%s", support.Text)
		}
		calls := p.slack.Calls()
		if len(calls) != 2 {
			t.Fatalf("%d Slack calls, want 2: %+v", len(calls), calls)
		}
		for _, c := range calls {
			if c.Method != "chat.postMessage" || c.ThreadTS != "" || len(c.Blocks) != 1 || c.Blocks[0]["type"] != "section" {
				t.Errorf("summary post %+v", c)
			}
		}
		if len(p.hook.Handled()) != 0 {
			t.Error("a SEV3 reached the partner")
		}

		// Raised to SEV2: the dependant team and the partner are new; the
		// others hear nothing more.
		sev2 := incident.SEV2
		if _, err := srv.Incidents.Update(ctx, alice, inc.ID, incident.Patch{Grade: &sev2}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "seven deliveries", func() bool { return count(t, srv, inc.ID, notify.EventDelivered) == 7 })
		if got := len(p.mail.Messages()); got != 3 {
			t.Errorf("%d mails after the raise, want 3", got)
		}
		shop := mailTo(p.mail.Messages(), "shop@example.com")
		if len(shop) != 1 || !strings.Contains(shop[0].Text, "the grade was raised to SEV2") || !strings.Contains(shop[0].Text, "depends on payments") {
			t.Errorf("dependant team's mail: %+v", shop)
		}
		hooks := p.hook.Handled()
		if len(hooks) != 1 {
			t.Fatalf("partner got %d webhooks, want 1", len(hooks))
		}
		var body struct {
			Kind     string `json:"kind"`
			Incident struct {
				Ref, Grade string
			} `json:"incident"`
		}
		if err := json.Unmarshal(hooks[0], &body); err != nil || body.Kind != "declared" || body.Incident.Grade != "SEV2" || body.Incident.Ref != inc.Ref() {
			t.Errorf("webhook body %s (%v)", hooks[0], err)
		}

		// A status update goes to every target: Slack in the summary's
		// thread, with the summary brought up to date.
		_, err = srv.Incidents.PostUpdate(ctx, alice, inc.ID, incident.StatusUpdate{Text: "Rolled back the release; payments recover.", Public: true})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the update's deliveries", func() bool { return count(t, srv, inc.ID, notify.EventDelivered) == 14 })
		if n := len(mailTo(p.mail.Messages(), "pay@example.com")); n != 2 {
			t.Errorf("team pay got %d mails, want 2", n)
		}
		var threaded, updated int
		for _, c := range p.slack.Calls() {
			if c.ThreadTS != "" && strings.Contains(c.Text, "Rolled back") {
				threaded++
			}
			if c.Method == "chat.update" && strings.Contains(c.Text, "SEV2") {
				updated++
			}
		}
		if threaded != 3 || updated != 3 {
			t.Errorf("%d thread replies and %d summary updates, want 3 and 3 (pay, support, shop)", threaded, updated)
		}
		if len(p.hook.Handled()) != 2 || p.hook.BadlySigned() != 0 {
			t.Errorf("partner handled %d, %d badly signed", len(p.hook.Handled()), p.hook.BadlySigned())
		}

		// Widened to finder: only its team is new, and hears why.
		mailsBefore, callsBefore := len(p.mail.Messages()), len(p.slack.Calls())
		widened := []string{"payments", "finder"}
		if _, err := srv.Incidents.Update(ctx, alice, inc.ID, incident.Patch{Services: &widened}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the widening's deliveries", func() bool { return count(t, srv, inc.ID, notify.EventDelivered) == 16 })
		mails = p.mail.Messages()[mailsBefore:]
		if len(mails) != 1 || mails[0].To[0] != "search@example.com" || !strings.Contains(mails[0].Text, "the affected scope widened") {
			t.Errorf("after widening, mails %+v", mails)
		}
		calls = p.slack.Calls()[callsBefore:]
		if len(calls) != 1 || calls[0].Channel != "#search" || calls[0].Method != "chat.postMessage" {
			t.Errorf("after widening, Slack calls %+v", calls)
		}
		if len(p.hook.Handled()) != 2 {
			t.Errorf("the partner was told again of a widening that adds nothing for it")
		}
	})
}
