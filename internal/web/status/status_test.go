package status_test

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

const password = "correct horse 배터리"

// site is a running Firebreak with incidents of every visibility; the
// titles and texts that must stay off the public page say so.
type site struct {
	base string
	srv  *server.Server
	refs map[string]string // name → INC-n
}

func startSite(t *testing.T, dbURL string) *site {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat})
	s := &site{base: run.Base, srv: run.Server, refs: map[string]string{}}
	testutil.AddUsers(t, run.Server, password, map[string]auth.Role{"alice": auth.Admin, "bob": auth.Responder})
	bob := auth.User{Name: "bob", Role: auth.Responder}
	declare := func(name, title string, g incident.Grade, vis incident.Visibility, services ...string) int64 {
		// Only an admin or an owning team's manager may declare public or
		// restricted incidents.
		inc, err := run.Server.Incidents.Declare(ctx, auth.User{Name: "alice", Role: auth.Admin}, incident.Declaration{Title: title, Grade: g, Visibility: vis, Services: services})
		if err != nil {
			t.Fatal(err)
		}
		s.refs[name] = inc.Ref()
		return inc.ID
	}
	update := func(id int64, text string, public bool) {
		if _, err := run.Server.Incidents.PostUpdate(ctx, bob, id, incident.StatusUpdate{Text: text, Public: public}); err != nil {
			t.Fatal(err)
		}
	}
	status := func(id int64, st incident.Status) {
		if _, err := run.Server.Incidents.SetStatus(ctx, bob, id, st, ""); err != nil {
			t.Fatal(err)
		}
	}
	old := declare("resolved", "로그인 지연 Login slow", incident.SEV3, incident.Public, "auth")
	update(old, "로그인이 정상화되었습니다. Sign-in is back to normal.", true)
	status(old, incident.Resolved)
	checkout := declare("checkout", "결제 실패 Checkout failing", incident.SEV1, incident.Public, "checkout-api")
	update(checkout, "일부 카드 결제가 실패하고 있습니다. Some card payments fail.", true)
	update(checkout, "SECRET-INTERNAL-UPDATE primary DB failover at 10:02", false)
	push := declare("push", "알림 지연 Push notifications late", incident.SEV2, incident.Public, "notification-worker", "messaging-gateway")
	status(push, incident.Monitoring)
	internal := declare("internal", "INTERNAL-ONLY ledger replication lag", incident.SEV2, incident.Internal, "ledger")
	update(internal, "INTERNAL-ONLY-UPDATE replica caught up to 80%", false)
	declare("restricted", "RESTRICTED-SECRET credential leak", incident.SEV1, incident.Restricted, "auth", "checkout-api")
	return s
}

func get(t *testing.T, c *http.Client, u string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var secrets = []string{"INTERNAL-ONLY", "RESTRICTED-SECRET", "SECRET-INTERNAL-UPDATE", "ledger"}

// serviceState finds a service's row and its state on the page.
func serviceState(page, service string) string {
	m := regexp.MustCompile(`data-service="` + regexp.QuoteMeta(service) + `"><span class="name">[^<]*</span> <span class="state state-(\w+)"`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestPublicStatusPage: anyone sees public incidents with their public
// updates and the state of the services they affect, and nothing of the
// internal or restricted ones: not their titles, updates, services or count.
func TestPublicStatusPage(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		s := startSite(t, dbURL)
		resp, page := get(t, nil, s.base+"/status", "Accept-Language", "en")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET /status: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{"Service status", "Some services are down.", "결제 실패 Checkout failing", "Some card payments fail.",
			"알림 지연 Push notifications late", "로그인 지연 Login slow", "Sign-in is back to normal.", "Current incidents",
			`href="/status/feed.atom?lang=en"`} {
			if !strings.Contains(page, want) {
				t.Errorf("public page lacks %q", want)
			}
		}
		for _, secret := range secrets {
			if strings.Contains(page, secret) {
				t.Errorf("public page shows %q", secret)
			}
		}
		if n := strings.Count(page, `data-testid="incident"`); n != 3 {
			t.Errorf("public page lists %d incidents, want 3 (two open, one resolved)", n)
		}
		for svc, want := range map[string]string{"checkout-api": "outage", "notification-worker": "degraded", "messaging-gateway": "degraded", "auth": ""} {
			if got := serviceState(page, svc); got != want {
				t.Errorf("%s: state %q, want %q", svc, got, want) // auth: only a resolved public and a restricted incident name it
			}
		}
		if strings.Index(page, s.refs["checkout"]+"</span> 결제") > strings.Index(page, s.refs["resolved"]+"</span> 로그인") {
			t.Error("resolved incident listed before the open ones")
		}

		// Korean, from the browser's language or the switch.
		_, ko := get(t, nil, s.base+"/status", "Accept-Language", "ko-KR,ko;q=0.9")
		_, ko2 := get(t, nil, s.base+"/status?lang=ko")
		for _, p := range []string{ko, ko2} {
			for _, want := range []string{`lang="ko"`, "서비스 상태", "일부 서비스가 중단되었습니다.", "진행 중인 장애", "중단", "성능 저하", "모니터링"} {
				if !strings.Contains(p, want) {
					t.Errorf("Korean page lacks %q", want)
				}
			}
		}

		// Revalidation is cheap and never stale: same page, same ETag; news, new ETag.
		etag := resp.Header.Get("ETag")
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-cache") || etag == "" {
			t.Fatalf("Cache-Control %q, ETag %q", cc, etag)
		}
		if r, _ := get(t, nil, s.base+"/status", "Accept-Language", "en", "If-None-Match", etag); r.StatusCode != http.StatusNotModified {
			t.Fatalf("revalidation: %d", r.StatusCode)
		}
		id, _ := incident.ParseRef(s.refs["checkout"])
		if _, err := s.srv.Incidents.PostUpdate(context.Background(), auth.User{Name: "bob", Role: auth.Responder}, id,
			incident.StatusUpdate{Text: "Fix deployed; payments recovering.", Public: true}); err != nil {
			t.Fatal(err)
		}
		r, page := get(t, nil, s.base+"/status", "Accept-Language", "en", "If-None-Match", etag)
		if r.StatusCode != 200 || !strings.Contains(page, "Fix deployed; payments recovering.") {
			t.Fatalf("after an update: %d", r.StatusCode)
		}
		if strings.Index(page, "Fix deployed") > strings.Index(page, "Some card payments fail.") {
			t.Error("updates are not newest first")
		}
	})
}

// TestStaffStatusPage: signed-in users see internal incidents and every
// update too, but never a restricted incident, not even an admin.
func TestStaffStatusPage(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		s := startSite(t, dbURL)
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, _ := get(t, c, s.base+"/status/internal")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
			t.Fatalf("signed out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		login, err := c.PostForm(s.base+"/login", url.Values{"name": {"alice"}, "password": {password}, "next": {"/status/internal"}})
		if err != nil || login.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in: %v %v", err, login)
		}
		login.Body.Close()
		resp, page := get(t, c, s.base+"/status/internal", "Accept-Language", "en")
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "private") {
			t.Fatalf("staff page: %d %s", resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		for _, want := range []string{"Service status (internal)", "INTERNAL-ONLY ledger replication lag", "INTERNAL-ONLY-UPDATE",
			"SECRET-INTERNAL-UPDATE", "결제 실패 Checkout failing", "support-portal"} { // every catalog service is listed
			if !strings.Contains(page, want) {
				t.Errorf("staff page lacks %q", want)
			}
		}
		if strings.Contains(page, "RESTRICTED-SECRET") {
			t.Error("staff page shows a restricted incident")
		}
		if n := strings.Count(page, `data-testid="incident"`); n != 4 {
			t.Errorf("staff page lists %d incidents, want 4", n)
		}
		if got := serviceState(page, "ledger"); got != "outage" {
			t.Errorf("ledger: %q", got)
		}
		if got := serviceState(page, "auth"); got != "operational" { // only the restricted incident is open on it
			t.Errorf("auth: %q", got)
		}
	})
}

type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  []struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

// TestAtomFeed parses the feed as Atom 1.0 and checks what RFC 4287 asks
// of it: ids that are absolute and unique, RFC 3339 updated times on the feed
// and every entry, an author, a self link; and that it tells only what the
// public page does.
func TestAtomFeed(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		s := startSite(t, dbURL)
		resp, body := get(t, nil, s.base+"/status/feed.atom?lang=en")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
			t.Fatalf("feed: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var f atomFeed
		if err := xml.Unmarshal([]byte(body), &f); err != nil {
			t.Fatalf("feed is not Atom XML: %v\n%s", err, body)
		}
		abs := func(id string) bool { u, err := url.Parse(id); return err == nil && u.IsAbs() }
		feedUpdated, err := time.Parse(time.RFC3339, f.Updated)
		if err != nil || !abs(f.ID) || f.Title == "" || len(f.Author) == 0 || f.Author[0].Name == "" {
			t.Fatalf("feed head: id %q title %q updated %q (%v) author %v", f.ID, f.Title, f.Updated, err, f.Author)
		}
		self := false
		for _, l := range f.Links {
			self = self || (l.Rel == "self" && l.Href == s.base+"/status/feed.atom")
		}
		if !self {
			t.Errorf("no self link: %+v", f.Links)
		}
		if len(f.Entries) != 3 {
			t.Fatalf("%d entries, want 3 (the public incidents)", len(f.Entries))
		}
		seen := map[string]bool{}
		var prev time.Time
		for i, e := range f.Entries {
			up, err := time.Parse(time.RFC3339, e.Updated)
			if err != nil || !abs(e.ID) || seen[e.ID] || e.Title == "" || e.Link.Href == "" {
				t.Errorf("entry %d: id %q updated %q (%v) title %q", i, e.ID, e.Updated, err, e.Title)
			}
			if up.After(feedUpdated) || (i > 0 && up.After(prev)) {
				t.Errorf("entry %d updated %s: after the feed (%s) or the entry before", i, up, feedUpdated)
			}
			seen[e.ID], prev = true, up
		}
		checkout := f.Entries[0]
		for _, e := range f.Entries {
			if strings.HasSuffix(e.ID, "#"+s.refs["checkout"]) {
				checkout = e
			}
		}
		if !strings.Contains(checkout.Title, "결제 실패 Checkout failing") || !strings.Contains(checkout.Content.Body, "Some card payments fail.") {
			t.Errorf("checkout entry: %+v", checkout)
		}
		for _, secret := range secrets {
			if strings.Contains(body, secret) {
				t.Errorf("feed tells %q", secret)
			}
		}
	})
}
