package ui_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestWindowPlannedLaterShowsOnTimeline: a window planned after an incident
// was declared, on one of its services, still shows on the incident's
// timeline (in English and Korean), once; a window on another service
// does not.
func TestWindowPlannedLaterShowsOnTimeline(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	ctx := context.Background()
	admin := auth.User{Name: "alice", Role: auth.Admin}
	inc, err := s.srv.Incidents.Declare(ctx, admin, incident.Declaration{Title: "Ledger slow", Grade: incident.SEV3,
		Services: []string{"ledger"}, Visibility: incident.Internal})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC()
	if _, err := s.srv.Maintenance.CreateWindow(ctx, intake.System, maintenance.Window{Title: "원장 DB 재시작",
		Services: []string{"ledger"}, StartsAt: start, EndsAt: start.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.srv.Maintenance.CreateWindow(ctx, intake.System, maintenance.Window{Title: "Checkout patching",
		Services: []string{"checkout-api"}, StartsAt: start, EndsAt: start.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	alice := httpSession(t, s.base, "alice")
	for lang, want := range map[string]string{
		"en": "maintenance window MW-1 (원장 DB 재시작) on this service, until ",
		"ko": "이 서비스의 점검 시간 MW-1(원장 DB 재시작), ",
	} {
		req, _ := http.NewRequest("GET", s.base+"/incidents/"+inc.Ref(), nil)
		req.Header.Set("Accept-Language", lang)
		resp, err := alice.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(b)
		if strings.Count(page, want) != 1 {
			t.Errorf("%s: the timeline should name the later window once (%q):\n%s", lang, want, page)
		}
		if strings.Contains(page, "MW-2") || strings.Contains(page, "Checkout patching") {
			t.Errorf("%s: a window on another service shows on the timeline", lang)
		}
	}
}
