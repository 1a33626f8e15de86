package ui

import (
	"strings"

	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
)

// WeeklyText says a recurring window's schedule in the viewer's language:
// the days by name (월, 수 / Mon, Wed) and the length in words (2시간 / 2h),
// not the stored codes ("mon", "2h0m0s").
func (v *view) WeeklyText(r *maintenance.Recurrence) string {
	days := make([]string, len(r.Weekdays))
	for i, d := range r.Weekdays {
		days[i] = v.T("day." + d)
	}
	sep := ", "
	if v.lang() == "ko" {
		sep = "·"
	}
	return v.T("mw.weekly", strings.Join(days, sep), r.At, r.Zone, i18n.Duration(r.Duration, v.lang()))
}
