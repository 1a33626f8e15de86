package form_test

import (
	"bytes"
	"errors"
	"html"
	"io"
	"log/slog"
	"maps"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/intake/form"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type testEnv struct {
	url   string
	acc   *testutil.Acceptor
	clock *clock
}

func start(t *testing.T, cfg form.Config) *testEnv {
	t.Helper()
	env := &testEnv{acc: &testutil.Acceptor{FirstID: 700}, clock: &clock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(form.NewHandler(cfg, env.acc, env.clock.now, log))
	t.Cleanup(srv.Close)
	env.url = srv.URL + form.Path
	return env
}

var services = []string{"checkout", "login", "결제"}

type result struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, rawURL string, header map[string]string) result {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return do(t, http.DefaultClient, req)
}

// post sends the form as a browser does, multipart/form-data as the page's
// enctype says.
func post(t *testing.T, c *http.Client, rawURL string, v url.Values, header map[string]string) result {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, k := range slices.Sorted(maps.Keys(v)) {
		for _, val := range v[k] {
			if err := mw.WriteField(k, val); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return send(t, c, rawURL, &body, mw.FormDataContentType(), header)
}

// postURLEncoded sends the form as application/x-www-form-urlencoded.
func postURLEncoded(t *testing.T, c *http.Client, rawURL string, v url.Values, header map[string]string) result {
	t.Helper()
	return send(t, c, rawURL, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded", header)
}

func send(t *testing.T, c *http.Client, rawURL string, body io.Reader, contentType string, header map[string]string) result {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, rawURL, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for k, val := range header {
		req.Header.Set(k, val)
	}
	return do(t, c, req)
}

func do(t *testing.T, c *http.Client, req *http.Request) result {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{res.StatusCode, res.Header, string(b)}
}

// fromAddress is a client whose connections come from another loopback
// address, so the server sees another RemoteAddr.
func fromAddress(t *testing.T, ip string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

func report(what string) url.Values {
	return url.Values{"service": {"checkout"}, "what": {what}, "when": {"오늘 오후 2시쯤"}, "contact": {"someone@example.com"}, "website": {""}}
}

var refRe = regexp.MustCompile(`SIG-(\d+)`)

func TestShowForm(t *testing.T) {
	env := start(t, form.Config{Services: services})
	for _, c := range []struct {
		name   string
		url    string
		header map[string]string
		lang   string
		want   []string
	}{
		{"english", env.url, map[string]string{"Accept-Language": "en-US,en;q=0.9"}, "en",
			[]string{"Report a problem", "What happened?", "When did it start?", "Your e-mail or phone number", "Not sure", ">한국어</a>"}},
		{"korean", env.url, map[string]string{"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.8"}, "ko",
			[]string{"문제 제보하기", "무슨 일이 있었나요?", "언제부터 그랬나요?", "이메일 또는 전화번호", "모름", ">English</a>"}},
		{"english preferred", env.url, map[string]string{"Accept-Language": "ko;q=0.5, en;q=0.9"}, "en", []string{"What happened?"}},
		{"no preference", env.url, nil, "en", []string{"What happened?"}},
		{"switched by link", env.url + "?lang=ko", map[string]string{"Accept-Language": "en"}, "ko", []string{"무슨 일이 있었나요?"}},
		{"ui cookie", env.url, map[string]string{"Cookie": "lang=ko", "Accept-Language": "en"}, "ko", []string{"무슨 일이 있었나요?"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := get(t, c.url, c.header)
			if res.status != http.StatusOK {
				t.Fatalf("status = %d", res.status)
			}
			body := html.UnescapeString(res.body)
			if !strings.Contains(body, `<html lang="`+c.lang+`">`) {
				t.Errorf("page is not in %s", c.lang)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}

	res := get(t, env.url, nil)
	// Every field is labelled, and the page works under the site's CSP.
	for _, id := range []string{"service", "what", "when", "contact", "website"} {
		if !strings.Contains(res.body, `<label for="`+id+`">`) || !strings.Contains(res.body, `id="`+id+`" name="`+id+`"`) {
			t.Errorf("field %s has no label or no input", id)
		}
	}
	for _, s := range services {
		if !strings.Contains(res.body, `<option value="`+s+`">`+s+`</option>`) {
			t.Errorf("service %s is not offered", s)
		}
	}
	for _, bad := range []string{"<script", "<style", "style="} {
		if strings.Contains(res.body, bad) {
			t.Errorf("page contains %q, which the CSP forbids", bad)
		}
	}
	if regexp.MustCompile(`\son[a-z]+=`).MatchString(res.body) {
		t.Error("page has an inline event handler, which the CSP forbids")
	}
	if !strings.Contains(res.body, `enctype="multipart/form-data"`) {
		t.Error("the form does not post multipart/form-data")
	}
	if !strings.Contains(res.body, `href="/static/app.css"`) {
		t.Error("page does not link the stylesheet")
	}
	if !regexp.MustCompile(`<div class="hp" hidden aria-hidden="true">\s*<label for="website">[^<]+</label>\s*<input id="website" name="website" type="text" tabindex="-1" autocomplete="off" value="">`).MatchString(res.body) {
		t.Error("the honeypot is not hidden as it should be")
	}
	if !strings.Contains(res.body, `<textarea id="what" name="what" rows="8" required maxlength="4000"`) {
		t.Error("what happened is not a required textarea of at most 4000 characters")
	}
	if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
}

func TestGoodReport(t *testing.T) {
	env := start(t, form.Config{Services: services})
	what := strings.TrimSpace(strings.Repeat("결제 버튼을 누르면 오류가 납니다. ", 10)) // longer than 80 characters
	res := post(t, http.DefaultClient, env.url, report(what+"\r\n\r\n에러 코드 E-502"), map[string]string{"Accept-Language": "ko"})
	if res.status != http.StatusOK {
		t.Fatalf("status = %d\n%s", res.status, res.body)
	}
	got := env.acc.Signals()
	if len(got) != 1 {
		t.Fatalf("accepted %d signals, want 1", len(got))
	}
	s := got[0]
	if m := refRe.FindStringSubmatch(res.body); m == nil || m[1] != strconv.FormatInt(s.ID, 10) {
		t.Errorf("page shows reference %v, want SIG-%d", m, s.ID)
	}
	if !strings.Contains(res.body, "제보해 주셔서 감사합니다") {
		t.Error("thank-you page is not in Korean")
	}
	wantTitle := "Report: " + string([]rune(what)[:80])
	if s.Title != wantTitle {
		t.Errorf("title = %q, want %q", s.Title, wantTitle)
	}
	if want := what + "\n\n에러 코드 E-502\n\nWhen it started / 시작 시점: 오늘 오후 2시쯤"; s.Summary != want {
		t.Errorf("summary = %q, want %q", s.Summary, want)
	}
	if s.Source != "form" || s.Reporter != "someone@example.com" || s.Status != intake.Firing ||
		s.Labels["service"] != "checkout" || s.Labels["alertname"] != "public report" || s.Fingerprint == "" {
		t.Errorf("signal = %+v", s)
	}

	// The same words again are another report, and "not sure" names no service.
	v := report(what)
	v.Set("service", "")
	v.Set("contact", "+82 10-1234-5678")
	if res := postURLEncoded(t, http.DefaultClient, env.url, v, nil); res.status != http.StatusOK {
		t.Fatalf("second report, URL-encoded: status = %d", res.status)
	}
	got = env.acc.Signals()
	if len(got) != 2 || got[1].Fingerprint == s.Fingerprint || got[1].Labels["service"] != "" {
		t.Errorf("second report: %d signals, %+v", len(got), got[len(got)-1])
	}
}

func TestInvalidReport(t *testing.T) {
	env := start(t, form.Config{Services: services})
	for _, c := range []struct {
		name, field, value, lang, want string
	}{
		{"missing text", "what", "   \r\n ", "en", "“What happened?” is required."},
		{"missing text, korean", "what", "", "ko", "“무슨 일이 있었나요?”를 적어 주세요."},
		{"too long", "what", strings.Repeat("가", 4001), "en", "“What happened?” may be at most 4000 characters; it has 4001."},
		{"bad contact", "contact", "call me maybe", "en", "“Your e-mail or phone number” must be an e-mail address or a phone number."},
		{"unknown service", "service", "billing", "en", "“Service” must be one of the listed services."},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := url.Values{"service": {"login"}, "what": {"checkout fails"}, "when": {"since 10:05 <KST>"}, "contact": {"+82 2 555 0100"}}
			v.Set(c.field, c.value)
			res := post(t, http.DefaultClient, env.url, v, map[string]string{"Accept-Language": c.lang})
			if res.status != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400", res.status)
			}
			body := html.UnescapeString(res.body)
			if !strings.Contains(body, c.want) {
				t.Errorf("page lacks %q", c.want)
			}
			if !strings.Contains(res.body, `aria-invalid="true"`) || !strings.Contains(res.body, `href="#`+c.field+`"`) {
				t.Errorf("field %s is not marked invalid", c.field)
			}
			// What was entered is kept.
			for field, kept := range map[string]string{
				"when":    `value="since 10:05 &lt;KST&gt;"`,
				"contact": `value="&#43;82 2 555 0100"`,
				"service": `<option value="login" selected>`,
				"what":    `>checkout fails</textarea>`,
			} {
				if field != c.field && !strings.Contains(res.body, kept) {
					t.Errorf("%s was not kept: want %s", field, kept)
				}
			}
		})
	}
	if n := len(env.acc.Signals()); n != 0 {
		t.Errorf("accepted %d signals, want none", n)
	}
}

func TestOversize(t *testing.T) {
	env := start(t, form.Config{Services: services})
	res := post(t, http.DefaultClient, env.url, report(strings.Repeat("x", 20<<10)), nil)
	if res.status != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", res.status)
	}
	if !strings.Contains(res.body, "too large") {
		t.Errorf("413 page does not say why:\n%s", res.body)
	}
	res = postURLEncoded(t, http.DefaultClient, env.url, report(strings.Repeat("x", 20<<10)), nil)
	if res.status != http.StatusRequestEntityTooLarge {
		t.Errorf("URL-encoded: status = %d, want 413", res.status)
	}
	if n := len(env.acc.Signals()); n != 0 {
		t.Errorf("accepted %d signals, want none", n)
	}
}

// TestLongestReportFits sends every field at its longest in Korean, three
// bytes a character: as the form posts it, it stays under the body limit.
func TestLongestReportFits(t *testing.T) {
	env := start(t, form.Config{Services: services})
	v := url.Values{"service": {"결제"}, "what": {strings.Repeat("가", form.MaxWhat)}, "when": {strings.Repeat("나", form.MaxWhen)},
		"contact": {"+82 " + strings.Repeat("1", 15)}, "website": {""}, "lang": {"ko"}}
	if res := post(t, http.DefaultClient, env.url, v, nil); res.status != http.StatusOK {
		t.Fatalf("status = %d, want 200", res.status)
	}
	if got := env.acc.Signals(); len(got) != 1 || got[0].Labels["service"] != "결제" {
		t.Errorf("accepted %+v", got)
	}
}

func TestHoneypot(t *testing.T) {
	env := start(t, form.Config{Services: services})
	v := report("cheap watches")
	v.Set("website", "http://spam.example")
	res := post(t, http.DefaultClient, env.url, v, nil)
	if res.status != http.StatusOK || !refRe.MatchString(res.body) || !strings.Contains(res.body, "Thank you") {
		t.Errorf("status = %d; want 200 and a thank-you page with a reference\n%s", res.status, res.body)
	}
	if n := len(env.acc.Signals()); n != 0 {
		t.Errorf("accepted %d signals, want none", n)
	}
}

func TestRateLimit(t *testing.T) {
	const limit, window = 3, 10 * time.Minute
	env := start(t, form.Config{Services: services, RateLimit: limit, RateWindow: window})
	a, b := fromAddress(t, "127.0.0.2"), fromAddress(t, "127.0.0.3")

	// A mistake in the form does not count.
	if res := post(t, a, env.url, report(""), nil); res.status != http.StatusBadRequest {
		t.Fatalf("invalid report: status = %d", res.status)
	}
	for i := range limit {
		if res := post(t, a, env.url, report("report "+strconv.Itoa(i)), nil); res.status != http.StatusOK {
			t.Fatalf("report %d: status = %d", i+1, res.status)
		}
		env.clock.advance(time.Minute)
	}
	res := post(t, a, env.url, report("one too many"), nil)
	if res.status != http.StatusTooManyRequests {
		t.Fatalf("report %d: status = %d, want 429", limit+1, res.status)
	}
	// The first report leaves the window 10 minutes after it came, 7 from now.
	if ra := res.header.Get("Retry-After"); ra != strconv.Itoa(int((window - limit*time.Minute).Seconds())) {
		t.Errorf("Retry-After = %q, want %d", ra, int((window - limit*time.Minute).Seconds()))
	}
	if !strings.Contains(res.body, "7 minutes") || !strings.Contains(res.body, ">one too many</textarea>") {
		t.Errorf("429 page does not say how long to wait or loses the text:\n%s", res.body)
	}
	// A forged X-Forwarded-For does not help when proxies are not trusted.
	if res := post(t, a, env.url, report("forged"), map[string]string{"X-Forwarded-For": "203.0.113.9"}); res.status != http.StatusTooManyRequests {
		t.Errorf("forged X-Forwarded-For: status = %d, want 429", res.status)
	}
	if res := post(t, b, env.url, report("from elsewhere"), nil); res.status != http.StatusOK {
		t.Errorf("another address: status = %d, want 200", res.status)
	}
	env.clock.advance(window - limit*time.Minute)
	if res := post(t, a, env.url, report("later"), nil); res.status != http.StatusOK {
		t.Errorf("after the window: status = %d, want 200", res.status)
	}
	if n := len(env.acc.Signals()); n != limit+2 {
		t.Errorf("accepted %d signals, want %d", n, limit+2)
	}
}

func TestRateLimitBehindProxy(t *testing.T) {
	env := start(t, form.Config{Services: services, RateLimit: 1, RateWindow: time.Hour, TrustProxyHeaders: true})
	xff := func(v string) map[string]string { return map[string]string{"X-Forwarded-For": v} }
	if res := post(t, http.DefaultClient, env.url, report("one"), xff("198.51.100.7")); res.status != http.StatusOK {
		t.Fatalf("status = %d", res.status)
	}
	// The client may prepend anything; the proxy's entry comes last.
	if res := post(t, http.DefaultClient, env.url, report("two"), xff("10.9.9.9, 198.51.100.7")); res.status != http.StatusTooManyRequests {
		t.Errorf("same client through the proxy: status = %d, want 429", res.status)
	}
	if res := post(t, http.DefaultClient, env.url, report("three"), xff("198.51.100.8")); res.status != http.StatusOK {
		t.Errorf("another client: status = %d, want 200", res.status)
	}
	// One IPv6 subscriber holds a /64.
	if res := post(t, http.DefaultClient, env.url, report("four"), xff("2001:db8:1:2::1")); res.status != http.StatusOK {
		t.Errorf("IPv6 client: status = %d, want 200", res.status)
	}
	if res := post(t, http.DefaultClient, env.url, report("five"), xff("2001:db8:1:2:ffff::9")); res.status != http.StatusTooManyRequests {
		t.Errorf("same IPv6 /64: status = %d, want 429", res.status)
	}
}

func TestAcceptFailure(t *testing.T) {
	env := start(t, form.Config{Services: services, RateLimit: 1})
	env.acc.Refuse(errors.New("database is locked"))
	res := post(t, http.DefaultClient, env.url, report("login page is blank"), nil)
	if res.status != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503", res.status)
	}
	if !strings.Contains(res.body, "please try again") || !strings.Contains(res.body, ">login page is blank</textarea>") {
		t.Errorf("503 page does not ask to try again or loses the text:\n%s", res.body)
	}
	// The failed attempt did not use up the client's one report.
	env.acc.Refuse(nil)
	if res := post(t, http.DefaultClient, env.url, report("login page is blank"), nil); res.status != http.StatusOK {
		t.Errorf("retry: status = %d, want 200", res.status)
	}
}

func TestOtherMethods(t *testing.T) {
	env := start(t, form.Config{})
	req, _ := http.NewRequest(http.MethodDelete, env.url, nil)
	if res := do(t, http.DefaultClient, req); res.status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: status = %d, want 405", res.status)
	}
	if res := get(t, strings.TrimSuffix(env.url, form.Path)+"/elsewhere", nil); res.status != http.StatusNotFound {
		t.Errorf("other path: status = %d, want 404", res.status)
	}
}
