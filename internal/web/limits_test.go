package web_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/web/api"
)

// TestLimits: caps on labels, cause tags, members and label value size,
// and a negative base_revision, each refused with a 400 naming the field;
// API answers carry Cache-Control: no-store. Both databases.
func TestLimits(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		labels := map[string]string{}
		for i := range 51 {
			labels["k"+strconv.Itoa(i)] = "v"
		}
		var tags, members []string
		for i := range 21 {
			tags = append(tags, "t"+strconv.Itoa(i))
		}
		for range 101 {
			members = append(members, string(member))
		}
		long := make([]byte, 257)
		for i := range long {
			long[i] = 'x'
		}
		decl := func(k string, v any) map[string]any {
			return map[string]any{"title": "limits", "grade": "SEV4", "services": []string{"checkout-api"}, k: v}
		}
		for _, tc := range []struct {
			name, method, path string
			body               any
			field              string
		}{
			{"51 labels", "POST", "/incidents", decl("labels", labels), "labels"},
			{"21 cause tags", "POST", "/incidents", decl("cause_tags", tags), "cause_tags"},
			{"101 members", "POST", "/incidents", decl("members", members), "members"},
			{"a 257-character label value", "POST", "/incidents", decl("labels", map[string]string{"team": string(long)}), "labels.team"},
			{"negative base_revision on save", "PUT", "/incidents/" + f.incident["internal"] + "/report",
				map[string]any{"base_revision": -1, "sections": map[string]string{"summary": "x"}}, "base_revision"},
			{"negative base_revision on import", "POST", "/incidents/" + f.incident["internal"] + "/report/import",
				map[string]any{"base_revision": -1, "markdown": "## Summary\n\nx"}, "base_revision"},
		} {
			before := countIncidents(t, f)
			got := f.call(t, admin, tc.method, api.Prefix+tc.path, tc.body)
			var p struct{ Field string }
			_ = json.Unmarshal([]byte(got.body), &p)
			if got.status != 400 || p.Field != tc.field {
				t.Errorf("%s: %d %s, want 400 naming %s", tc.name, got.status, clip(got.body), tc.field)
			}
			if countIncidents(t, f) != before {
				t.Errorf("%s: an incident was stored", tc.name)
			}
		}
		web := f.browser(t, admin)
		for _, u := range []string{f.base + "/incidents", f.base + api.Prefix + "/me"} {
			req, _ := http.NewRequest("GET", u, nil)
			req.Header.Set("Authorization", "Bearer "+f.tokens[admin])
			r, err := web.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", u, cc)
			}
		}
	})
}
