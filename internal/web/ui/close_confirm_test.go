package ui_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestCloseAsksFirst: closing an incident with TBD report sections and an
// open action item shows them and asks again (no script needed); the
// incident stays as it was until the confirmation is sent.
func TestCloseAsksFirst(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	ctx := t.Context()
	alice := auth.User{Name: "alice", Role: auth.Responder}
	inc, err := s.srv.Incidents.Declare(ctx, alice, incident.Declaration{Title: "Cart errors", Grade: incident.SEV4, Services: []string{"checkout-api"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.srv.Reports.Start(ctx, alice, inc.ID, report.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	due := time.Now().Add(30 * 24 * time.Hour)
	if _, err := s.srv.Review.AddItem(ctx, alice, inc.ID, review.ItemInput{Title: "Add a cart checkout test", Category: review.Prevent,
		Term: review.Short, Owner: "alice", DueAt: &due, Tracker: "none"}, "en"); err != nil {
		t.Fatal(err)
	}
	c := httpSession(t, s.base, "alice")
	_, page := get(t, c, s.base+"/incidents/"+inc.Ref())
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
	resp, err := c.PostForm(s.base+"/incidents/"+inc.Ref()+"/status", url.Values{"csrf": {csrf}, "status": {"closed"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := string(b)
	for _, want := range []string{`id="close-warning"`, `id="close-tbd"`, "Add a cart checkout test", `name="confirm" value="1"`} {
		if !strings.Contains(body, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, body)
		}
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("confirmation: %d", resp.StatusCode)
	}
	got, err := s.srv.Incidents.Get(ctx, alice, inc.ID)
	if err != nil || got.Status == incident.Closed {
		t.Fatalf("closed before the confirmation: %v %v", got.Status, err)
	}
}
