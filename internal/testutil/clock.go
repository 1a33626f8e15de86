package testutil

import "time"

// StartAwayFromMidnight is a start for a test's movable clock: now, unless now is in
// the last hours of a day in zone, when it is 01:00 of the next day there.
// Same-day deadlines (a first report is due by midnight in the policy's
// zone) then fall where a test expects them, whenever the suite runs: a
// run at 23:51 would otherwise see a report fall due nine minutes in.
func StartAwayFromMidnight(now time.Time, zone *time.Location) time.Time {
	local := now.In(zone)
	if local.Hour() < 20 {
		return now.UTC().Truncate(time.Second)
	}
	y, m, d := local.Date()
	return time.Date(y, m, d+1, 1, 0, 0, 0, zone).UTC()
}
