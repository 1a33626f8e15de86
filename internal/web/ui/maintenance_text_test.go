package ui_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestWeeklyWindowInBothLanguages: a recurring window's schedule reads in
// the viewer's language — day names and the length in words — never the
// stored codes ("mon", "2h").
func TestWeeklyWindowInBothLanguages(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	if _, err := s.srv.Maintenance.CreateWindow(context.Background(), intake.System, maintenance.Window{Title: "주간 패치",
		Services: []string{"ledger"}, Recurrence: &maintenance.Recurrence{Weekdays: []string{"mon", "wed"}, At: "22:00",
			Duration: "1h30m", Zone: "Asia/Seoul"}}); err != nil {
		t.Fatal(err)
	}
	alice := httpSession(t, s.base, "alice")
	for lang, want := range map[string]string{
		"ko": "매주 월·수 22:00(Asia/Seoul)부터 1시간 30분 동안",
		"en": "every Mon, Wed at 22:00 (Asia/Seoul) for 1h 30m",
	} {
		req, _ := http.NewRequest("GET", s.base+"/maintenance", nil)
		req.Header.Set("Accept-Language", lang)
		resp, err := alice.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if page := string(b); !strings.Contains(page, want) {
			t.Errorf("%s: no %q on the page:\n%s", lang, want, page)
		}
	}
}
