package web_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

const leftCatalog = `
teams:
  - name: payments
    email: payments-oncall@example.com
services:
  - name: checkout-api
    team: payments
`

// TestLeftFlipped: a switch flipped during an incident that is then closed
// is listed as left flipped on /flags, and the periodic job (run through
// the real queue) reminds payments by e-mail once: a second run the same
// day stores nothing, the next day's run one more. Flipped back, it is
// neither listed nor reminded.
func TestLeftFlipped(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		cat, err := catalog.Parse("test.yaml", []byte(leftCatalog))
		if err != nil {
			t.Fatal(err)
		}
		run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat})
		op := auth.User{Name: "admin", Role: auth.Admin, Scopes: []auth.Scope{auth.ScopeRead, auth.ScopeWrite}}
		if _, err := run.Server.Users.AddUser(ctx, "admin", "", auth.Admin); err != nil {
			t.Fatal(err)
		}
		if err := run.Server.Passwords.SetPassword(ctx, "admin", "password-admin"); err != nil {
			t.Fatal(err)
		}
		inc, err := run.Server.Incidents.Declare(ctx, op, incident.Declaration{Title: "sheet crashes", Grade: incident.SEV4, Services: []string{"checkout-api"}})
		if err != nil {
			t.Fatal(err)
		}
		const key = "checkout.new-payment-sheet"
		if _, err := run.Server.Flags.Create(ctx, op, flag.Definition{Key: key, Service: "checkout-api", Type: flag.Boolean}); err != nil {
			t.Fatal(err)
		}
		sws := &flag.IncidentSwitches{Flags: run.Server.Flags, Incidents: run.Server.Incidents, Events: run.Server.DB.Flags()}
		if _, _, err := sws.Flip(ctx, op, inc.ID, key, "off", "sheet crashes"); err != nil {
			t.Fatal(err)
		}
		if left, err := run.Server.Flags.LeftFlipped(ctx); err != nil || len(left) != 0 {
			t.Fatalf("left flipped while the incident is open: %v %v", left, err)
		}
		if _, err := run.Server.Incidents.SetStatus(ctx, op, inc.ID, incident.Resolved, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := run.Server.Incidents.SetStatus(ctx, op, inc.ID, incident.Closed, ""); err != nil {
			if _, err := run.Server.Incidents.CloseOverride(ctx, op, inc.ID, "test: no review needed"); err != nil {
				t.Fatal(err)
			}
		}

		reminders := func() int {
			t.Helper()
			var n int
			if err := run.Server.DB.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM outbound_messages WHERE msg_key LIKE 'flag-left:%' AND address = 'payments-oncall@example.com'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if _, err := run.Server.Jobs.Insert(ctx, jobs.FlagLeftArgs{}, nil); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(15 * time.Second); reminders() == 0; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the queued left-flipped check stored no reminder")
			}
		}
		w := &jobs.FlagLeftWorker{Flags: run.Server.Flags, Outbox: run.Server.Outbox, InTx: run.Server.DB.Outbox().InTx,
			TeamOf: func(svc string) (catalog.Team, bool) { s, _ := cat.Service(svc); return cat.Team(s.Team) }}
		if n, err := w.Remind(ctx, time.Now()); err != nil || n != 0 || reminders() != 1 {
			t.Fatalf("a second run the same day: stored %d (%v), %d in all", n, err, reminders())
		}
		if n, err := w.Remind(ctx, time.Now().Add(24*time.Hour)); err != nil || n != 1 || reminders() != 2 {
			t.Fatalf("the next day: stored %d (%v), %d in all", n, err, reminders())
		}
		var subject, text string
		if err := run.Server.DB.SQL.QueryRowContext(ctx, "SELECT subject, body_text FROM outbound_messages WHERE msg_key LIKE 'flag-left:%' ORDER BY id LIMIT 1").Scan(&subject, &text); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(subject, "Kill switch "+key+" is still flipped") || !strings.Contains(text, "flipped to off during "+inc.Ref()) ||
			!strings.Contains(text, "원래대로 되돌리거나") {
			t.Fatalf("reminder: %s\n%s", subject, text)
		}

		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
		if _, err := c.PostForm(run.Base+"/login", url.Values{"name": {"admin"}, "password": {"password-admin"}}); err != nil {
			t.Fatal(err)
		}
		page := fetch(t, c, run.Base+"/flags")
		if page.status != 200 || !strings.Contains(page.body, `data-testid="left-`+key+`"`) || !strings.Contains(page.body, `href="/incidents/`+inc.Ref()+`"`) {
			t.Fatalf("/flags: %d %s", page.status, clip(page.body))
		}
		one := fetch(t, c, run.Base+"/flags/"+key)
		if one.status != 200 || !strings.Contains(one.body, "sheet crashes") || !strings.Contains(one.body, "flipped from default to off") {
			t.Fatalf("/flags/%s: %d %s", key, one.status, clip(one.body))
		}

		if _, _, err := sws.Flip(ctx, op, inc.ID, key, "default", "incident "+inc.Ref()+" closed"); err != nil {
			t.Fatal(err)
		}
		if n, err := w.Remind(ctx, time.Now().Add(48*time.Hour)); err != nil || n != 0 {
			t.Fatalf("flipped back, yet reminded: %d %v", n, err)
		}
		if page := fetch(t, c, run.Base+"/flags"); strings.Contains(page.body, `data-testid="left-`) {
			t.Fatal("flipped back, yet listed as left flipped")
		}
	})
}
