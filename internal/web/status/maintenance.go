package status

import (
	"context"
	"time"
)

// Scheduled is a maintenance window as the status page shows it: in
// progress or coming within the week.
type Scheduled struct {
	Ref        string
	Title      string
	Services   []string
	Start, End time.Time
	InProgress bool
}

// Schedule lists the scheduled maintenance to show at now: on the public
// page only windows marked public, on the staff page every one.
type Schedule func(ctx context.Context, public bool, now time.Time) ([]Scheduled, error)

func init() {
	for k, v := range map[string][2]string{
		"maint":             {"Scheduled maintenance", "예정된 점검"},
		"maint.in_progress": {"In progress", "진행 중"},
		"maint.upcoming":    {"Scheduled", "예정"},
		"maint.services":    {"Services", "대상 서비스"},
		"maint.when":        {"%s – %s", "%s ~ %s"},
	} {
		messages[k] = v
	}
}
