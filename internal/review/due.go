package review

import (
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// earliestDue is the earliest due date an action item may have. Nothing
// Firebreak tracks predates it, so an earlier date is a typo (a year of
// 0026, a Unix epoch) that would make the item overdue for ever.
var earliestDue = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// dueHorizonYears is how far ahead a due date may lie. Long-term items run
// for months, a platform migration for a few years; ten years ahead is a
// typo (2206 for 2026) that would keep the item from ever being overdue.
const dueHorizonYears = 10

// checkDue refuses a due date outside [2000-01-01, now + 10 years].
func checkDue(due, now time.Time) error {
	latest := now.UTC().AddDate(dueHorizonYears, 0, 0)
	switch {
	case due.Before(earliestDue):
		return fail.Field("due_at", "must be on or after %s; got %s", earliestDue.Format("2006-01-02"), due.UTC().Format("2006-01-02"))
	case due.After(latest):
		return fail.Field("due_at", "must be at most %d years ahead (by %s); got %s", dueHorizonYears,
			latest.Format("2006-01-02"), due.UTC().Format("2006-01-02"))
	}
	return nil
}
