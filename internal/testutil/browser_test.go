package testutil_test

import (
	"bytes"
	"fmt"
	"html"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// A page in the style of Firebreak's UI: server-rendered, scripts only from
// files, under a Content Security Policy that forbids inline script.
const (
	formPage = `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Greeter</title><script src="/app.js" defer></script></head>
<body>
<form id="greet" method="post" action="/greet">
<label>Name <input id="name" name="name"></label> <button>Greet</button>
</form>
<p id="script"></p>
</body></html>`
	appJS = `document.getElementById("script").textContent = "script ran";`

	brokenPage = `<!doctype html>
<html><head><title>Broken</title><script src="/broken.js"></script></head><body></body></html>`
	brokenJS = `console.error("deliberate console error");
throw new Error("deliberate failure");`
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		}
	}
	script := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, body)
		}
	}
	// No /favicon.ico: Chromium's own request for it must not count as an
	// error of the page.
	mux.HandleFunc("GET /{$}", page(formPage))
	mux.HandleFunc("GET /app.js", script(appJS))
	mux.HandleFunc("GET /broken", page(brokenPage))
	mux.HandleFunc("GET /broken.js", script(brokenJS))
	mux.HandleFunc("POST /greet", func(w http.ResponseWriter, r *http.Request) {
		name := r.PostFormValue("name")
		http.SetCookie(w, &http.Cookie{Name: "visitor", Value: name, Path: "/", HttpOnly: true})
		page(`<p id="result">Hello, `+html.EscapeString(name)+`</p>`)(w, r)
	})
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		who := "nobody"
		if c, err := r.Cookie("visitor"); err == nil {
			who = c.Value
		}
		page(`<p id="who">`+html.EscapeString(who)+`</p>`)(w, r)
	})

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{
		Listener: l,
		Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", "default-src 'self'")
			mux.ServeHTTP(w, r)
		})},
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestBrowser(t *testing.T) {
	srv := newServer(t)
	b := testutil.StartBrowser(t)

	t.Run("form", func(t *testing.T) {
		tab := b.NewTab(t)
		tab.Do(t,
			chromedp.Navigate(srv.URL),
			chromedp.WaitVisible(chromedp.ID("name")),
			chromedp.SendKeys(chromedp.ID("name"), "Ada"),
		)
		if got := testutil.Run(t, tab, chromedp.Text(chromedp.ID("script"))); got != "script ran" {
			t.Errorf("script file: #script = %q, want %q", got, "script ran")
		}
		tab.Do(t, chromedp.Submit(chromedp.ID("name")))
		if got := testutil.Run(t, tab, chromedp.Text(chromedp.ID("result"))); got != "Hello, Ada" {
			t.Errorf("after submit: #result = %q, want %q", got, "Hello, Ada")
		}
		if errs := tab.JSErrors(); len(errs) > 0 {
			t.Errorf("JSErrors() = %q, want none", errs)
		}
	})

	t.Run("tabs have separate cookies", func(t *testing.T) {
		alice, bob := b.NewTab(t), b.NewTab(t)
		alice.Do(t,
			chromedp.Navigate(srv.URL),
			chromedp.SendKeys(chromedp.ID("name"), "alice"),
			chromedp.Submit(chromedp.ID("name")),
			chromedp.WaitVisible(chromedp.ID("result")),
		)
		for _, c := range []struct {
			name string
			tab  *testutil.Tab
			want string
		}{{"alice", alice, "alice"}, {"bob", bob, "nobody"}} {
			c.tab.Do(t, chromedp.Navigate(srv.URL+"/whoami"))
			if got := testutil.Run(t, c.tab, chromedp.Text(chromedp.ID("who"))); got != c.want {
				t.Errorf("%s's tab: server saw visitor %q, want %q", c.name, got, c.want)
			}
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		t.Setenv(testutil.ArtifactsEnv, t.TempDir())
		tab := b.NewTab(t)
		tab.Do(t, chromedp.Navigate(srv.URL))
		path := tab.Screenshot(t, "front page")

		if want := "TestBrowser_screenshot-front_page.png"; filepath.Base(path) != want {
			t.Errorf("file name %q, want %q", filepath.Base(path), want)
		}
		if dir := filepath.Dir(path); dir != os.Getenv(testutil.ArtifactsEnv) {
			t.Errorf("saved in %s, want %s", dir, os.Getenv(testutil.ArtifactsEnv))
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s (%d bytes): %v", path, len(data), err)
		}
		// The page is shorter than the viewport, so the whole page is the
		// viewport.
		if img.Width != 1280 || img.Height != 900 {
			t.Errorf("screenshot is %dx%d, want 1280x900", img.Width, img.Height)
		}
	})

	t.Run("viewports", func(t *testing.T) {
		size := chromedp.Evaluate[[2]int](`[window.innerWidth, window.innerHeight]`)
		for _, c := range []struct {
			name string
			opts []testutil.TabOption
			want [2]int
		}{
			{"default", nil, [2]int{1280, 900}},
			{"phone", []testutil.TabOption{testutil.PhoneViewport()}, [2]int{390, 844}},
			{"custom", []testutil.TabOption{testutil.Viewport(1024, 700)}, [2]int{1024, 700}},
		} {
			tab := b.NewTab(t, c.opts...)
			tab.Do(t, chromedp.Navigate(srv.URL))
			if got := testutil.Run(t, tab, size); got != c.want {
				t.Errorf("%s tab: viewport %v, want %v", c.name, got, c.want)
			}
		}
	})

	t.Run("JS errors", func(t *testing.T) {
		tab := b.NewTab(t)
		tab.Do(t, chromedp.Navigate(srv.URL+"/broken"))
		errs := tab.JSErrors()
		for _, want := range []string{
			"Uncaught Error: deliberate failure (" + srv.URL + "/broken.js:2:7)",
			"console.error: deliberate console error (" + srv.URL + "/broken.js:1:9)",
		} {
			if !slices.Contains(errs, want) {
				t.Errorf("JSErrors() = %q, want it to hold %q", errs, want)
			}
		}
	})

	t.Run("failure message", func(t *testing.T) {
		t.Setenv(testutil.ArtifactsEnv, t.TempDir())
		tab := b.NewTab(t)
		tab.Do(t, chromedp.Navigate(srv.URL+"/broken"))

		ft := &fatalRecorder{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			tab.Do(ft, chromedp.Evaluate[chromedp.Void](`nosuchfunction()`))
		}()
		<-done
		for _, want := range []string{
			"nosuchfunction is not defined",
			"page: " + srv.URL + "/broken",
			"Uncaught Error: deliberate failure",
			"screenshot: " + filepath.Join(os.Getenv(testutil.ArtifactsEnv), "TestBrowser_failure_message-failed.png"),
		} {
			if !strings.Contains(ft.msg, want) {
				t.Errorf("failure message does not hold %q:\n%s", want, ft.msg)
			}
		}
	})
}

// fatalRecorder stands in for the test in a call that is meant to fail it, and
// keeps the failure message.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatal(args ...any) {
	r.msg = fmt.Sprint(args...)
	goruntime.Goexit()
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.Fatal(fmt.Sprintf(format, args...))
}
