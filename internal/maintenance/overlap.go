package maintenance

import (
	"context"
	"sort"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// EventOverlap marks, on an incident's timeline, a window on one of its
// services that overlapped it. It is not stored: the window may be planned
// after the incident was declared, or recur, so the rows are worked out
// when the timeline is shown (see Overlapping).
const EventOverlap incident.EventKind = "maintenance_overlap"

// overlapPages bounds how many pages of windows one timeline reads.
const overlapPages = 5

// Overlapping returns one timeline row per occurrence of a window naming
// one of services that overlaps [from, to), in time order. Windows scoped
// by label matchers alone are left out: whether they touch an incident
// depends on its signals, not its services.
func (s *Service) Overlapping(ctx context.Context, services []string, from, to time.Time) ([]incident.Event, error) {
	var out []incident.Event
	before := int64(0)
	for range overlapPages {
		ws, err := s.ListWindows(ctx, true, before, 200)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			if !namesAny(w, services) {
				continue
			}
			for _, iv := range w.Occurrences(from, to) {
				out = append(out, incident.Event{Kind: EventOverlap, At: iv.Start, Actor: "firebreak",
					Data: map[string]any{"window": w.Ref(), "title": w.Title, "ends_at": iv.End.UTC().Format(time.RFC3339)}})
			}
		}
		if len(ws) < 200 {
			break
		}
		before = ws[len(ws)-1].ID
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

func namesAny(w Window, services []string) bool {
	for _, svc := range services {
		if containsService(w, svc) {
			return true
		}
	}
	return false
}
