package insight

import (
	"slices"
	"sort"
	"time"
)

// Measure names one of the four durations.
type Measure string

// The four durations. Detect runs from start to detection, acknowledge from
// detection to the first responder (first role given or first step taken:
// acknowledged_at), mitigate from start to mitigated_at and resolve from
// start to resolved_at.
const (
	Detect      Measure = "detect"
	Acknowledge Measure = "acknowledge"
	Mitigate    Measure = "mitigate"
	Resolve     Measure = "resolve"
)

// Measures lists the durations in the order they happen.
var Measures = []Measure{Detect, Acknowledge, Mitigate, Resolve}

// Stat is a duration's median and 90th percentile over Count incidents, by
// the nearest-rank method (the value at rank ceil(p·n) of the sorted list),
// so every figure is one incident's actual duration.
type Stat struct {
	Count  int           `json:"count"`
	Median time.Duration `json:"-"`
	P90    time.Duration `json:"-"`
	// Seconds for JSON readers.
	MedianSeconds int64 `json:"median_seconds"`
	P90Seconds    int64 `json:"p90_seconds"`
}

// stat computes the median and p90 of ds; it sorts ds.
func stat(ds []time.Duration) Stat {
	s := Stat{Count: len(ds)}
	if len(ds) == 0 {
		return s
	}
	slices.Sort(ds)
	s.Median = ds[rank(0.5, len(ds))]
	s.P90 = ds[rank(0.9, len(ds))]
	s.MedianSeconds, s.P90Seconds = int64(s.Median/time.Second), int64(s.P90/time.Second)
	return s
}

// rank is the 0-based index of the nearest-rank p-quantile of n values.
func rank(p float64, n int) int {
	// ceil(p*n) computed in integers to avoid 0.9*10 = 9.000000000000002.
	k := (int(p*100)*n + 99) / 100
	return max(k, 1) - 1
}

// Group is the four durations over the incidents sharing one key of a
// dimension (a grade, a service, a team, a cause tag, a detection source).
type Group struct {
	Key       string           `json:"key"`
	Incidents int              `json:"incidents"`
	Stats     map[Measure]Stat `json:"stats"`
}

// groupBy computes a Group per key; keys gives an incident's keys (one
// incident may count in several groups: two services, two tags). Groups
// come largest first, then by key.
func groupBy(rows []IncidentRow, keys func(IncidentRow) []string) []Group {
	type acc struct {
		n  int
		ds map[Measure][]time.Duration
	}
	by := map[string]*acc{}
	for _, r := range rows {
		for _, k := range keys(r) {
			a := by[k]
			if a == nil {
				a = &acc{ds: map[Measure][]time.Duration{}}
				by[k] = a
			}
			a.n++
			for i, m := range Measures {
				if r.Has[i] {
					a.ds[m] = append(a.ds[m], r.Took[i])
				}
			}
		}
	}
	out := make([]Group, 0, len(by))
	for k, a := range by {
		g := Group{Key: k, Incidents: a.n, Stats: map[Measure]Stat{}}
		for _, m := range Measures {
			g.Stats[m] = stat(a.ds[m])
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Incidents != out[j].Incidents {
			return out[i].Incidents > out[j].Incidents
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// orNone gives "none" for an empty list, so incidents without a service or
// a cause tag still count somewhere.
func orNone(xs []string) []string {
	if len(xs) == 0 {
		return []string{"none"}
	}
	return xs
}
