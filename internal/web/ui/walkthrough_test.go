package ui_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/eventtext"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/review/reviewtest"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// walk is one run of the walkthrough: a browser tab at one width, the site,
// and what earlier steps learned (the incident's ref).
type walk struct {
	t     *testing.T
	tab   *testutil.Tab
	s     *reviewtest.Site
	width string // "desktop" or "phone"
	ref   string
}

// walkStep is one step of the path from declaration to closing. Other
// parts of the issue (demo outbox, detection source, share confirmation,
// closing warnings) add their checks as steps in walkSteps.
type walkStep struct {
	name string
	run  func(w *walk)
}

// walkSteps is the path, in order.
var walkSteps = []walkStep{
	{"sign in, in Korean", stepSignInKorean},
	{"declare with preview", stepDeclare},
	{"demo outbox", stepDemoOutbox},
	{"detection", stepDetection},
	{"status updates", stepStatusUpdates},
	{"roles", stepRoles},
	{"report pre-fill", stepReport},
	{"share", stepShare},
	{"review and action items", stepReview},
	{"close and status pages", stepCloseAndStatusPages},
}

// TestWalkthroughKorean walks a SEV2 on a demo service from declaration to
// closing through the web UI, in Korean, at desktop width and at 390 px,
// checking on every page it visits that no raw event kind and no stray
// English shows, particles follow their word, and labels do not wrap.
// Screenshots of every step go to test-artifacts/.
func TestWalkthroughKorean(t *testing.T) {
	// As `serve --demo` runs: the demo catalog with its policy, and every
	// message delivered to the demo outbox.
	pol, err := policy.ParseConfig("demo.yaml", catalog.DemoYAML, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := reviewtest.Start(t, testutil.SQLiteURL(t), server.Options{Policy: pol, DemoOutbox: true})
	b := testutil.StartBrowser(t)
	for _, width := range []string{"desktop", "phone"} {
		t.Run(width, func(t *testing.T) {
			var opts []testutil.TabOption
			if width == "phone" {
				opts = append(opts, testutil.PhoneViewport())
			}
			w := &walk{t: t, tab: b.NewTab(t, opts...), s: s, width: width}
			for i, st := range walkSteps {
				st.run(w)
				w.tab.Screenshot(t, fmt.Sprintf("walkthrough-%s-%02d-%s", width, i+1, strings.ReplaceAll(st.name, " ", "-")))
				if t.Failed() {
					t.Fatalf("step %q failed", st.name)
				}
			}
			if errs := w.tab.JSErrors(); len(errs) > 0 {
				t.Errorf("JavaScript errors: %v", errs)
			}
		})
	}
}

func (w *walk) do(actions ...chromedp.Action[chromedp.Void]) { w.tab.Do(w.t, actions...) }

func (w *walk) eval(js string) string {
	return testutil.Run(w.t, w.tab, chromedp.Evaluate[string](js))
}

func (w *walk) waitFor(cond string) { waitFor(w.t, w.tab, cond) }

func (w *walk) open(path, sel string) {
	w.do(chromedp.Navigate(w.s.Base+path), chromedp.WaitVisible(chromedp.CSS(sel)))
	w.checkPage(path)
}

// latinAllowed are the Latin words a Korean page may show: product names
// and acronyms, the demo's user, service and team names, and Markdown
// table syntax in the report editor.
var latinAllowed = map[string]bool{}

func init() {
	for _, x := range strings.Fields(`Firebreak SEV SEV1 SEV2 SEV3 SEV4 SEV5 INC API URL ID Slack Jira GitHub Markdown HTML TBD PR
		KST UTC Asia Seoul alice bob minji kim vic root example com checkout api ledger auth payments web mobile app gateway search
		catalog notification notifications oncall ops sre platform core db Mattermost Teams LINE WORKS OpenFeature OFREP CSV JSON
		https http ko en Enter POST GET PUT DELETE Tier leadership pr pg partner demo Microsoft room`) {
		latinAllowed[strings.ToLower(x)] = true
	}
	// The demo's service and team names are names, whatever the language.
	cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
	if err != nil {
		panic(err)
	}
	var names []string
	for _, s := range cat.Services() {
		names = append(names, s.Name, s.Team)
	}
	for _, tm := range cat.Teams() {
		names = append(names, tm.Name, tm.DisplayName, tm.Email, tm.ChatChannel)
	}
	// So are the Teams channels and LINE WORKS targets the policy names
	// (pr-room), and the product name Microsoft Teams.
	pol, err := policy.ParseConfig("demo.yaml", catalog.DemoYAML, nil)
	if err != nil {
		panic(err)
	}
	names = append(names, "Microsoft")
	for _, d := range pol.Departments {
		names = append(names, d.Teams, d.LineWorks)
	}
	for _, n := range names {
		for _, part := range regexp.MustCompile(`[A-Za-z]+`).FindAllString(n, -1) {
			latinAllowed[strings.ToLower(part)] = true
		}
	}
}

var rawDetail = regexp.MustCompile(`(다\.) \([^()]*\)`)

var rawKind = regexp.MustCompile(`\b[a-z]+(?:_[a-z]+)+\b`)

// checkPage looks at the page as shown: no raw event kind in its text, no
// English words beyond names and acronyms, no "(으)로"-style particle, and
// every grade and status label on one line.
func (w *walk) checkPage(where string) {
	t := w.t
	t.Helper()
	if lang := w.eval(`document.documentElement.lang`); lang != "ko" {
		t.Errorf("%s: page language %q", where, lang)
	}
	body := w.eval(`document.querySelector("main").innerText`)
	// Messages sent out are in their recipients' language, not the
	// viewer's: their subjects and texts are left out of the check.
	words := w.eval(`(() => { const m = document.querySelector("main").cloneNode(true);
		m.querySelectorAll(".msg-subject, .message-text, textarea, select").forEach(e => e.remove());
		document.body.appendChild(m); const s = m.innerText; m.remove(); return s; })()`)
	// A delivery failure is said in words, with the peer's raw reason
	// kept second in brackets by design; the words are what is checked.
	words = rawDetail.ReplaceAllString(words, "$1")
	for _, k := range eventtext.Kinds() {
		if strings.Contains(body, string(k)) {
			t.Errorf("%s: the raw event kind %q shows", where, k)
		}
	}
	if m := rawKind.FindAllString(body, -1); len(m) > 0 {
		t.Errorf("%s: identifiers show as text: %v", where, m)
	}
	var english []string
	for _, word := range regexp.MustCompile(`[A-Za-z]{2,}`).FindAllString(words, -1) {
		if !latinAllowed[strings.ToLower(word)] && !w.known(word) {
			english = append(english, word)
		}
	}
	if len(english) > 0 {
		t.Errorf("%s: English in the Korean page: %v", where, english)
	}
	for _, either := range []string{"(으)로", "을(를)", "이(가)", "은(는)", "과(와)"} {
		if strings.Contains(body, either) {
			t.Errorf("%s: %q left in the text", where, either)
		}
	}
	// A label that wraps has more than one line box or grows taller than
	// two lines of its font.
	if bad := w.eval(`[...document.querySelectorAll(".grade, .status, .badge")].filter(e => e.offsetParent).filter(e => {
		const r = e.getBoundingClientRect(), fs = parseFloat(getComputedStyle(e).fontSize);
		return e.getClientRects().length > 1 || r.height > fs * 2.2;
	}).map(e => e.className + ":" + e.textContent.trim() + ":" + Math.round(e.getBoundingClientRect().height)).join(" | ")`); bad != "" {
		t.Errorf("%s: labels wrap: %s", where, bad)
	}
	if w.width == "phone" {
		if sw := w.eval(`String(document.documentElement.scrollWidth)`); sw != "390" && len(sw) >= 3 && sw > "390" {
			t.Errorf("%s: page is %s px wide on a 390 px phone", where, sw)
		}
	}
}

// known reports whether word belongs to the incident's own data (its
// title in Latin letters, the test's texts).
func (w *walk) known(word string) bool {
	return strings.HasPrefix(strings.ToLower(word), "inc")
}

func stepSignInKorean(w *walk) {
	w.do(
		chromedp.Navigate(w.s.Base+"/incidents"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "alice"),
		chromedp.SendKeys(chromedp.CSS(`#password`), reviewtest.Password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.incidents`)),
		chromedp.Click(chromedp.CSS(`button[name=lang][value=ko]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=ko] table.incidents`)),
	)
	w.checkPage("list")
}

func stepDeclare(w *walk) {
	t := w.t
	w.open("/incidents/new", `#preview`)
	w.do(
		chromedp.SendKeys(chromedp.CSS(`#title`), "결제 승인 지연"),
		chromedp.SendKeys(chromedp.CSS(`#summary`), "카드 결제 승인이 3초를 넘깁니다."),
		chromedp.Click(chromedp.CSS(`#grade-SEV2`)),
		chromedp.Click(chromedp.CSS(`input[name=services][value="checkout-api"]`)),
		chromedp.SetValue(chromedp.CSS(`#role-resolver`), "alice"),
		chromedp.SetValue(chromedp.CSS(`#role-communicator`), "alice"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#role-communicator").dispatchEvent(new Event("change", {bubbles: true}))`),
	)
	// The preview follows the form; one person in both roles is warned
	// about in Korean.
	w.waitFor(`document.querySelector("#preview").innerText.includes("해결 담당과 전파 담당을 모두")`)
	w.checkPage("declare preview")
	if over := w.eval(`String([...document.querySelectorAll("#preview, #preview *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).length)`); over != "0" {
		t.Errorf("%s elements of the declare preview overflow the screen", over)
	}
	w.do(
		chromedp.SetValue(chromedp.CSS(`#role-communicator`), "bob"),
		chromedp.Click(chromedp.CSS(`form.declare button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#timeline`)),
	)
	w.ref = w.eval(`location.pathname.split("/").pop()`)
	if !strings.HasPrefix(w.ref, "INC-") {
		t.Fatalf("after declaring, at %s", w.ref)
	}
	w.checkPage("incident")
}

func stepStatusUpdates(w *walk) {
	t := w.t
	if w.width == "phone" {
		// The update box comes before the timeline, within the first two
		// screens, not below every event.
		pos := w.eval(`(() => { const u = document.getElementById("update-text").getBoundingClientRect().top + scrollY,
			tl = document.getElementById("timeline").getBoundingClientRect().top + scrollY; return u + " " + tl + " " + innerHeight; })()`)
		var u, tl, h float64
		fmt.Sscan(pos, &u, &tl, &h)
		if u > tl || u > 2*h {
			t.Errorf("update box at %v px, timeline at %v px, screen %v px high", u, tl, h)
		}
	}
	w.do(
		chromedp.SendKeys(chromedp.CSS(`#update-text`), "결제 승인이 지연되고 있습니다. 원인을 조사 중입니다."),
		chromedp.Click(chromedp.CSS(`form.update-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#timeline li.ev-status_update`)),
		chromedp.SetValue(chromedp.CSS(`#new-status`), "identified"),
		chromedp.Click(chromedp.CSS(`form[action$="/status"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#timeline li.ev-status_changed`)),
	)
	if st := text(t, w.tab, `[data-testid=status]`); st != "원인 파악" {
		t.Errorf("status reads %q", st)
	}
	w.checkPage("incident after updates")
}

func stepRoles(w *walk) {
	t := w.t
	w.do(
		chromedp.SetValue(chromedp.CSS(`#assign-resolver`), "minji.kim"),
		chromedp.Click(chromedp.CSS(`#assign-resolver ~ button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=role-resolver]`)),
	)
	w.waitFor(`document.querySelector("[data-testid=role-resolver]").textContent.trim() === "minji.kim"`)
	// The particle follows the role's name: 해결 담당으로.
	w.waitFor(`document.getElementById("timeline").innerText.includes("minji.kim 님을 해결 담당으로 지정")`)
	_ = t
	w.checkPage("incident after roles")
}

func stepReport(w *walk) {
	t := w.t
	w.open("/incidents/"+w.ref+"/report", `form[action$="/report/start"]`)
	w.do(
		chromedp.Click(chromedp.CSS(`form[action$="/report/start"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#s-timeline`)),
	)
	pre := w.eval(`document.getElementById("s-timeline").value`)
	if !regexp.MustCompile(`\| 시각 \([A-Za-z_/]+\) \|`).MatchString(pre) {
		t.Errorf("the timeline table names no zone in its header:\n%s", pre)
	}
	for _, want := range []string{"결제 승인이 지연되고 있습니다. 원인을 조사 중입니다.", "조사 중 → 원인 파악", "해결 담당"} {
		if !strings.Contains(pre, want) {
			t.Errorf("pre-filled timeline lacks %q:\n%s", want, pre)
		}
	}
	for _, k := range eventtext.Kinds() {
		if strings.Contains(pre, string(k)) {
			t.Errorf("pre-filled timeline shows the raw kind %q", k)
		}
	}
	w.checkPage("report editor")
	// The incident page names the report's events in words too.
	w.open("/incidents/"+w.ref, `#timeline`)
}

func stepReview(w *walk) {
	t := w.t
	due := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	w.open("/incidents/"+w.ref+"/review", `#review-title`)
	w.do(
		chromedp.SendKeys(chromedp.CSS(`#item-title`), "결제 DB 연결 풀 사용률 80% 초과 5분 지속 시 알림"),
		chromedp.SetValue(chromedp.CSS(`#item-category`), "detect"),
		chromedp.SetValue(chromedp.CSS(`#item-owner`), "bob"),
		chromedp.SetValue(chromedp.CSS(`#item-due`), due),
		chromedp.Click(chromedp.CSS(`#add-item-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#item-rows tr[data-item]`)),
	)
	w.checkPage("review with an item")
	// Every column of the item is on screen, and its status can be changed.
	hidden := w.eval(`[...document.querySelectorAll("#item-rows tr[data-item] td")].filter(td => {
		const r = td.getBoundingClientRect(); return !td.offsetParent || r.width < 20 || r.right > innerWidth + 1;
	}).map(td => td.dataset.label || td.cellIndex).join(", ")`)
	if hidden != "" {
		t.Errorf("action item columns hidden or off screen: %s", hidden)
	}
	if n := w.eval(`String(document.querySelectorAll("#item-rows tr[data-item] td").length)`); n != "7" {
		t.Errorf("%s item cells", n)
	}
	// Type in the developer review, save the team review: the typed text
	// stays, marked as not saved.
	w.do(
		chromedp.SendKeys(chromedp.CSS(`#notes-developer`), "개발자 회고 메모(아직 저장 안 함)"),
		chromedp.SetValue(chromedp.CSS(`#fac-team`), "minji.kim"),
		chromedp.SendKeys(chromedp.CSS(`#chain-team`), "배치 작업이 연결을 점유 → 결제 대기 → 재시도 누적"),
		chromedp.Click(chromedp.CSS(`#held-team`)),
		chromedp.Click(chromedp.CSS(`#save-team`)),
		chromedp.WaitVisible(chromedp.CSS(`#stage-team .badge`)),
	)
	if got := w.eval(`document.getElementById("notes-developer").value`); got != "개발자 회고 메모(아직 저장 안 함)" {
		t.Errorf("saving the team review lost the developer review's text: %q", got)
	}
	if u := w.eval(`document.getElementById("unsaved-developer") ? "yes" : "no"`); u != "yes" {
		t.Error("the developer review's unsaved text is not marked")
	}
	w.checkPage("review after saving one stage")
	w.do(
		chromedp.SetValue(chromedp.CSS(`#fac-developer`), "bob"),
		chromedp.Click(chromedp.CSS(`#held-developer`)),
		chromedp.Click(chromedp.CSS(`#save-developer`)),
		chromedp.WaitVisible(chromedp.CSS(`#stage-developer .badge`)),
	)
	if got := w.eval(`document.getElementById("notes-developer").value`); got != "개발자 회고 메모(아직 저장 안 함)" {
		t.Errorf("developer notes after saving: %q", got)
	}
	if got := w.eval(`document.getElementById("chain-team").value`); !strings.Contains(got, "재시도 누적") {
		t.Errorf("team chain after saving the developer review: %q", got)
	}
}
