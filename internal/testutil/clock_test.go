package testutil

import (
	"testing"
	"time"
)

func TestStartAwayFromMidnight(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		now  time.Time
		zone *time.Location
		want time.Time
	}{
		// Mid-afternoon: the clock starts now, to the second.
		{time.Date(2026, 12, 4, 15, 4, 5, 600, time.UTC), time.UTC, time.Date(2026, 12, 4, 15, 4, 5, 0, time.UTC)},
		// 23:51 UTC, the run that met a report falling due: 01:00 the next day.
		{time.Date(2026, 12, 4, 23, 51, 27, 0, time.UTC), time.UTC, time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)},
		// 14:30 UTC is 23:30 in Seoul: 01:00 KST the next day is 16:00 UTC.
		{time.Date(2026, 12, 4, 14, 30, 0, 0, time.UTC), seoul, time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)},
		// 23:30 UTC is 08:30 in Seoul: far from a Seoul midnight.
		{time.Date(2026, 12, 4, 23, 30, 0, 0, time.UTC), seoul, time.Date(2026, 12, 4, 23, 30, 0, 0, time.UTC)},
		// The last day of a month rolls into the next month.
		{time.Date(2026, 12, 31, 22, 0, 0, 0, time.UTC), time.UTC, time.Date(2027, 1, 1, 1, 0, 0, 0, time.UTC)},
	} {
		if got := StartAwayFromMidnight(tc.now, tc.zone); !got.Equal(tc.want) {
			t.Errorf("StartAwayFromMidnight(%s, %s) = %s, want %s", tc.now, tc.zone, got, tc.want)
		}
	}
}
