package status_test

import (
	"context"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestStatusPagesFollowResolveAndClose: a public incident's last update
// says work is in progress; once resolved, and again once closed, both
// status pages lead its entry with the resolution or closing, so the
// in-progress update is no longer its newest word.
func TestStatusPagesFollowResolveAndClose(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		s := startSite(t, dbURL)
		ctx := context.Background()
		bob := auth.User{Name: "bob", Role: auth.Responder}
		// Only an admin or an owning team's manager declares public incidents.
		inc, err := s.srv.Incidents.Declare(ctx, auth.User{Name: "alice", Role: auth.Admin}, incident.Declaration{Title: "장바구니 오류 Cart errors", Grade: incident.SEV2,
			Visibility: incident.Public, Services: []string{"checkout-api"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.srv.Incidents.PostUpdate(ctx, bob, inc.ID, incident.StatusUpdate{Text: "We are working on a fix.", Public: true}); err != nil {
			t.Fatal(err)
		}
		entry := func(path string) string {
			t.Helper()
			_, page := get(t, nil, s.base+path, "Accept-Language", "en")
			i := strings.Index(page, `id="`+inc.Ref()+`"`)
			if i < 0 {
				t.Fatalf("%s lacks %s:\n%s", path, inc.Ref(), page)
			}
			rest := page[i:]
			return rest[:strings.Index(rest, "</article>")]
		}
		if e := entry("/status"); strings.Contains(e, "Resolved:") {
			t.Fatalf("open incident shown as resolved: %s", e)
		}
		for _, step := range []struct {
			to   incident.Status
			want string
		}{{incident.Resolved, "Resolved: the incident is over"}, {incident.Closed, "Closed: the incident is over"}} {
			var err error
			if step.to == incident.Closed { // the review gate is not what this tests
				_, err = s.srv.Incidents.CloseOverride(ctx, auth.User{Name: "alice", Role: auth.Admin}, inc.ID, "reviews held elsewhere")
			} else {
				_, err = s.srv.Incidents.SetStatus(ctx, bob, inc.ID, step.to, "")
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range []string{"/status"} { // the public page; the staff page shares the entry template and Build
				e := entry(path)
				end, working := strings.Index(e, step.want), strings.Index(e, "We are working on a fix.")
				if end < 0 || working < 0 || end > working {
					t.Errorf("%s after %s: want %q first, then the earlier update:\n%s", path, step.to, step.want, e)
				}
			}
		}
	})
}
