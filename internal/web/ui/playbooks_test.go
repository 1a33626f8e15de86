package ui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/playbook"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// schemaChange finds checkout-api's newest deploy not rollbackable.
type schemaChange struct{}

func (schemaChange) RollbackBlocker(_ context.Context, service string) (string, string, error) {
	if service == "checkout-api" {
		return "schema change: migration 0042 drops orders.coupon", "https://github.com/shop/checkout-api/pull/42", nil
	}
	return "", "", nil
}

// TestPlaybookInTheBrowser runs the demo's rollback workflow from the
// incident page against the built-in demo peer: the Run link opens a page
// showing exactly what is sent, a second confirmation is asked for because
// the newest deploy is not rollbackable, the confirmation sends it, and the result
// reaches the live timeline of a second responder watching the incident.
func TestPlaybookInTheBrowser(t *testing.T) {
	cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	pbs, err := playbook.ParseConfig("demo.yaml", catalog.DemoYAML, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := testutil.StartServerWith(t, func(base string) server.Options {
		pbs.Rebase("http://127.0.0.1:8080", base)
		return server.Options{DatabaseURL: testutil.SQLiteURL(t), Catalog: cat, LivePoll: 200 * time.Millisecond,
			Playbooks: pbs, DemoPeer: true, RollbackBlocker: schemaChange{}}
	})
	testutil.AddUsers(t, run.Server, password, map[string]auth.Role{"pat": auth.Viewer, "quinn": auth.Viewer, "vic": auth.Viewer})
	op := auth.User{Name: auth.SystemActor, Role: auth.Admin}
	for _, name := range []string{"pat", "quinn"} {
		if _, err := run.Server.Users.SetTeamRole(context.Background(), op, name, "payments", auth.TeamResponder); err != nil {
			t.Fatal(err)
		}
	}
	inc, err := run.Server.Incidents.Declare(context.Background(), op, incident.Declaration{
		Title: "결제 승인 지연 Payment approvals slow", Grade: incident.SEV2, Services: []string{"checkout-api"}})
	if err != nil {
		t.Fatal(err)
	}
	page := run.Base + "/incidents/" + inc.Ref()

	b := testutil.StartBrowser(t)
	pat, quinn, vic := b.NewTab(t), b.NewTab(t), b.NewTab(t)
	signIn(t, pat, run.Base, "pat")
	signIn(t, quinn, run.Base, "quinn")
	signIn(t, vic, run.Base, "vic")

	// A viewer sees the playbooks but no Run link.
	vic.Do(t, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#playbooks`)))
	if got := text(t, vic, `#playbooks`); !strings.Contains(got, "Run the rollback workflow") || !strings.Contains(got, "deploy dashboard") {
		t.Fatalf("playbooks as a viewer: %s", got)
	}
	if ok := testutil.Run(t, vic, chromedp.Evaluate[bool](`!document.querySelector('#playbooks a.button') && !!document.querySelector('[data-testid=pb-cannot-run]')`)); !ok {
		t.Fatal("a viewer is offered a Run link")
	}

	quinn.Do(t, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#timeline`)))
	pat.Do(t,
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`#playbooks`)),
	)
	pat.Screenshot(t, "incident-playbooks")
	pat.Do(t,
		chromedp.Click(chromedp.CSS(`[data-testid="pb-run-checkout-api-rollback-2"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#pb-confirm-form`)),
	)
	line := text(t, pat, `#pb-request-line`)
	if !strings.HasPrefix(line, "POST "+run.Base+"/demo/peer/github/repos/shop/checkout-api/actions/workflows/rollback.yml/dispatches") {
		t.Fatalf("request line: %q", line)
	}
	body := text(t, pat, `#pb-body`)
	if !strings.Contains(body, `"ref":"main"`) || !strings.Contains(body, `"incident":"`+inc.Ref()+`"`) {
		t.Fatalf("body: %q", body)
	}
	if h := text(t, pat, `#pb-headers`); !strings.Contains(h, "Bearer ••••••") || strings.Contains(h, playbook.DemoToken) ||
		!strings.Contains(h, "2022-11-28") {
		t.Fatalf("headers: %q", h)
	}
	if demo := text(t, pat, `[data-testid=pb-demo-peer]`); !strings.Contains(demo, "demo peer") {
		t.Fatalf("demo note: %q", demo)
	}
	if warn := text(t, pat, `[data-testid=pb-not-rollbackable]`); !strings.Contains(warn, "drops orders.coupon") {
		t.Fatalf("not-rollbackable warning: %q", warn)
	}
	pat.Screenshot(t, "confirm")
	// The browser holds the form back until the second confirmation is
	// ticked; the server refuses it too (see TestWhoMayRun).
	pat.Do(t, chromedp.Click(chromedp.CSS(`#pb-send`)))
	if ok := testutil.Run(t, pat, chromedp.Evaluate[bool](`!!document.querySelector('#pb-confirm-form') && location.search.includes('service=checkout-api')`)); !ok {
		t.Fatal("the form went without the second confirmation")
	}
	pat.Do(t, chromedp.Click(chromedp.CSS(`#confirm-not-rollbackable`)), chromedp.Click(chromedp.CSS(`#pb-send`)))
	waitFor(t, pat, `location.pathname === '/incidents/`+inc.Ref()+`'`)

	// The watcher's page was loaded before the run: the result comes live.
	waitFor(t, quinn, `document.querySelector('#timeline').innerText.includes('Playbook action succeeded: Run the rollback workflow')`)
	if got := text(t, quinn, `#timeline`); !strings.Contains(got, "Playbook action queued") || !strings.Contains(got, "answered 204") {
		t.Fatalf("timeline: %s", got)
	}
	quinn.Screenshot(t, "live-timeline")
	for _, tab := range []*testutil.Tab{pat, quinn, vic} {
		for _, e := range tab.JSErrors() {
			t.Errorf("JavaScript error: %s", e)
		}
	}
}
