package testutil

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ChromiumEnv names a variable that, when set, is the path of the Chromium
// binary that browser tests start, instead of /usr/bin/chromium or chromium on
// PATH.
const ChromiumEnv = "FIREBREAK_CHROMIUM"

// ArtifactsEnv names a variable that, when set, is the directory that
// screenshots are saved in, instead of test-artifacts at the module root.
const ArtifactsEnv = "FIREBREAK_TEST_ARTIFACTS"

// BrowserTimeout bounds each call of Tab.Do, Run and Tab.Screenshot, and the
// start of the browser and of each tab, so that a page that never shows what a
// test waits for fails the test instead of hanging it.
const BrowserTimeout = 30 * time.Second

const (
	desktopWidth, desktopHeight = 1280, 900
	phoneWidth, phoneHeight     = 390, 844

	// closeTimeout bounds the graceful close of the browser at the end of a
	// test; after it the process is killed.
	closeTimeout = 10 * time.Second
	// diagnosisTimeout bounds what a failing action does to describe the
	// page (its URL, a screenshot), which must not hang on a stuck page.
	diagnosisTimeout = 5 * time.Second
)

// Browser is a headless Chromium process started for one test. Its tabs are
// opened with NewTab; each has its own cookies and storage, so one test can
// sign in as several users at once.
type Browser struct {
	// ctx is the chromedp context of the browser's first tab. It owns the
	// process; tabs are opened from it and the tab itself is not used, so
	// that every Tab is alike.
	ctx     context.Context
	process *chromedp.Browser // nil until Chromium has started
	output  *lockedBuffer
}

// StartBrowser starts headless Chromium for the test and stops it when the
// test ends. Chromium is found through $FIREBREAK_CHROMIUM, /usr/bin/chromium
// or chromium on PATH; without it the test is skipped, or fails under CI=true.
func StartBrowser(t testing.TB) *Browser {
	t.Helper()
	path := chromiumPath(t)

	output := &lockedBuffer{}
	// Chromium runs with a fresh profile and without the sandbox (tests may
	// run as root), and must not reach for the network on its own: test
	// machines may have none, and a test must not depend on what it would
	// fetch. Some flags repeat chromedp's defaults so that this list alone
	// says how Chromium runs.
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(desktopWidth, desktopHeight),
		chromedp.CombinedOutput(output),
	)
	allocCtx, stopAllocator := chromedp.NewExecAllocator(context.Background(), opts...)
	// The cancel func of the first context is not used: chromedp.Cancel
	// below does its work, and calling both can block for ever.
	ctx, _ := chromedp.NewContext(allocCtx)
	b := &Browser{ctx: ctx, output: output}

	// Registered after t.TempDir, so it runs before the profile is removed.
	t.Cleanup(func() {
		// Chromium's output is mostly noise, but when it died under the
		// test, its last words may say why.
		died := false
		if b.process != nil {
			select {
			case <-b.process.LostConnection:
				died = true
			default:
			}
		}
		closeCtx, cancel := context.WithTimeout(ctx, closeTimeout)
		err := chromedp.Cancel(closeCtx)
		cancel()
		// Kills the process if the graceful close did not end it, and
		// waits until it has exited.
		stopAllocator()
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, chromedp.ErrInvalidContext) {
			t.Logf("closing Chromium: %v", err)
		}
		if died {
			t.Logf("Chromium stopped during the test; its output (routine noise left out):\n%s", output.Tail(4096))
		}
	})

	if err := startWithin(ctx, BrowserTimeout); err != nil {
		t.Fatalf("start Chromium (%s): %v\nits output (routine noise left out):\n%s", path, err, output.Tail(4096))
	}
	b.process = chromedp.FromContext(ctx).Browser
	return b
}

// chromiumPath returns the Chromium binary to start, or stops the test when
// there is none.
func chromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(ChromiumEnv); p != "" {
		// An explicit choice that does not work is a mistake to report,
		// not a reason to skip.
		full, err := exec.LookPath(p)
		if err != nil {
			t.Fatalf("%s=%s: %v", ChromiumEnv, p, err)
		}
		return full
	}
	if p, err := exec.LookPath("/usr/bin/chromium"); err == nil {
		return p
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	Missing(t, "Chromium (apt-get install chromium)")
	return ""
}

// startWithin makes the first call on a chromedp context, which starts the
// browser or opens the tab, and gives up after d. The call itself gets ctx,
// not a context with a deadline: chromedp ties the life of the browser or tab
// to the context of its first call.
func startWithin(ctx context.Context, d time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx, steps...) }()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		// The caller's cleanup cancels ctx, which ends the call.
		return fmt.Errorf("no answer within %v", d)
	}
}

// TabOption changes how NewTab sets up a tab.
type TabOption func(*tabConfig)

type tabConfig struct {
	viewport chromedp.Action[chromedp.Void]
}

// Viewport makes the tab's viewport width×height CSS pixels instead of the
// default 1280×900.
func Viewport(width, height int) TabOption {
	return func(c *tabConfig) {
		c.viewport = chromedp.EmulateViewport(int64(width), int64(height))
	}
}

// PhoneViewport makes the tab behave like a phone held upright: a 390×844
// viewport, touch input, and mobile layout rules (a page without a
// width=device-width viewport meta tag is laid out wider and scaled down, as
// on a real phone).
func PhoneViewport() TabOption {
	return func(c *tabConfig) {
		c.viewport = chromedp.EmulateViewport(phoneWidth, phoneHeight,
			chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
}

// Tab is one page of a Browser, in a browser context of its own: it shares no
// cookies, storage or cache with any other Tab. It also records the errors
// the page reports (see JSErrors).
//
// A Tab is driven from one goroutine at a time.
type Tab struct {
	ctx context.Context

	mu       sync.Mutex
	jsErrors []string
}

// NewTab opens a tab in a new browser context, so that it starts signed out
// whatever the other tabs did. The tab is closed when the test ends.
func (b *Browser) NewTab(t testing.TB, opts ...TabOption) *Tab {
	t.Helper()
	// The window is 1280×900 too, but headless Chromium takes room for
	// browser UI out of it; the viewport is what a page's layout sees.
	cfg := tabConfig{viewport: chromedp.EmulateViewport(desktopWidth, desktopHeight)}
	for _, o := range opts {
		o(&cfg)
	}
	tab := &Tab{}
	// The listener is added before the tab's first message, so no error
	// that the page reports is missed.
	ctx, closeTab := chromedp.NewContext(b.ctx,
		chromedp.WithNewBrowserContext(),
		chromedp.WithListener(tab.record),
	)
	tab.ctx = ctx
	t.Cleanup(closeTab)
	if err := startWithin(ctx, BrowserTimeout, cfg.viewport); err != nil {
		t.Fatalf("open a browser tab: %v\nChromium's output (routine noise left out):\n%s", err, b.output.Tail(4096))
	}
	return tab
}

// Context returns the chromedp context of the tab, for what Do and Run do not
// cover, such as chromedp.Events. A call on it has no time limit unless the
// caller derives one with context.WithTimeout.
func (tab *Tab) Context() context.Context {
	return tab.ctx
}

// Do runs the actions in order in the tab and fails the test at the first
// error, or when they take longer than BrowserTimeout together. The failure
// names the page's URL, lists the errors the page reported and saves a
// screenshot. Call it from the test's goroutine.
func (tab *Tab) Do(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, BrowserTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tab.fail(t, err)
	}
}

// Run runs one action in the tab and returns its value, such as the text of
// chromedp.Text or the result of chromedp.Evaluate. It fails the test as
// Tab.Do does. It is a function rather than a method because Go methods
// cannot have type parameters.
func Run[T any](t testing.TB, tab *Tab, action chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, BrowserTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		tab.fail(t, err)
	}
	return v
}

// fail stops the test with err and what can be learnt about the page.
func (tab *Tab) fail(t testing.TB, err error) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "browser: %v", err)
	if errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(&b, " (gave up after %v)", BrowserTimeout)
	}
	fmt.Fprintf(&b, "\n  page: %s", tab.currentURL())
	if errs := tab.JSErrors(); len(errs) > 0 {
		fmt.Fprintf(&b, "\n  errors reported by the page:\n    %s", strings.Join(errs, "\n    "))
	}
	ctx, cancel := context.WithTimeout(tab.ctx, diagnosisTimeout)
	defer cancel()
	if path, err := tab.saveScreenshot(ctx, t, "failed"); err == nil {
		fmt.Fprintf(&b, "\n  screenshot: %s", path)
	}
	t.Fatal(b.String())
}

// currentURL returns the URL of the tab as the browser knows it. It asks the
// browser, not the page, so that it answers even when the page is stuck.
func (tab *Tab) currentURL() string {
	c := chromedp.FromContext(tab.ctx)
	if c == nil || c.Target == nil {
		return "(no page)"
	}
	ctx, cancel := context.WithTimeout(tab.ctx, diagnosisTimeout)
	defer cancel()
	infos, err := chromedp.Targets(ctx)
	if err != nil {
		return fmt.Sprintf("(unknown: %v)", err)
	}
	for _, info := range infos {
		if info.TargetID == c.Target.TargetID {
			return info.URL
		}
	}
	return "(unknown: the tab is gone)"
}

// Screenshot saves a PNG of the whole page, not only the visible part, as
// <test name>-<name>.png in ArtifactsDir, logs its path and returns it.
func (tab *Tab) Screenshot(t testing.TB, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, BrowserTimeout)
	defer cancel()
	path, err := tab.saveScreenshot(ctx, t, name)
	if err != nil {
		t.Fatalf("screenshot %q of %s: %v", name, tab.currentURL(), err)
	}
	t.Logf("screenshot %s", path)
	return path
}

func (tab *Tab) saveScreenshot(ctx context.Context, t testing.TB, name string) (string, error) {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 means PNG
	if err != nil {
		return "", err
	}
	dir, err := artifactsDir()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, fileSafe(t.Name())+"-"+fileSafe(name)+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// ArtifactsDir returns the directory that tests save files for people to look
// at in (screenshots), creating it if needed: $FIREBREAK_TEST_ARTIFACTS, or
// test-artifacts at the root of the module.
func ArtifactsDir(t testing.TB) string {
	t.Helper()
	dir, err := artifactsDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func artifactsDir() (string, error) {
	dir := os.Getenv(ArtifactsEnv)
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			return "", fmt.Errorf("%w; set %s to choose a directory for test artifacts", err, ArtifactsEnv)
		}
		dir = filepath.Join(root, "test-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("test artifacts directory: %w", err)
	}
	return dir, nil
}

// moduleRoot returns the nearest directory at or above the working directory
// (the package directory under go test) that holds a go.mod.
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no go.mod at or above %s", wd)
		}
	}
}

// fileSafe replaces what may not, or should not, appear in a file name, such
// as the slash between a test and its subtest.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		}
		return '_'
	}, s)
}

// JSErrors returns the errors that the tab's pages have reported so far, in
// order: uncaught exceptions and unhandled promise rejections, console.error
// and failed console.assert calls, and error entries of the browser log, such
// as a script or API request that failed to load or a Content Security Policy
// violation.
func (tab *Tab) JSErrors() []string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return slices.Clone(tab.jsErrors)
}

// record is the tab's event listener. chromedp calls it on the goroutine that
// reads the tab's messages, so it only formats and stores.
func (tab *Tab) record(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		msg = exceptionText(ev.ExceptionDetails)
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		msg = "console." + string(ev.Type) + ": " + argsText(ev.Args) + stackPlace(ev.StackTrace)
	case *log.EventEntryAdded:
		e := ev.Entry
		if e == nil || e.Level != log.EntryLevelError || isDefaultFavicon(e) {
			return
		}
		msg = string(e.Source) + ": " + e.Text
		if e.URL != "" {
			msg += " (" + e.URL + ")"
		}
	default:
		return
	}
	tab.mu.Lock()
	tab.jsErrors = append(tab.jsErrors, msg)
	tab.mu.Unlock()
}

// isDefaultFavicon reports whether e is the failure of the request for
// /favicon.ico that Chromium makes by itself for a page that names no icon.
// It is not the page's doing, and tests' servers rarely serve one.
func isDefaultFavicon(e *log.Entry) bool {
	if e.Source != log.EntrySourceNetwork {
		return false
	}
	u, err := url.Parse(e.URL)
	return err == nil && u.Path == "/favicon.ico"
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "uncaught exception"
	}
	text := d.Text // "Uncaught" or "Uncaught (in promise)"
	if d.Exception != nil {
		// The description of an Error is its message followed by its
		// stack; the place of the throw is added below instead.
		desc, _, _ := strings.Cut(remoteText(d.Exception), "\n")
		text += " " + desc
	}
	where := d.URL
	if where == "" && d.StackTrace != nil && len(d.StackTrace.CallFrames) > 0 {
		where = d.StackTrace.CallFrames[0].URL
	}
	if where != "" {
		text += place(where, d.LineNumber, d.ColumnNumber)
	}
	return text
}

func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		parts = append(parts, remoteText(a))
	}
	return strings.Join(parts, " ")
}

// remoteText renders a value as the DevTools console would, roughly: a
// string as itself, anything else by its description or JSON value.
func remoteText(o *runtime.RemoteObject) string {
	if o == nil {
		return "null"
	}
	if o.Type == runtime.RemoteObjectTypeString {
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
	}
	switch {
	case o.UnserializableValue != "":
		return string(o.UnserializableValue)
	case o.Description != "":
		return o.Description
	case len(o.Value) > 0:
		return string(o.Value)
	}
	return string(o.Type)
}

func stackPlace(st *runtime.StackTrace) string {
	if st == nil || len(st.CallFrames) == 0 || st.CallFrames[0].URL == "" {
		return ""
	}
	f := st.CallFrames[0]
	return place(f.URL, f.LineNumber, f.ColumnNumber)
}

// place formats a 0-based protocol position as " (url:line:column)", with
// 1-based numbers as editors show them.
func place(where string, line, column int64) string {
	return fmt.Sprintf(" (%s:%d:%d)", where, line+1, column+1)
}

// lockedBuffer collects Chromium's output, which chromedp writes from another
// goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// chromiumNoise holds what Chromium prints on every run here, and so never
// explains a failure: it finds no D-Bus in a container, and Debian's launcher
// script trips over its own memory check.
var chromiumNoise = []string{":ERROR:dbus/", ": unexpected operator"}

// Tail returns at most the last n bytes written, without the lines of
// routine noise.
func (b *lockedBuffer) Tail(n int) string {
	b.mu.Lock()
	out := b.buf.String()
	b.mu.Unlock()
	var kept []string
	for line := range strings.Lines(out) {
		if !slices.ContainsFunc(chromiumNoise, func(s string) bool { return strings.Contains(line, s) }) {
			kept = append(kept, line)
		}
	}
	out = strings.Join(kept, "")
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}
