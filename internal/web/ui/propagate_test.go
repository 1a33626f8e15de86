package ui_test

import (
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestDeclarePreviewWithoutScript: the preview button shows who would be
// told, in a plain page, and declares nothing.
func TestDeclarePreviewWithoutScript(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		s := startSite(t, dbURL)
		alice := httpSession(t, s.base, "alice")
		_, page := get(t, alice, s.base+"/incidents/new")
		csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
		if csrf == nil {
			t.Fatal("no CSRF token on the form")
		}
		form := url.Values{"csrf": {csrf[1]}, "title": {"결제 실패"}, "grade": {"SEV2"}, "services": {"checkout-api"},
			"visibility": {"internal"}, "resolver": {"alice"}, "communicator": {"alice"}, "action": {"preview"}}
		resp, err := alice.PostForm(s.base+"/incidents", form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		html := string(body)
		if resp.StatusCode != 200 || resp.Request.URL.Path != "/incidents" {
			t.Fatalf("preview: %d at %s", resp.StatusCode, resp.Request.URL)
		}
		for _, want := range []string{"payments@example.com", "#payments-oncall", "owns checkout-api", "[SEV2] INC-0 결제 실패",
			"alice holds both the resolver and the communicator role", `value="결제 실패"`} {
			if !strings.Contains(html, want) {
				t.Errorf("preview page lacks %q", want)
			}
		}
		list, err := s.srv.Incidents.List(t.Context(), auth.User{Name: "root", Role: auth.Admin}, incident.Filter{}, "")
		if err != nil || len(list.Items) != 0 {
			t.Errorf("the preview declared %d incidents (%v)", len(list.Items), err)
		}
	})
}

// TestDeclarePreviewUpdatesLive: with script, the preview follows the form.
func TestDeclarePreviewUpdatesLive(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	b := testutil.StartBrowser(t)
	tab := b.NewTab(t)
	signIn(t, tab, s.base, "alice")
	tab.Do(t, chromedp.Navigate(s.base+"/incidents/new"), chromedp.WaitVisible(chromedp.CSS(`#preview`)))
	if got := text(t, tab, `#preview`); strings.Contains(got, "payments@example.com") {
		t.Fatalf("preview names the payments team before any service is chosen: %s", got)
	}
	tab.Do(t,
		chromedp.SendKeys(chromedp.CSS(`#title`), "Checkout errors"),
		chromedp.Click(chromedp.CSS(`#grade-SEV1`)),
		chromedp.Click(chromedp.CSS(`input[name=services][value="checkout-api"]`)),
	)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(text(t, tab, `#preview`), "payments@example.com") {
		if time.Now().After(deadline) {
			t.Fatalf("preview did not follow the form: %s", text(t, tab, `#preview`))
		}
		time.Sleep(100 * time.Millisecond)
	}
	tab.Do(t, chromedp.Click(chromedp.CSS(`#preview details summary`)))
	if got := text(t, tab, `#preview`); !strings.Contains(got, "[SEV1] INC-0 Checkout errors") {
		t.Errorf("rendered message missing: %s", got)
	}
	tab.Screenshot(t, "declare-preview")
	if errs := tab.JSErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}
}
