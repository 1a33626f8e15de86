package ui

import (
	"net/http"
	"sort"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// withMaintenance adds to a page of the timeline a row for each maintenance
// window on the incident's services that overlapped the incident, placed at
// the window's start. newest and oldest say whether this page is the
// timeline's last and first, so rows outside the page's span are kept only
// there. The rows are not stored (see maintenance.Overlapping), so they get
// negative ids that live updates never confuse with stored events.
func (u *UI) withMaintenance(r *http.Request, inc *incident.Incident, events []incident.Event, newest, oldest bool) ([]incident.Event, error) {
	if u.Maintenance == nil {
		return events, nil
	}
	end := u.Now()
	if inc.ResolvedAt != nil {
		end = *inc.ResolvedAt
	}
	rows, err := u.Maintenance.Overlapping(r.Context(), inc.Services, inc.StartedAt, end)
	if err != nil || len(rows) == 0 {
		return events, err
	}
	out := append([]incident.Event(nil), events...)
	for i, row := range rows {
		if len(events) > 0 && ((!oldest && row.At.Before(events[0].At)) || (!newest && row.At.After(events[len(events)-1].At))) {
			continue
		}
		row.ID = -int64(i + 1)
		row.IncidentID = inc.ID
		out = append(out, row)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}
