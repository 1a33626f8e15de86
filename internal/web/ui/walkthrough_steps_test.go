package ui_test

import (
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/review/reviewtest"
)

// The steps of #16's walkthrough beyond declaring, updating and reviewing:
// the demo outbox, how and when the incident was found, sharing the report
// with each recipient's delivery, and the status pages following resolve
// and close. TestWalkthroughKorean runs them in order with the others.

// signInAs signs the tab out and in again as name; the language cookie
// stays, so the pages stay Korean.
func (w *walk) signInAs(name string) {
	w.do(
		chromedp.Navigate(w.s.Base+"/incidents"),
		chromedp.WaitReady(chromedp.CSS(`form[action="/logout"]`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action="/logout"]').submit()`),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), name),
		chromedp.SendKeys(chromedp.CSS(`#password`), reviewtest.Password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`form[action="/logout"]`)),
	)
	if who := w.eval(`document.querySelector(".who") ? document.querySelector(".who").textContent : ""`); !strings.Contains(who, name) {
		w.t.Fatalf("signed in as %q, want %s", who, name)
	}
}

// reloadUntil opens path again and again until the JavaScript condition
// holds on it, for what a background job changes (deliveries).
func (w *walk) reloadUntil(path, sel, cond string) {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		w.do(chromedp.Navigate(w.s.Base+path), chromedp.WaitReady(chromedp.CSS(sel)))
		if w.eval(`String(!!(`+cond+`))`) == "true" {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("%s: %s never held:\n%s", path, cond, w.eval(`document.querySelector("main").innerText`))
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// stepDemoOutbox: in the demo, every message of the declaration lands in
// the built-in outbox, one per target, and the page says it is demo-only.
func stepDemoOutbox(w *walk) {
	t := w.t
	w.signInAs("root") // the outbox is an admin's page, as the demo's own user is
	ref := w.ref
	w.reloadUntil("/demo/outbox", `#demo-only`, `document.querySelector("main").innerText.includes("`+ref+`") &&
		!document.querySelector(".msg-pending")`)
	if notice := text(t, w.tab, `#demo-only`); !strings.Contains(notice, "데모") {
		t.Errorf("the demo-only notice reads %q", notice)
	}
	body := w.eval(`document.querySelector("main").innerText`)
	for _, target := range []string{"payments@example.com", "pr@example.com"} {
		if !strings.Contains(body, target) {
			t.Errorf("the demo outbox shows no message to %s", target)
		}
	}
	// A team's target is named in Korean word order, not "team payments".
	if strings.Contains(body, "team payments") || !strings.Contains(body, "payments 팀") {
		t.Errorf("the demo outbox names the team's target in English")
	}
	w.checkPage("demo outbox")
	w.signInAs("alice")
}

// stepDetection: the incident page shows how and when it was found, and
// both are edited there.
func stepDetection(w *walk) {
	t := w.t
	// The incident began half an hour before it was declared.
	started := time.Now().Add(-30 * time.Minute).UTC().Format(time.RFC3339)
	w.s.Call(t, "alice", "PATCH", "/api/v1/incidents/"+w.ref, map[string]any{"started_at": started}, 200)
	w.open("/incidents/"+w.ref, `#detection-form`)
	if got := text(t, w.tab, `#inc-detection`); got != "기록 안 됨" {
		t.Errorf("a web declaration's detection reads %q", got)
	}
	// Found by a staff report in chat ten minutes before it was declared.
	w.do(
		chromedp.SetValue(chromedp.CSS(`#detection`), "chat_report"),
		chromedp.Evaluate[chromedp.Void](`(() => { const i = document.getElementById("detected-at");
			const d = new Date(new Date(i.value + ":00Z").getTime() - 10*60000); i.value = d.toISOString().slice(0, 16); })()`),
	)
	want := w.eval(`document.getElementById("detected-at").value`)
	w.do(
		chromedp.Click(chromedp.CSS(`[data-testid=save-detection]`)),
		chromedp.WaitVisible(chromedp.CSS(`#timeline`)),
	)
	w.waitFor(`document.getElementById("inc-detection").textContent.trim() === "채팅으로 들어온 직원 제보"`)
	if got := w.eval(`document.getElementById("detected-at").value`); got != want {
		t.Errorf("detected at %q after saving, want %q", got, want)
	}
	if e := w.eval(`document.querySelector(".error") ? document.querySelector(".error").innerText : ""`); e != "" {
		t.Errorf("saving the detection: %s", e)
	}
	w.checkPage("incident after detection")
}

// stepShare: sharing asks first, naming the recipients; afterwards the
// report page and the incident page show each one's delivery.
func stepShare(w *walk) {
	t := w.t
	w.open("/incidents/"+w.ref+"/report", `[data-testid=share]`)
	// The pre-fill reads like a report: detection as recorded, the zone
	// named once, no identifiers.
	det := w.eval(`(document.getElementById("sec-detection") || document.body).innerText`)
	for _, want := range []string{"채팅으로 들어온 직원 제보", "Asia/Seoul"} {
		if !strings.Contains(det, want) {
			t.Errorf("the report's detection section lacks %q:\n%s", want, det)
		}
	}
	if strings.Count(det, "Asia/Seoul")+strings.Count(det, "KST") != 1 {
		t.Errorf("the detection section names the zone more than once:\n%s", det)
	}
	w.do(
		chromedp.Click(chromedp.CSS(`[data-testid=share]`)),
		chromedp.WaitVisible(chromedp.CSS(`#share-confirm`)),
	)
	recipients := strings.Fields(w.eval(`[...document.querySelectorAll("#share-recipients li")].map(l => l.dataset.recipient).join(" ")`))
	if len(recipients) < 2 || !strings.Contains(strings.Join(recipients, " "), "payments@example.com") {
		t.Errorf("the confirmation lists recipients %v", recipients)
	}
	if intro := text(t, w.tab, `#share-intro`); !strings.Contains(intro, "TBD") {
		t.Errorf("the confirmation does not say the first share goes whole: %q", intro)
	}
	w.checkPage("share confirmation")
	w.do(
		chromedp.Click(chromedp.CSS(`#share-confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`.shares .deliveries li`)),
	)
	if n := w.eval(`String(document.querySelectorAll(".shares .deliveries li").length)`); n != strconv.Itoa(len(recipients)) {
		t.Errorf("%s deliveries listed for %d recipients", n, len(recipients))
	}
	// Delivered means delivered: the page says so once the outbox did.
	w.reloadUntil("/incidents/"+w.ref+"/report", `.shares`, `[...document.querySelectorAll(".shares .deliveries li")].every(l => l.dataset.state === "delivered")`)
	for _, r := range recipients {
		if st := w.eval(`document.querySelector('.shares .deliveries li[data-recipient="` + r + `"] .badge').textContent`); st != "전달됨" {
			t.Errorf("%s: delivery reads %q", r, st)
		}
	}
	w.checkPage("report after sharing")
	w.open("/incidents/"+w.ref, `#last-share`)
	if n := w.eval(`String(document.querySelectorAll('#last-share li[data-state="delivered"]').length)`); n != strconv.Itoa(len(recipients)) {
		t.Errorf("the incident page shows %s of %d deliveries delivered", n, len(recipients))
	}
	if strings.Contains(w.eval(`document.getElementById("timeline").innerText`), "report_shared") {
		t.Error("the timeline shows report_shared")
	}
}

// stepCloseAndStatusPages resolves and closes the incident: closing warns
// about TBD sections and the open action item and asks, without blocking;
// the internal status page follows each change, never leaving the last
// "in progress" update as the incident's newest word.
func stepCloseAndStatusPages(w *walk) {
	t := w.t
	inProgress := "원인을 조사 중입니다."
	statusEntry := func(want string) {
		t.Helper()
		w.open("/status/internal", `#`+w.ref)
		got := text(t, w.tab, `#`+w.ref+` .status`)
		if got != want {
			t.Errorf("status page shows %s as %q, want %q", w.ref, got, want)
		}
		first := w.eval(`(document.querySelector("#` + w.ref + ` .updates li") || {innerText: ""}).innerText`)
		if strings.Contains(first, inProgress) {
			t.Errorf("the status page's newest word on %s is still the in-progress update: %q", w.ref, first)
		}
	}
	w.open("/incidents/"+w.ref, `#new-status`)
	w.do(
		chromedp.SetValue(chromedp.CSS(`#new-status`), "resolved"),
		chromedp.Click(chromedp.CSS(`form[action$="/status"] button[type=submit]`)),
	)
	w.waitFor(`document.querySelector("[data-testid=status]").classList.contains("st-resolved")`)
	statusEntry("해결됨")
	w.open("/incidents/"+w.ref, `#new-status`)
	w.do(
		chromedp.SetValue(chromedp.CSS(`#new-status`), "closed"),
		chromedp.Click(chromedp.CSS(`form[action$="/status"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#close-confirm`)),
	)
	if warn := text(t, w.tab, `#close-warning`); !strings.Contains(warn, "종료") {
		t.Errorf("closing warns %q", warn)
	}
	if tbd := w.eval(`(document.getElementById("close-tbd") || {innerText: ""}).innerText`); !strings.Contains(tbd, "원인") {
		t.Errorf("the closing warning lists TBD sections %q", tbd)
	}
	if items := w.eval(`(document.getElementById("close-items") || {innerText: ""}).innerText`); !strings.Contains(items, "연결 풀 사용률") {
		t.Errorf("the closing warning lists open items %q", items)
	}
	w.checkPage("close confirmation")
	w.do(chromedp.Click(chromedp.CSS(`#close-confirm`)))
	w.waitFor(`!!document.querySelector("[data-testid=status].st-closed")`)
	if st := text(t, w.tab, `[data-testid=status]`); st != "종료" {
		t.Errorf("closed status reads %q", st)
	}
	w.checkPage("closed incident")
	statusEntry("종료")
}
