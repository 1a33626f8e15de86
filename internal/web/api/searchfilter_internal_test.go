package api

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// TestSearchFilterDatesInTheOrganisationsZone: a day typed as a filter is
// that day in the policy's time zone, not in UTC.
func TestSearchFilterDatesInTheOrganisationsZone(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Parse("c.yaml", []byte("teams:\n  - name: payments\nservices:\n  - name: checkout-api\n    team: payments\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/api/v1/search?since=2026-11-24&until=2026-11-25&service=checkout-api", nil)
	f, err := SearchFilter(r, seoul, cat)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC); !f.Since.Equal(want) {
		t.Errorf("since = %v, want %v (midnight in Seoul)", f.Since.UTC(), want)
	}
	if want := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC); !f.Until.Equal(want) {
		t.Errorf("until = %v, want %v", f.Until.UTC(), want)
	}
	// An RFC 3339 time says its own offset.
	r = httptest.NewRequest("GET", "/api/v1/search?since=2026-11-24T09:00:00Z", nil)
	if f, err = SearchFilter(r, seoul, cat); err != nil || !f.Since.Equal(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("RFC 3339 since = %v, %v", f.Since, err)
	}
	for query, field := range map[string]string{"service=nosuch-api": "service", "grade=SEV9": "grade", "since=24/11/2026": "since", "limit=0": "limit"} {
		_, err := SearchFilter(httptest.NewRequest("GET", "/api/v1/search?"+query, nil), seoul, cat)
		e, ok := fail.As(err)
		if !ok || e.Code != fail.Invalid || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v, want an invalid %s", query, err, field)
		}
	}
}
