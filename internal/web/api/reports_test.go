package api_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

const reportCatalog = `
teams:
  - name: payments
    email: payments@example.com
services:
  - name: checkout-api
    team: payments
`

// TestReportSharedByEmail writes a report through the API, shares it, and
// reads the mail as a real SMTP server received it; a second share sends
// only what changed.
func TestReportSharedByEmail(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		sink := testutil.StartMailSink(t)
		cat, err := catalog.Parse("test.yaml", []byte(reportCatalog))
		if err != nil {
			t.Fatal(err)
		}
		pol := policy.DefaultPolicy()
		pol.Zone, _ = time.LoadLocation("Asia/Seoul")
		pol.Departments = []policy.Department{{Name: "cs", FromGrade: incident.SEV2, Email: "cs@example.com", Lang: "ko"}}
		e := startWith(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Policy: pol, BaseURL: "https://fb.example.com",
			Notify: &notify.Config{Email: &notify.EmailConfig{Host: sink.Host, Port: sink.Port, From: "Firebreak <fb@example.com>", TLS: "none"}},
			Jobs:   jobs.Config{PollInterval: 100 * time.Millisecond, Logger: testutil.TestLogger()},
		})
		inc := e.call(t, "bob", "POST", "/api/v1/incidents", map[string]any{"title": "결제 승인 지연", "grade": "SEV2",
			"services": []string{"checkout-api"}, "summary": "카드 결제가 3초 넘게 걸립니다."}).want(t, 201)
		ref := inc.str("id")
		path := "/api/v1/incidents/" + ref + "/report"

		// Bad input names the field and changes nothing.
		e.call(t, "vic", "POST", path, map[string]any{}).want(t, 403)
		bad := e.call(t, "bob", "POST", path, map[string]any{"lang": "fr"}).want(t, 400)
		if bad.str("field") != "lang" {
			t.Errorf("bad lang: %s", bad.raw)
		}
		e.call(t, "bob", "GET", path, nil).want(t, 404)

		rep := e.call(t, "bob", "POST", path, map[string]any{"lang": "en"}).want(t, 201)
		if rep.body["revision"].(float64) != 1 || !strings.Contains(rep.raw, "카드 결제가 3초 넘게 걸립니다.") {
			t.Fatalf("started report: %s", rep.raw)
		}
		bad = e.call(t, "bob", "PUT", path, map[string]any{"base_revision": 1, "sections": map[string]string{"kause": "x"}}).want(t, 400)
		if bad.str("field") != "sections.kause" {
			t.Errorf("unknown section: %s", bad.raw)
		}
		rep = e.call(t, "bob", "PUT", path, map[string]any{"base_revision": 1, "sections": map[string]string{
			"cause": "The card gateway pool shrank to **20** connections.<script>alert(1)</script>", "resolution": "TBD"}}).want(t, 200)
		if tbd := rep.body["tbd"].([]any); len(tbd) != 1 || tbd[0] != "resolution" {
			t.Errorf("tbd = %v", tbd)
		}
		for _, sec := range rep.body["rendered"].([]any) {
			if h, _ := sec.(map[string]any)["html"].(string); strings.Contains(h, "<script") {
				t.Errorf("rendered html carries a script: %s", h)
			}
		}
		e.call(t, "bob", "PUT", path, map[string]any{"base_revision": 1, "sections": map[string]string{"cause": "x"}}).want(t, 409)

		share := e.call(t, "bob", "POST", path+"/share", nil).want(t, 200)
		if rcpt := share.body["recipients"].([]any); len(rcpt) != 2 {
			t.Fatalf("recipients = %v", rcpt)
		}
		got := reportMails(t, sink, ref, 2)
		byTo := map[string]testutil.ReceivedMail{}
		for _, m := range got {
			byTo[m.To[0]] = m
		}
		team, cs := byTo["payments@example.com"], byTo["cs@example.com"]
		team.Text = strings.ReplaceAll(team.Text, "\r\n", "\n") // SMTP sends CRLF
		if !strings.Contains(team.Subject(), ref) || !strings.Contains(team.Subject(), "결제 승인 지연") {
			t.Errorf("subject = %q", team.Subject())
		}
		for _, want := range []string{"## Cause", "pool shrank to **20** connections", "## Resolution and prevention\n\nTBD",
			"https://fb.example.com/incidents/" + ref + "/report"} {
			if !strings.Contains(team.Text, want) {
				t.Errorf("team mail text lacks %q:\n%s", want, team.Text)
			}
		}
		if !strings.Contains(team.HTML, "<strong>20</strong>") || strings.Contains(team.HTML, "<script") {
			t.Errorf("team mail HTML:\n%s", team.HTML)
		}
		if !strings.Contains(cs.Subject(), "장애 보고서") || !strings.Contains(cs.Text, "## 원인") {
			t.Errorf("Korean mail: %q\n%s", cs.Subject(), cs.Text)
		}

		// Nothing changed: nothing to share. Then a change is shared alone.
		e.call(t, "bob", "POST", path+"/share", nil).want(t, 409)
		e.call(t, "bob", "PUT", path, map[string]any{"base_revision": 2, "sections": map[string]string{"resolution": "Rolled back to v2.30."}}).want(t, 200)
		e.call(t, "bob", "POST", path+"/share", nil).want(t, 200)
		got = reportMails(t, sink, ref, 4)
		var update testutil.ReceivedMail
		for _, m := range got[2:] {
			if m.To[0] == "payments@example.com" {
				update = m
			}
		}
		if !strings.Contains(update.Text, "changed since revision 2") || !strings.Contains(update.Text, "Rolled back to v2.30.") ||
			strings.Contains(update.Text, "pool shrank") {
			t.Errorf("update mail:\n%s", update.Text)
		}

		// Revisions, diff, export, import, search over the API.
		revs := e.call(t, "vic", "GET", path+"/revisions", nil).want(t, 200)
		if len(revs.items()) != 3 {
			t.Errorf("revisions: %s", revs.raw)
		}
		diff := e.call(t, "vic", "GET", path+"/diff?from=2&to=3", nil).want(t, 200)
		if !strings.Contains(diff.raw, `"op":"+","text":"Rolled back to v2.30."`) {
			t.Errorf("diff: %s", diff.raw)
		}
		if r := e.call(t, "vic", "GET", path+"/diff?from=x&to=3", nil).want(t, 400); r.str("field") != "from" {
			t.Errorf("bad diff: %s", r.raw)
		}
		md := e.call(t, "vic", "GET", path+"/export?format=md", nil).want(t, 200)
		if !strings.HasPrefix(md.header.Get("Content-Type"), "text/markdown") || !strings.Contains(md.raw, "# "+ref+": 결제 승인 지연") {
			t.Errorf("markdown export: %s", md.raw)
		}
		html := e.call(t, "vic", "GET", path+"/export?format=html", nil).want(t, 200)
		if !strings.Contains(html.raw, "<!doctype html>") || !strings.Contains(html.header.Get("Content-Disposition"), ref+"-report.html") {
			t.Errorf("html export: %v", html.header)
		}
		e.call(t, "vic", "GET", path+"/export?format=pdf", nil).want(t, 400)
		imp := e.call(t, "bob", "POST", path+"/import", map[string]any{"markdown": md.raw, "base_revision": 3}).want(t, 200)
		if un := imp.body["unmatched_headings"].([]any); len(un) != 0 {
			t.Errorf("round trip through the API left headings unmatched: %v", un)
		}
		hits := e.call(t, "vic", "GET", "/api/v1/search?"+url.Values{"q": {"게이트웨이 pool"}}.Encode(), nil).want(t, 200)
		if len(hits.items()) != 0 {
			t.Errorf("a search matched words the report lacks: %s", hits.raw)
		}
		hits = e.call(t, "vic", "GET", "/api/v1/search?"+url.Values{"q": {"결제가 gateway"}, "service": {"checkout-api"}}.Encode(), nil).want(t, 200)
		if items := hits.items(); len(items) != 1 || items[0]["id"] != ref || items[0]["has_report"] != true {
			t.Errorf("search: %s", hits.raw)
		}
		if r := e.call(t, "vic", "GET", "/api/v1/search?q=x&since=yesterday", nil).want(t, 400); r.str("field") != "since" {
			t.Errorf("bad since: %s", r.raw)
		}
		// Filters alone browse; unknown services and grades are named.
		hits = e.call(t, "vic", "GET", "/api/v1/search?service=checkout-api", nil).want(t, 200)
		if items := hits.items(); len(items) != 1 || items[0]["id"] != ref {
			t.Errorf("browse by service: %s", hits.raw)
		}
		hits = e.call(t, "vic", "GET", "/api/v1/search?grade=SEV3", nil).want(t, 200)
		if len(hits.items()) != 0 {
			t.Errorf("browse by a grade nothing has: %s", hits.raw)
		}
		if r := e.call(t, "vic", "GET", "/api/v1/search?service=nosuch-api", nil).want(t, 400); r.str("field") != "service" {
			t.Errorf("unknown service: %s", r.raw)
		}
		if r := e.call(t, "vic", "GET", "/api/v1/search?q=pool&grade=SEV9", nil).want(t, 400); r.str("field") != "grade" {
			t.Errorf("unknown grade: %s", r.raw)
		}
		pending := e.call(t, "vic", "GET", "/api/v1/reports", nil).want(t, 200)
		if len(pending.items()) != 0 {
			t.Errorf("a complete, shared report is pending: %s", pending.raw)
		}
		if r := e.call(t, "vic", "GET", "/api/v1/reports?after=yesterday", nil).want(t, 400); r.str("field") != "after" {
			t.Errorf("a bad cursor: %s", r.raw)
		}
	})
}

// reportMails waits for n mails that carry incident ref's report: the
// declaration's own messages reach the same SMTP server and are left out.
func reportMails(t *testing.T, sink *testutil.MailSink, ref string, n int) []testutil.ReceivedMail {
	t.Helper()
	return sink.WaitForMatching(t, n, 15*time.Second, func(m testutil.ReceivedMail) bool {
		return strings.Contains(m.Text, "/incidents/"+ref+"/report")
	})
}
