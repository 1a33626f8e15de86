package ui_test

import (
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestInsightsEveryTableAndFilter: each chart's CSV download answers with
// its table, narrowed like the page to what the viewer may see, and each
// filter of the page (period, team, service, grade) narrows the incidents,
// on both databases.
func TestInsightsEveryTableAndFilter(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		s := startSite(t, dbURL)
		seedInsights(t, s)
		bob, alice := httpSession(t, s.base, "bob"), httpSession(t, s.base, "alice")
		csv := func(who string, chart, query string) string {
			t.Helper()
			c := bob
			if who == "alice" {
				c = alice
			}
			code, body := get(t, c, s.base+"/insights/csv/"+chart+"?period=last-30d"+query)
			if code != 200 {
				t.Fatalf("%s CSV for %s: %d\n%s", chart, who, code, body)
			}
			return body
		}
		lines := func(body string) []string { return strings.Split(strings.TrimSpace(body), "\n") }
		counts := lines(csv("bob", "counts", ""))
		if counts[0] != "bucket,SEV1,SEV2,SEV3,SEV4,SEV5,total" || !strings.Contains(strings.Join(counts[1:], "\n"), ",0,1,0,0,0,1") {
			t.Errorf("counts CSV for bob:\n%s", strings.Join(counts, "\n"))
		}
		heat := csv("bob", "heatmap", "")
		if !strings.HasPrefix(heat, "service,") || !strings.Contains(heat, "checkout-api,") || strings.Contains(heat, "auth,") {
			t.Errorf("heatmap CSV for bob (no restricted auth row):\n%s", heat)
		}
		if heat := csv("alice", "heatmap", ""); !strings.Contains(heat, "auth,") {
			t.Errorf("heatmap CSV for alice, member of the auth incident:\n%s", heat)
		}
		if items := lines(csv("bob", "items", "")); items[0] != "term,category,open,median_age_days,max_age_days" {
			t.Errorf("items CSV:\n%s", strings.Join(items, "\n"))
		}
		for _, by := range []string{"grade", "service", "team", "cause", "source"} {
			if d := lines(csv("alice", "durations", "&by="+by)); !strings.HasPrefix(d[0], by+",incidents,detect_count") || len(d) < 2 {
				t.Errorf("durations CSV by %s:\n%s", by, strings.Join(d, "\n"))
			}
		}
		for _, c := range []struct {
			query string
			want  string
		}{
			{"period=last-30d", "2 incidents you may see"},
			{"period=last-30d&team=payments", "1 incidents you may see"},
			{"period=last-30d&team=platform", "1 incidents you may see"},
			{"period=last-30d&service=auth", "1 incidents you may see"},
			{"period=last-30d&grade=SEV1", "1 incidents you may see"},
			{"period=last-30d&grade=SEV1&grade=SEV2", "2 incidents you may see"},
			{"period=2020", "0 incidents you may see"},
		} {
			if code, page := get(t, alice, s.base+"/insights?"+c.query); code != 200 || !strings.Contains(page, c.want) {
				t.Errorf("alice's page ?%s: %d, want %q", c.query, code, c.want)
			}
		}
		if code, _ := get(t, alice, s.base+"/insights/csv/pie?period=last-30d"); code != 400 {
			t.Errorf("an unknown chart's CSV: %d, want 400", code)
		}
	})
}
