package ui_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestShareAsksThenShowsEachDelivery: over plain HTTP (no JavaScript), in
// Korean, sharing a report first shows whom it goes to and sends nothing;
// confirmed, it sends, and the report and incident pages show each
// recipient's delivery as a real SMTP server answered it: delivered to the
// team, failed for the department whose mailbox the server refuses, with
// the reason in Korean and the server's own words after it.
func TestShareAsksThenShowsEachDelivery(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		sink := testutil.StartMailSink(t)
		sink.RefuseRecipient("pr@example.com")
		cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
		if err != nil {
			t.Fatal(err)
		}
		pol, err := policy.ParseConfig("demo.yaml", catalog.DemoYAML, nil)
		if err != nil {
			t.Fatal(err)
		}
		run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Policy: pol,
			Notify: &notify.Config{Email: &notify.EmailConfig{Host: sink.Host, Port: sink.Port, From: "Firebreak <fb@example.com>", TLS: "none"}},
			Jobs:   jobs.Config{PollInterval: 100 * time.Millisecond, Logger: testutil.TestLogger()}})
		testutil.AddUsers(t, run.Server, password, map[string]auth.Role{"alice": auth.Responder})
		base := run.Base
		alice := auth.User{Name: "alice", Role: auth.Responder}
		inc, err := run.Server.Incidents.Declare(t.Context(), alice, incident.Declaration{Title: "결제 승인 지연", Grade: incident.SEV2,
			Services: []string{"checkout-api"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := run.Server.Reports.Start(t.Context(), alice, inc.ID, report.StartOptions{Lang: "ko"}); err != nil {
			t.Fatal(err)
		}
		c := httpSession(t, base, "alice")
		u, _ := url.Parse(base)
		c.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "ko", Path: "/"}})
		reportPath := base + "/incidents/" + inc.Ref() + "/report"
		_, page := get(t, c, reportPath)
		csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
		share := func(form url.Values) string {
			t.Helper()
			form.Set("csrf", csrf)
			resp, err := c.PostForm(reportPath+"/share", form)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b := new(strings.Builder)
			_, _ = io.Copy(b, resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("share: %d\n%s", resp.StatusCode, b)
			}
			return b.String()
		}

		// First it asks, naming each recipient and why, and sends nothing.
		confirm := share(url.Values{})
		for _, want := range []string{`id="share-confirm"`, `data-recipient="payments@example.com"`, `data-recipient="pr@example.com"`,
			"개정 1 전체(TBD 항목 포함)를 아래 수신자에게 이메일로 보냅니다", "이 수신자에게 보내기"} {
			if !strings.Contains(confirm, want) {
				t.Errorf("the confirmation lacks %q", want)
			}
		}
		if shares, _ := run.Server.Reports.Shares(t.Context(), alice, inc.ID); len(shares) != 0 {
			t.Fatalf("asking shared already: %+v", shares)
		}

		// Confirmed, it is on its way: queued, not "shared".
		done := share(url.Values{"confirm": {"1"}})
		if !strings.Contains(done, "수신자 2명에게 보내는 중입니다") || strings.Contains(done, "공유했습니다") {
			t.Errorf("after sharing the page says:\n%s", done)
		}
		deadline := time.Now().Add(30 * time.Second)
		for strings.Contains(page, `data-state="queued"`) || !strings.Contains(page, `class="deliveries"`) {
			if time.Now().After(deadline) {
				t.Fatalf("deliveries never settled:\n%s", page)
			}
			time.Sleep(200 * time.Millisecond)
			_, page = get(t, c, reportPath)
		}
		for _, p := range []string{page, func() string { _, p := get(t, c, base+"/incidents/"+inc.Ref()); return p }()} {
			team := regexp.MustCompile(`(?s)<li data-recipient="payments@example.com" data-state="delivered">.*?</li>`).FindString(p)
			dept := regexp.MustCompile(`(?s)<li data-recipient="pr@example.com" data-state="failed">.*?</li>`).FindString(p)
			if !strings.Contains(team, "전달됨") {
				t.Errorf("team delivery: %q", team)
			}
			if !strings.Contains(dept, "전달 실패") || !strings.Contains(dept, "채널이나 주소가 존재하지 않습니다.") || !strings.Contains(dept, "550") {
				t.Errorf("department delivery: %q", dept)
			}
		}
		if got := sink.MessagesTo("pr@example.com"); len(got) != 0 {
			t.Errorf("the refused mailbox received %d mails", len(got))
		}
	})
}
