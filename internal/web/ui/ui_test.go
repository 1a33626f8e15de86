package ui_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

const password = "correct horse 42"

// site is a running Firebreak with users alice and bob (responders) and vic
// (viewer), all with the same password.
type site struct {
	base string
	srv  *server.Server
}

func startSite(t *testing.T, dbURL string) *site {
	t.Helper()
	cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, LivePoll: 200 * time.Millisecond})
	testutil.AddUsers(t, run.Server, password, map[string]auth.Role{"alice": auth.Responder, "bob": auth.Responder, "vic": auth.Viewer})
	return &site{base: run.Base, srv: run.Server}
}

func signIn(t *testing.T, tab *testutil.Tab, base, user string) {
	t.Helper()
	tab.Do(t,
		chromedp.Navigate(base+"/incidents"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), user),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.incidents`)),
	)
}

func text(t *testing.T, tab *testutil.Tab, sel string) string {
	t.Helper()
	return testutil.Run(t, tab, chromedp.Text(chromedp.CSS(sel)))
}

// TestRespondingInTheBrowser walks through an incident as two responders in
// two browsers: one declares and works it, the other watches it live.
func TestRespondingInTheBrowser(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	b := testutil.StartBrowser(t)
	alice, bob := b.NewTab(t), b.NewTab(t)

	alice.Do(t, chromedp.Navigate(s.base+"/login"), chromedp.WaitVisible(chromedp.CSS(`#name`)))
	alice.Screenshot(t, "login")
	signIn(t, alice, s.base, "alice")
	signIn(t, bob, s.base, "bob")

	// Declare, with the grade guide beside each grade.
	alice.Do(t,
		chromedp.Click(chromedp.CSS(`a[href="/incidents/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#title`)),
	)
	if guide := text(t, alice, `#guide-SEV1`); !strings.Contains(guide, "Critical") {
		t.Fatalf("SEV1 guide: %q", guide)
	}
	alice.Do(t,
		chromedp.SendKeys(chromedp.CSS(`#title`), "결제 승인 지연 Payment approvals slow"),
		chromedp.SendKeys(chromedp.CSS(`#summary`), "p99 4 s since the ledger deploy"),
		chromedp.Click(chromedp.CSS(`#grade-SEV2`)),
		chromedp.Click(chromedp.CSS(`input[name=services][value="checkout-api"]`)),
		chromedp.SetValue(chromedp.CSS(`#role-resolver`), "alice"),
		chromedp.SetValue(chromedp.CSS(`#role-communicator`), "alice"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("role-communicator").dispatchEvent(new Event("change"))`),
	)
	if hidden := testutil.Run(t, alice, chromedp.Evaluate[bool](`document.getElementById("same-person").hidden`)); hidden {
		t.Error("no warning when one person holds both roles")
	}
	alice.Do(t, chromedp.SetValue(chromedp.CSS(`#role-communicator`), "bob"))
	alice.Screenshot(t, "declare")
	alice.Do(t,
		chromedp.Click(chromedp.CSS(`form.declare button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#incident-header`)),
	)
	incURL := testutil.Run(t, alice, chromedp.Location())
	if !regexp.MustCompile(`/incidents/INC-\d+$`).MatchString(incURL) {
		t.Fatalf("declare went to %s", incURL)
	}
	head := text(t, alice, `#incident-header`)
	for _, want := range []string{"결제 승인 지연", "SEV2", "Investigating", "checkout-api", "alice", "bob"} {
		if !strings.Contains(head, want) {
			t.Errorf("header lacks %q: %s", want, head)
		}
	}

	// Bob opens the same incident; it must change before his eyes.
	bob.Do(t,
		chromedp.Navigate(incURL),
		chromedp.WaitVisible(chromedp.CSS(`#timeline`)),
		chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`),
	)

	alice.Do(t,
		chromedp.SetValue(chromedp.CSS(`#assign-resolver`), "bob"),
		chromedp.Click(chromedp.CSS(`#assign-resolver ~ button`)),
	)
	waitFor(t, alice, `document.querySelector("[data-testid=role-resolver]").textContent === "bob"`)
	alice.Do(t,
		chromedp.SetValue(chromedp.CSS(`#new-status`), "identified"),
		chromedp.SendKeys(chromedp.CSS(`#status-message`), "ledger lock contention"),
		chromedp.Click(chromedp.CSS(`#status-message ~ button`)),
	)
	waitFor(t, alice, `document.querySelector("[data-testid=status]").textContent === "Identified"`)
	alice.Do(t,
		chromedp.SendKeys(chromedp.CSS(`#note`), "롤백 시작 rolling back ledger"),
		chromedp.Click(chromedp.CSS(`#note ~ button`)),
	)
	waitFor(t, alice, `document.querySelector("#timeline li.ev-note") !== null`)
	if status := text(t, alice, `[data-testid=status]`); status != "Identified" {
		t.Errorf("status after change: %q", status)
	}
	if resolver := text(t, alice, `[data-testid=role-resolver]`); resolver != "bob" {
		t.Errorf("resolver after assign: %q", resolver)
	}
	alice.Screenshot(t, "incident")

	// In bob's browser the note and the new status arrive without a reload.
	bob.Do(t, chromedp.WaitVisible(chromedp.CSS(`#timeline li.ev-note`)))
	if note := text(t, bob, `#timeline li.ev-note .what`); note != "롤백 시작 rolling back ledger" {
		t.Errorf("live note: %q", note)
	}
	waitFor(t, bob, `document.querySelector("[data-testid=status]").textContent === "Identified"`)
	if !testutil.Run(t, bob, chromedp.Evaluate[bool](`window.notReloaded === true`)) {
		t.Error("bob's page reloaded; the update should have arrived live")
	}
	if got := text(t, bob, `#timeline`); !strings.Contains(got, "Investigating → Identified — ledger lock contention") {
		t.Errorf("bob's timeline: %s", got)
	}
	bob.Screenshot(t, "incident-live")

	// The list, filtered, and the catalog pages.
	alice.Do(t, chromedp.Navigate(s.base+"/incidents?status=open&grade=SEV2&q=payment"), chromedp.WaitVisible(chromedp.CSS(`#incident-rows`)))
	if rows := text(t, alice, `#incident-rows`); !strings.Contains(rows, "결제 승인 지연") {
		t.Errorf("filtered list: %s", rows)
	}
	alice.Screenshot(t, "list")
	for _, p := range []string{"services", "services/checkout-api", "teams", "triage"} {
		alice.Do(t, chromedp.Navigate(s.base+"/"+p), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		alice.Screenshot(t, strings.ReplaceAll(p, "/", "-"))
	}
	if recent := text(t, alice, `body`); !strings.Contains(recent, "Teams") {
		t.Errorf("teams page: %s", recent)
	}
	for _, tab := range []*testutil.Tab{alice, bob} {
		if errs := tab.JSErrors(); len(errs) > 0 {
			t.Errorf("JavaScript errors: %v", errs)
		}
	}
}

// TestListUpdatesLive: an incident declared elsewhere appears in an open list.
func TestListUpdatesLive(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	tab := testutil.StartBrowser(t).NewTab(t)
	signIn(t, tab, s.base, "vic")
	if rows := text(t, tab, `#incident-rows`); !strings.Contains(rows, "No incidents") {
		t.Fatalf("list not empty: %s", rows)
	}
	// Keyboard: the first Tab reaches the skip link, which jumps to the content.
	tab.Do(t, chromedp.KeyEvent("\t"))
	if focused := testutil.Run(t, tab, chromedp.Evaluate[string](`document.activeElement.className`)); focused != "skip" {
		t.Errorf("first Tab focused %q, want the skip link", focused)
	}
	tab.Do(t, chromedp.KeyEvent("\r"))
	waitFor(t, tab, `document.activeElement.id === "main"`)
	by, err := userNamed(s, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.srv.Incidents.Declare(context.Background(), by, incident.Declaration{Title: "Declared elsewhere", Grade: incident.SEV1}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tab, `document.getElementById("incident-rows").textContent.includes("Declared elsewhere")`)
}

func userNamed(s *site, name string) (auth.User, error) {
	return s.srv.DB.Users().UserByName(context.Background(), name)
}

// TestLanguageTimeZoneAndPhone: Korean from Accept-Language or the switch,
// times in the browser's zone, and a usable page at phone width.
func TestLanguageTimeZoneAndPhone(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	by, _ := userNamed(s, "alice")
	inc, err := s.srv.Incidents.Declare(context.Background(), by, incident.Declaration{
		Title: "로그인 실패율 증가", Grade: incident.SEV1, Services: []string{"auth"},
	})
	if err != nil {
		t.Fatal(err)
	}
	b := testutil.StartBrowser(t)
	phone := b.NewTab(t, testutil.PhoneViewport())
	phone.Do(t, protocol(emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Seoul"}))
	signIn(t, phone, s.base, "alice")
	phone.Do(t, chromedp.Navigate(s.base+"/incidents/"+inc.Ref()), chromedp.WaitVisible(chromedp.CSS(`#timeline`)))
	// The first page set the zone cookie; the next render uses it.
	phone.Do(t, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#timeline`)))
	if foot := text(t, phone, `footer`); !strings.Contains(foot, "Asia/Seoul") {
		t.Errorf("footer: %q", foot)
	}
	if started := text(t, phone, `.times dd`); !strings.Contains(started, "KST") {
		t.Errorf("start time not in KST: %q", started)
	}
	// Language: switch to Korean with the button.
	phone.Do(t, chromedp.Click(chromedp.CSS(`button[name=lang][value=ko]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang=ko] #timeline`)))
	if h := text(t, phone, `#tl-h`); h != "타임라인" {
		t.Errorf("Korean heading: %q", h)
	}
	if lang := testutil.Run(t, phone, chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "ko" {
		t.Errorf("html lang = %q", lang)
	}
	// Nothing is wider than the phone's screen.
	if w := testutil.Run(t, phone, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("page is %d px wide on a 390 px phone", w)
	}
	phone.Screenshot(t, "incident-phone-ko")

	// With JavaScript off, the page still reads and its forms still work.
	noJS := b.NewTab(t)
	noJS.Do(t, protocol(emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}))
	signIn(t, noJS, s.base, "bob")
	noJS.Do(t,
		chromedp.Navigate(s.base+"/incidents/"+inc.Ref()),
		chromedp.WaitVisible(chromedp.CSS(`#note`)),
		chromedp.SendKeys(chromedp.CSS(`#note`), "works without JavaScript"),
		chromedp.Click(chromedp.CSS(`#note ~ button`)),
		chromedp.WaitVisible(chromedp.CSS(`#timeline li.ev-note`)),
	)
	if note := text(t, noJS, `#timeline li.ev-note .what`); note != "works without JavaScript" {
		t.Errorf("note without JS: %q", note)
	}
	for _, tab := range []*testutil.Tab{phone} {
		if errs := tab.JSErrors(); len(errs) > 0 {
			t.Errorf("JavaScript errors: %v", errs)
		}
	}
}

// httpSession signs in over plain HTTP, as a browser without JavaScript
// would, and returns a client that keeps the session cookie.
func httpSession(t *testing.T, base, user string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(base+"/login", url.Values{"name": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/incidents" {
		t.Fatalf("sign in as %s ended at %s", user, resp.Request.URL)
	}
	return c
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitForPage gets u as c until the page shows want, and returns it; the
// signals and jobs behind a page land a moment after they are handed in.
func waitForPage(t *testing.T, c *http.Client, u, want string) string {
	t.Helper()
	var page string
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(page, want) {
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %q:\n%s", u, want, page)
		}
		time.Sleep(50 * time.Millisecond)
		_, page = get(t, c, u)
	}
	return page
}

// TestSessionsAndForms checks the rules behind the pages over plain HTTP,
// on both databases: sign-in, CSRF, restricted incidents, sign-out.
func TestSessionsAndForms(t *testing.T) {
	for name, dbURL := range map[string]func(testing.TB) string{"sqlite": testutil.SQLiteURL, "postgres": testutil.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			s := startSite(t, dbURL(t))
			// A restricted incident on no service: only an admin may declare it.
			if _, err := s.srv.Users.SetRole(context.Background(), auth.User{Name: auth.SystemActor, Role: auth.Admin}, "alice", auth.Admin); err != nil {
				t.Fatal(err)
			}
			anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := anon.Get(s.base + "/incidents/INC-1")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
				t.Fatalf("signed-out visit: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("CSP: %q", csp)
			}
			resp, _ = anon.PostForm(s.base+"/login", url.Values{"name": {"alice"}, "password": {"wrong password"}})
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("wrong password: %d", resp.StatusCode)
			}

			alice := httpSession(t, s.base, "alice")
			_, page := get(t, alice, s.base+"/incidents/new")
			csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
			if csrf == nil {
				t.Fatal("declare form has no CSRF token")
			}
			form := url.Values{"title": {"Secret thing"}, "grade": {"SEV2"}, "visibility": {"restricted"}}
			resp, _ = alice.PostForm(s.base+"/incidents", form) // no token
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("form without CSRF token: %d", resp.StatusCode)
			}
			form.Set("csrf", csrf[1])
			form.Set("grade", "SEV9")
			resp, _ = alice.PostForm(s.base+"/incidents", form)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "grade: ") || !strings.Contains(string(b), `value="Secret thing"`) {
				t.Fatalf("bad grade: %d, form kept: %v", resp.StatusCode, strings.Contains(string(b), "Secret thing"))
			}
			form.Set("grade", "SEV2")
			resp, _ = alice.PostForm(s.base+"/incidents", form)
			resp.Body.Close()
			ref := strings.TrimPrefix(resp.Request.URL.Path, "/incidents/")
			if !strings.HasPrefix(ref, "INC-") {
				t.Fatalf("declare ended at %s", resp.Request.URL)
			}

			// An illegal transition shows the page again with the reason.
			resp, _ = alice.PostForm(s.base+"/incidents/"+ref+"/status", url.Values{"csrf": {csrf[1]}, "status": {"closed"}})
			b, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusConflict || !strings.Contains(string(b), "allowed statuses are") {
				t.Fatalf("illegal transition: %d", resp.StatusCode)
			}

			// The viewer sees neither the restricted incident nor a hint of it.
			vic := httpSession(t, s.base, "vic")
			if code, body := get(t, vic, s.base+"/incidents/"+ref); code != 404 || strings.Contains(body, "Secret thing") {
				t.Fatalf("viewer opened restricted incident: %d", code)
			}
			if _, body := get(t, vic, s.base+"/incidents"); strings.Contains(body, "Secret thing") {
				t.Fatal("restricted incident in the viewer's list")
			}
			if _, body := get(t, vic, s.base+"/services/checkout-api"); strings.Contains(body, "Secret thing") {
				t.Fatal("restricted incident on the service page")
			}

			// Sign-out ends the session on the server, not only in the browser.
			sessURL, _ := url.Parse(s.base)
			cookies := alice.Jar.Cookies(sessURL)
			resp, _ = alice.PostForm(s.base+"/logout", url.Values{"csrf": {csrf[1]}})
			resp.Body.Close()
			replay := &http.Client{CheckRedirect: anon.CheckRedirect}
			req, _ := http.NewRequest("GET", s.base+"/incidents", nil)
			for _, c := range cookies {
				req.AddCookie(c)
			}
			resp, _ = replay.Do(req)
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("old session cookie still works after sign-out: %d", resp.StatusCode)
			}
		})
	}
}

// protocol turns one DevTools command into a chromedp action.
func protocol[P any](cmd cdp.Command[P, cdp.Empty], params P) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, target *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, target, cmd, params)
		return chromedp.Void{}, err
	}
}

// waitFor waits until a JavaScript condition holds in the tab, for example
// that the page a form led to has loaded.
// A navigation in between only means asking again on the new page.
func waitFor(t *testing.T, tab *testutil.Tab, condition string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tab.Context(), 2*time.Second)
		var ok bool
		ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool](condition))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	testutil.Run(t, tab, chromedp.Location()) // names the page in the failure
	t.Fatalf("timed out waiting for %s (last error: %v)", condition, err)
}

// TestTriagePage works the triage inbox from the web: signals that matched
// no route wait there to be declared, merged or dismissed.
func TestTriagePage(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	ctx := context.Background()
	var sigs []*intake.Signal
	for _, title := range []string{"결제 실패 신고 Payment failing", "Disk 91% on db-3", "Staging noise"} {
		sigs = append(sigs, &intake.Signal{Source: "generic", Title: title, Labels: map[string]string{"alertname": title}})
	}
	if err := s.srv.Intake.Accept(ctx, sigs, nil); err != nil {
		t.Fatal(err)
	}
	alice := httpSession(t, s.base, "alice")
	page := waitForPage(t, alice, s.base+"/triage", "Staging noise")
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
	post := func(path string, form url.Values) (int, string) {
		form.Set("csrf", csrf)
		resp, err := alice.PostForm(s.base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b) + " @" + resp.Request.URL.Path
	}
	if code, body := post("/triage/SIG-3/dismiss", url.Values{}); code != 400 || !strings.Contains(body, "reason: is required") {
		t.Fatalf("dismiss without reason: %d", code)
	}
	if code, _ := post("/triage/SIG-3/dismiss", url.Values{"reason": {"staging, not production"}}); code != 200 {
		t.Fatalf("dismiss: %d", code)
	}
	code, body := post("/triage/SIG-1/declare", url.Values{"grade": {"SEV2"}})
	if code != 200 || !strings.HasSuffix(body, "@/incidents/INC-1") {
		t.Fatalf("declare from triage: %d %s", code, body[max(0, len(body)-40):])
	}
	if !strings.Contains(body, "signal from generic joined: 결제 실패 신고 Payment failing") {
		t.Fatal("the incident's timeline does not show the signal that joined")
	}
	if code, _ := post("/triage/SIG-2/merge", url.Values{"incident": {"INC-1"}}); code != 200 {
		t.Fatalf("merge: %d", code)
	}
	if _, page = get(t, alice, s.base+"/triage"); !strings.Contains(page, "Nothing waiting for triage") {
		t.Fatal("the inbox is not empty after triage")
	}
	if _, page = get(t, alice, s.base+"/incidents/INC-1"); strings.Count(page, "signal from generic joined") != 2 {
		t.Fatal("the merged signal is not on the incident's timeline")
	}
}
