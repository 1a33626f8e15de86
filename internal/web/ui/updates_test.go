package ui_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestStatusUpdateInTheBrowser posts a public status update from the
// incident page, sees it stand out on the timeline, and reads it on the
// status page in English on a desktop and in Korean on a phone.
func TestStatusUpdateInTheBrowser(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	ctx := context.Background()
	alice := auth.User{Name: "alice", Role: auth.Responder}
	inc, err := s.srv.Incidents.Declare(ctx, auth.User{Name: alice.Name, Role: auth.Admin}, incident.Declaration{Title: "결제 실패 Checkout failing", Grade: incident.SEV1,
		Services: []string{"checkout-api"}, Visibility: incident.Public, Roles: map[incident.Role]string{incident.Communicator: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.srv.Incidents.Declare(ctx, alice, incident.Declaration{Title: "INTERNAL-ONLY ledger lag", Grade: incident.SEV2,
		Services: []string{"ledger"}}); err != nil {
		t.Fatal(err)
	}
	b := testutil.StartBrowser(t)
	tab := b.NewTab(t)
	signIn(t, tab, s.base, "alice")
	tab.Do(t,
		chromedp.Navigate(s.base+"/incidents/"+inc.Ref()),
		chromedp.WaitVisible(chromedp.CSS(`#update-text`)),
	)
	if checked := testutil.Run(t, tab, chromedp.Evaluate[bool](`document.querySelector('input[name=public]').checked`)); !checked {
		t.Error("a public incident's update form does not default to public")
	}
	if due := text(t, tab, `[data-testid=update-due]`); !strings.Contains(due, "Next update due by") || !strings.Contains(due, "(every 15m)") {
		t.Errorf("update due: %q", due)
	}
	tab.Do(t,
		chromedp.SendKeys(chromedp.CSS(`#update-text`), "일부 카드 결제가 실패합니다. Some card payments fail; next update in 15 minutes."),
		chromedp.Click(chromedp.CSS(`form.update-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#timeline li.ev-status_update`)),
	)
	row := text(t, tab, `#timeline li.ev-status_update .what`)
	if !strings.Contains(row, "Status update · Public") || !strings.Contains(row, "Some card payments fail") {
		t.Errorf("timeline row: %q", row)
	}
	// Bad input: an empty update is refused (the browser's own check is
	// bypassed to reach the server's) and nothing is added.
	tab.Do(t,
		chromedp.Evaluate[chromedp.Void](`document.getElementById('update-text').removeAttribute('required')`),
		chromedp.Click(chromedp.CSS(`form.update-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.error`)),
	)
	if msg := text(t, tab, `p.error`); !strings.Contains(msg, "text: must not be empty") {
		t.Errorf("error: %q", msg)
	}
	if n := testutil.Run(t, tab, chromedp.Evaluate[int](`document.querySelectorAll('#timeline li.ev-status_update').length`)); n != 1 {
		t.Errorf("%d updates on the timeline, want 1", n)
	}
	tab.Do(t, chromedp.Navigate(s.base+"/incidents/"+inc.Ref()), chromedp.WaitVisible(chromedp.CSS(`#timeline li.ev-status_update`)))
	tab.Screenshot(t, "incident-status-update")

	// The status page, public: English on a desktop, Korean on a phone.
	public := b.NewTab(t)
	public.Do(t, chromedp.Navigate(s.base+"/status?lang=en"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=overall]`)))
	page := text(t, public, `main`)
	for _, want := range []string{"Some services are down.", "checkout-api", "Outage", "Some card payments fail"} {
		if !strings.Contains(page, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
	if strings.Contains(page, "INTERNAL-ONLY") {
		t.Error("status page shows an internal incident")
	}
	public.Screenshot(t, "status-en")
	phone := b.NewTab(t, testutil.PhoneViewport())
	phone.Do(t, chromedp.Navigate(s.base+"/status?lang=ko"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=overall]`)))
	if overall := text(t, phone, `[data-testid=overall]`); overall != "일부 서비스가 중단되었습니다." {
		t.Errorf("Korean overall state: %q", overall)
	}
	if w := testutil.Run(t, phone, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("status page is %d px wide on a 390 px phone", w)
	}
	phone.Screenshot(t, "status-phone-ko")
	for _, tb := range []*testutil.Tab{tab, public, phone} {
		for _, e := range tb.JSErrors() {
			if !strings.Contains(e, "status of 400") { // the refused empty update
				t.Errorf("JavaScript error: %v", e)
			}
		}
	}
}

// TestUpdateFormOverHTTP posts status updates through the incident page's
// form on both databases: the update lands on the timeline and on the staff
// status page (not the public one); a form without its CSRF token, a viewer,
// an empty text and a public update of an internal incident are refused and
// store nothing.
func TestUpdateFormOverHTTP(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		s := startSite(t, dbURL)
		ctx := context.Background()
		inc, err := s.srv.Incidents.Declare(ctx, auth.User{Name: "alice", Role: auth.Responder}, incident.Declaration{
			Title: "원장 지연 Ledger lag", Grade: incident.SEV2, Services: []string{"ledger"}})
		if err != nil {
			t.Fatal(err)
		}
		updates := func() int { return len(testutil.EventsOfKind(t, s.srv.DB, inc.ID, incident.EventStatusUpdate)) }
		csrfOf := func(c *http.Client) string {
			_, page := get(t, c, s.base+"/incidents/"+inc.Ref())
			m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
			if m == nil {
				t.Fatal("incident page has no CSRF token")
			}
			return m[1]
		}
		post := func(c *http.Client, form url.Values) (int, string) {
			t.Helper()
			resp, err := c.PostForm(s.base+"/incidents/"+inc.Ref()+"/updates", form)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}

		alice := httpSession(t, s.base, "alice")
		token := csrfOf(alice)
		vic := httpSession(t, s.base, "vic")
		for _, c := range []struct {
			name   string
			client *http.Client
			form   url.Values
			status int
			says   string
		}{
			{"no CSRF token", alice, url.Values{"text": {"x"}}, http.StatusForbidden, ""},
			// The incident page shows a refused action again with its reason.
			{"viewer", vic, url.Values{"csrf": {csrfOf(vic)}, "text": {"x"}}, http.StatusBadRequest, "needs the responder role"},
			{"empty text", alice, url.Values{"csrf": {token}, "text": {"  "}}, http.StatusBadRequest, "text: must not be empty"},
			{"public update of an internal incident", alice, url.Values{"csrf": {token}, "text": {"x"}, "public": {"1"}}, http.StatusBadRequest, "public: "},
		} {
			if code, body := post(c.client, c.form); code != c.status || !strings.Contains(body, c.says) {
				t.Errorf("%s: %d, want %d saying %q\n%s", c.name, code, c.status, c.says, body)
			}
		}
		if n := updates(); n != 0 {
			t.Fatalf("refused updates stored %d events", n)
		}

		code, page := post(alice, url.Values{"csrf": {token}, "text": {"잠금 해제, 지연 감소 중 · lock released, lag falling"}})
		if code != http.StatusOK || !strings.Contains(page, "lock released, lag falling") || updates() != 1 {
			t.Fatalf("update: %d, %d stored", code, updates())
		}
		if _, staff := get(t, alice, s.base+"/status/internal?lang=en"); !strings.Contains(staff, "lock released, lag falling") {
			t.Error("the update is not on the staff status page")
		}
		if _, public := get(t, &http.Client{}, s.base+"/status?lang=en"); strings.Contains(public, "Ledger lag") {
			t.Error("the internal incident is on the public status page")
		}
	})
}
