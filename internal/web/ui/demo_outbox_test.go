package ui_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// startDemoSite runs a Firebreak as `serve --demo` does: the demo catalog
// with its policy, and every channel delivering to the demo outbox.
func startDemoSite(t *testing.T, dbURL string) *site {
	t.Helper()
	cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.ParseConfig("demo.yaml", catalog.DemoYAML, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Policy: pol, DemoOutbox: true,
		LivePoll: 200 * time.Millisecond})
	testutil.AddUsers(t, run.Server, password, map[string]auth.Role{"ada": auth.Admin, "alice": auth.Responder, "vic": auth.Viewer})
	return &site{base: run.Base, srv: run.Server}
}

// TestDemoOutboxShowsWhatEachTargetGets declares a SEV1 in the demo: every
// target the demo policy names (owning team, dependants, departments, the
// partner's webhook) gets its message delivered to the demo outbox, and the
// page shows each one with its channel, target, subject and text, saying it
// is demo-only. Only admins see it; without --demo it does not exist.
func TestDemoOutboxShowsWhatEachTargetGets(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		s := startDemoSite(t, dbURL)
		inc, err := s.srv.Incidents.Declare(t.Context(), auth.User{Name: "ada", Role: auth.Admin},
			incident.Declaration{Title: "결제 실패 Checkout failing", Grade: incident.SEV1, Services: []string{"checkout-api"},
				Visibility: incident.Public}) // partners hear of public incidents only
		if err != nil {
			t.Fatal(err)
		}
		ada := httpSession(t, s.base, "ada")
		want := []string{"leadership@example.com", "pr@example.com", "#pr", "https://partner.example.com/firebreak/incidents",
			"payments@example.com", "#payments-oncall", inc.Ref(), "pr-room", "leadership-room", "Microsoft Teams", "LINE WORKS"}
		deadline := time.Now().Add(30 * time.Second)
		var page string
		for {
			var code int
			code, page = get(t, ada, s.base+"/demo/outbox")
			if code != http.StatusOK {
				t.Fatalf("demo outbox: %d\n%s", code, page)
			}
			missing := ""
			for _, w := range want {
				if !strings.Contains(page, w) {
					missing = w
				}
			}
			if missing == "" && !strings.Contains(page, "msg-pending") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the demo outbox never showed every target delivered (missing %q):\n%s", missing, page)
			}
			time.Sleep(200 * time.Millisecond)
		}
		for _, w := range []string{`id="demo-only"`, "Demo only", `class="msg-sent"`, `id="nav-demo-outbox"`, "결제 실패 Checkout failing"} {
			if !strings.Contains(page, w) {
				t.Errorf("demo outbox lacks %q", w)
			}
		}
		if strings.Contains(page, "msg-failed") || strings.Contains(page, "is configured") {
			t.Errorf("a demo message failed:\n%s", page)
		}
		// Each message went through the normal outbox: stored, and its
		// delivery recorded on the incident's timeline.
		_, incPage := get(t, ada, s.base+"/incidents/"+inc.Ref())
		if !strings.Contains(incPage, `class="msg msg-sent"`) {
			t.Errorf("incident page shows no message sent:\n%s", incPage)
		}

		if code, _ := get(t, httpSession(t, s.base, "vic"), s.base+"/demo/outbox"); code != http.StatusForbidden {
			t.Errorf("a viewer got the demo outbox: %d", code)
		}
	})
}

// TestNoDemoOutboxWithoutDemo: a server not started with --demo has no
// demo outbox page and no link to it.
func TestNoDemoOutboxWithoutDemo(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	testutil.AddUsers(t, s.srv, password, map[string]auth.Role{"ada": auth.Admin})
	ada := httpSession(t, s.base, "ada")
	if code, _ := get(t, ada, s.base+"/demo/outbox"); code != http.StatusNotFound {
		t.Errorf("GET /demo/outbox without --demo: %d, want 404", code)
	}
	if _, page := get(t, ada, s.base+"/incidents"); strings.Contains(page, "/demo/outbox") {
		t.Error("the header links the demo outbox without --demo")
	}
}

// TestDemoOutboxInTheBrowser opens the demo outbox from the header in
// Korean and English, for the screenshots a new user would see.
func TestDemoOutboxInTheBrowser(t *testing.T) {
	s := startDemoSite(t, testutil.SQLiteURL(t))
	if _, err := s.srv.Incidents.Declare(t.Context(), auth.User{Name: "alice", Role: auth.Responder},
		incident.Declaration{Title: "결제 지연 Payments slow", Grade: incident.SEV2, Services: []string{"checkout-api"}}); err != nil {
		t.Fatal(err)
	}
	// The page does not update live: wait until the deliveries are done.
	ada := httpSession(t, s.base, "ada")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		_, page := get(t, ada, s.base+"/demo/outbox")
		if strings.Contains(page, "pr@example.com") && !strings.Contains(page, "msg-pending") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("messages never delivered to the demo outbox:\n%s", page)
		}
	}
	b := testutil.StartBrowser(t)
	tab := b.NewTab(t)
	signIn(t, tab, s.base, "ada")
	tab.Do(t, chromedp.Click(chromedp.CSS(`#nav-demo-outbox`)), chromedp.WaitVisible(chromedp.CSS(`#demo-only`)))
	if got := text(t, tab, `#demo-only`); !strings.Contains(got, "Demo only") {
		t.Fatalf("banner: %q", got)
	}
	if got := text(t, tab, `main`); !strings.Contains(got, "pr@example.com") || !strings.Contains(got, "Payments slow") {
		t.Fatalf("outbox: %s", got)
	}
	tab.Screenshot(t, "demo-outbox-en")
	tab.Do(t, chromedp.Click(chromedp.CSS(`form[action="/lang"] button`)))
	waitFor(t, tab, `document.documentElement.lang === 'ko' && !!document.querySelector('#demo-only') && document.querySelector('#demo-only').innerText.includes('데모 전용')`)
	tab.Screenshot(t, "demo-outbox-ko")
	for _, e := range tab.JSErrors() {
		t.Errorf("JavaScript error: %s", e)
	}
}
