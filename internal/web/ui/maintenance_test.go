package ui_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestSilenceFromTriage: a responder silences a triage signal for 2 h from
// its card, with matchers prefilled from its labels; a comment is
// required; the silence is listed with its creator, reason and expiry;
// the next alert it matches is kept quiet; ending it moves it to the
// expired list. The page is Korean too.
func TestSilenceFromTriage(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	ctx := context.Background()
	sig := &intake.Signal{Source: "generic", Title: "Disk 91% on db-3",
		Labels: map[string]string{"alertname": "DiskFull", "instance": "db-3"}}
	if err := s.srv.Intake.Accept(ctx, []*intake.Signal{sig}, nil); err != nil {
		t.Fatal(err)
	}
	alice := httpSession(t, s.base, "alice")
	page := waitForPage(t, alice, s.base+"/triage", "Disk 91% on db-3")
	if !strings.Contains(page, `alertname=&#34;DiskFull&#34;`) || !strings.Contains(page, `instance=&#34;db-3&#34;`) {
		t.Fatalf("the silence form is not prefilled with the signal's labels:\n%s", page)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
	post := func(path string, form url.Values) (int, string) {
		form.Set("csrf", csrf)
		resp, err := alice.PostForm(s.base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	form := url.Values{"signal": {"SIG-1"}, "matchers": {"alertname=\"DiskFull\"\n"}, "duration": {"2h0m0s"}}
	if code, body := post("/silences", form); code != 400 || !strings.Contains(body, "comment: is required") {
		t.Fatalf("silence without a comment: %d", code)
	}
	form.Set("comment", "디스크 교체 작업 중")
	code, body := post("/silences", form)
	if code != 200 || !strings.Contains(body, `id="sil-1"`) || !strings.Contains(body, "디스크 교체 작업 중") ||
		!strings.Contains(body, "from SIG-1") {
		t.Fatalf("silence: %d\n%s", code, body)
	}
	// The next DiskFull alert, on another instance, is kept quiet.
	next := &intake.Signal{Source: "generic", Title: "Disk 95% on db-4", Labels: map[string]string{"alertname": "DiskFull", "instance": "db-4"}}
	if err := s.srv.Intake.Accept(ctx, []*intake.Signal{next}, nil); err != nil {
		t.Fatal(err)
	}
	page = waitForPage(t, alice, s.base+"/maintenance", "Disk 95% on db-4") // listed as kept quiet
	if !strings.Contains(page, "SIL-1") {
		t.Error("kept quiet, but not by SIL-1")
	}
	if !strings.Contains(page, "Disk 91% on db-3") {
		t.Error("the signal the silence was made from is not listed as kept quiet")
	}
	if _, tri := get(t, alice, s.base+"/triage"); strings.Contains(tri, "db-4") {
		t.Error("the silenced signal reached the triage inbox")
	}
	if code, body = post("/silences/1/end", url.Values{}); code != 200 || !strings.Contains(body, "ended by alice") {
		t.Fatalf("end the silence: %d", code)
	}
	ko, _ := http.NewRequest("GET", s.base+"/maintenance", nil)
	ko.Header.Set("Accept-Language", "ko")
	resp, err := alice.Do(ko)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"점검 시간과 알림 묵음", "만료·종료됨", "디스크 교체 작업 중", "alice 님이 종료"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the Korean page lacks %q", want)
		}
	}
}

// TestDeclareDuringMaintenance: with a window in progress on ledger, the
// declare preview says so (in English and Korean) and a person can still
// declare; the incident's timeline names the window. The status page
// shows scheduled maintenance: public windows to all, every one to staff.
func TestDeclareDuringMaintenance(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	ctx := context.Background()
	now := time.Now().UTC()
	if _, err := s.srv.Maintenance.CreateWindow(ctx, intake.System, maintenance.Window{Title: "원장 DB 업그레이드",
		Services: []string{"ledger"}, StartsAt: now.Add(-time.Minute), EndsAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	alice := httpSession(t, s.base, "alice")
	_, page := get(t, alice, s.base+"/incidents/new")
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
	form := url.Values{"csrf": {csrf}, "title": {"Ledger writes failing"}, "grade": {"SEV3"}, "services": {"ledger"},
		"visibility": {"internal"}}
	post := func(path, lang string) string {
		req, _ := http.NewRequest("POST", s.base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", lang)
		resp, err := alice.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := post("/incidents/preview", "en"); !strings.Contains(got, "Maintenance window MW-1 is active on ledger") {
		t.Errorf("English preview lacks the window:\n%s", got)
	}
	if got := post("/incidents/preview", "ko"); !strings.Contains(got, "ledger에 점검 시간 MW-1이 진행 중입니다") {
		t.Errorf("Korean preview lacks the window:\n%s", got)
	}
	if got := post("/incidents", "en"); !strings.Contains(got, "declared during maintenance window MW-1 (원장 DB 업그레이드)") {
		t.Errorf("the incident's timeline does not name the window:\n%s", got)
	}

	// The status page: a public window tonight shows to everyone, in
	// Korean too; the internal one only on the staff page.
	tonight := now.Add(6 * time.Hour)
	if _, err := s.srv.Maintenance.CreateWindow(ctx, intake.System, maintenance.Window{Title: "Checkout upgrade tonight",
		Services: []string{"checkout-api"}, StartsAt: tonight, EndsAt: tonight.Add(2 * time.Hour), Public: true}); err != nil {
		t.Fatal(err)
	}
	_, public := get(t, http.DefaultClient, s.base+"/status")
	if !strings.Contains(public, "Scheduled maintenance") || !strings.Contains(public, "Checkout upgrade tonight") ||
		strings.Contains(public, "원장 DB 업그레이드") {
		t.Errorf("public status page:\n%s", public)
	}
	if _, ko := get(t, http.DefaultClient, s.base+"/status?lang=ko"); !strings.Contains(ko, "예정된 점검") {
		t.Error("the Korean status page lacks scheduled maintenance")
	}
	_, staff := get(t, alice, s.base+"/status/internal")
	if !strings.Contains(staff, "Checkout upgrade tonight") || !strings.Contains(staff, "원장 DB 업그레이드") || !strings.Contains(staff, "In progress") {
		t.Errorf("staff status page:\n%s", staff)
	}
}
