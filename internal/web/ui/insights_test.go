package ui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/demo"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// seedInsights stores two incidents of the last ten days: an internal SEV2
// on checkout-api (detected in 5 minutes, resolved in 65) that everyone
// sees, and a restricted SEV1 on auth that only alice, its member, sees.
func seedInsights(t *testing.T, s *site) {
	t.Helper()
	ctx := context.Background()
	mk := func(grade incident.Grade, vis incident.Visibility, svc string, start time.Time, members ...string) {
		resolved := start.Add(65 * time.Minute)
		inc := &incident.Incident{Title: "결제 오류", Grade: grade, Status: incident.Resolved, Source: "manual", Visibility: vis,
			Services: []string{svc}, Labels: map[string]string{}, Roles: map[incident.Role]string{}, Members: members,
			CreatedBy: "alice", StartedAt: start, DetectedAt: start.Add(5 * time.Minute), ResolvedAt: &resolved,
			CreatedAt: start, UpdatedAt: start}
		if err := s.srv.DB.Incidents().CreateIncident(ctx, inc, nil); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UTC().Truncate(time.Second)
	mk(incident.SEV2, incident.Internal, "checkout-api", now.Add(-10*24*time.Hour), "alice")
	mk(incident.SEV1, incident.Restricted, "auth", now.Add(-5*24*time.Hour), "alice")
}

// TestInsightsOverHTTP: the page, its CSV and the API give the same numbers
// on both databases; a restricted incident counts only for its member; bad
// filters are refused naming the field.
func TestInsightsOverHTTP(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		s := startSite(t, dbURL)
		seedInsights(t, s)
		bob, alice := httpSession(t, s.base, "bob"), httpSession(t, s.base, "alice")

		code, page := get(t, bob, s.base+"/insights?period=last-30d")
		if code != 200 || !strings.Contains(page, "1 incidents you may see") || !strings.Contains(page, `<svg class="chart"`) {
			t.Fatalf("bob's page: %d, want 1 incident and charts:\n%.2000s", code, page)
		}
		for _, id := range []string{"table-counts", "table-durations", "table-heatmap", "table-items", `/insights/csv/counts?period=last-30d`} {
			if !strings.Contains(page, id) {
				t.Errorf("page lacks %s", id)
			}
		}
		if _, page := get(t, alice, s.base+"/insights?period=last-30d"); !strings.Contains(page, "2 incidents you may see") {
			t.Errorf("alice, member of the restricted incident, should see 2")
		}
		code, csv := get(t, bob, s.base+"/insights/csv/durations?period=last-30d&by=grade")
		if code != 200 || !strings.Contains(csv, "grade,incidents,detect_count,detect_median_seconds") ||
			!strings.Contains(csv, "SEV2,1,1,300,300,0,0,0,0,0,0,1,3900,3900") || strings.Contains(csv, "SEV1") {
			t.Errorf("durations CSV %d:\n%s", code, csv)
		}
		code, page = get(t, bob, s.base+"/insights?period=2026-13")
		if code != http.StatusBadRequest || !strings.Contains(page, "period: month must be 01 to 12") {
			t.Errorf("bad period: %d", code)
		}
		if code, _ := get(t, bob, s.base+"/insights?team=nobody"); code != http.StatusBadRequest {
			t.Errorf("unknown team: %d, want 400", code)
		}

		ctx := context.Background()
		token, _, err := s.srv.Users.OperatorToken(ctx, auth.TokenRequest{User: "bob", Scopes: []auth.Scope{auth.ScopeRead}})
		if err != nil {
			t.Fatal(err)
		}
		api := func(path string) (int, map[string]any) {
			req, _ := http.NewRequest("GET", s.base+"/api/v1"+path, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&body)
			return resp.StatusCode, body
		}
		code, body := api("/insights?period=last-30d")
		overall, _ := body["overall"].(map[string]any)
		stats, _ := overall["stats"].(map[string]any)
		resolve, _ := stats["resolve"].(map[string]any)
		if code != 200 || body["incidents"] != float64(1) || resolve["median_seconds"] != float64(3900) {
			t.Errorf("API report %d: incidents %v, resolve %v", code, body["incidents"], resolve)
		}
		code, body = api("/insights/counts?period=last-30d&bucket=quarter")
		if counts, _ := body["counts"].([]any); code != 200 || len(counts) == 0 {
			t.Errorf("API counts %d %v", code, body)
		}
		code, body = api("/insights?period=yesterday")
		if code != 400 || body["field"] != "period" {
			t.Errorf("API bad period: %d %v", code, body)
		}
		code, body = api("/insights/durations?by=colour")
		if code != 400 || body["field"] != "by" {
			t.Errorf("API bad by: %d %v", code, body)
		}
		if code, _ := api("/insights/everything"); code != 404 {
			t.Errorf("API unknown part: %d", code)
		}
	})
}

// TestInsightsInBrowser renders the page over a year of demo history in
// English and Korean and keeps screenshots in test-artifacts/.
func TestInsightsInBrowser(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	now := time.Now()
	if err := demo.SeedHistory(context.Background(), s.srv.DB.Incidents(), s.srv.DB.Reviews(), s.srv.Catalog, now); err != nil {
		t.Fatal(err)
	}
	b := testutil.StartBrowser(t)
	tab := b.NewTab(t, testutil.Viewport(1280, 2400))
	signIn(t, tab, s.base, "alice")
	tab.Do(t, chromedp.Navigate(s.base+"/insights?period=last-365d"), chromedp.WaitVisible(chromedp.CSS(`svg.chart`)))
	if h := text(t, tab, `h1`); h != "Insights" {
		t.Errorf("English heading %q", h)
	}
	bars := testutil.Run(t, tab, chromedp.Evaluate[int](`document.querySelectorAll('svg.chart rect[class^="c-sev"]').length`))
	if bars < 12 {
		t.Errorf("%d grade bars in the counts chart, want a year of them", bars)
	}
	if cells := testutil.Run(t, tab, chromedp.Evaluate[int](`document.querySelectorAll('svg.heat rect.heat1, svg.heat rect.heat2, svg.heat rect.heat3, svg.heat rect.heat4').length`)); cells == 0 {
		t.Error("the heatmap has no filled cells")
	}
	tab.Screenshot(t, "insights-en")
	tab.Do(t, chromedp.Click(chromedp.CSS(`button[name=lang][value=ko]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang=ko] svg.chart`)))
	if h := text(t, tab, `h1`); h != "인사이트" {
		t.Errorf("Korean heading %q", h)
	}
	if title := text(t, tab, `#h-heat`); title != "서비스별 월별 장애 수" {
		t.Errorf("Korean heatmap title %q", title)
	}
	tab.Screenshot(t, "insights-ko")
	if errs := tab.JSErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}

	// On a 390 px phone the charts stack in one column, with no sideways
	// scrolling (two columns of at least 420 px once overflowed).
	phone := b.NewTab(t, testutil.Viewport(390, 2400))
	signIn(t, phone, s.base, "alice")
	phone.Do(t, chromedp.Navigate(s.base+"/insights?period=last-365d"), chromedp.WaitVisible(chromedp.CSS(`svg.chart`)))
	if w := testutil.Run(t, phone, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("the insights page is %d px wide on a 390 px phone", w)
	}
	phone.Screenshot(t, "insights-phone")
}
