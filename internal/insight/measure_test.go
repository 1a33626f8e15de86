package insight

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// referenceGroups is the plain way to the same answer: collect each
// group's durations, sort them, take the values at the nearest ranks.
func referenceGroups(rows []IncidentRow, keys func(IncidentRow) []string) map[string]Group {
	lists := map[string]*[numMeasures][]time.Duration{}
	n := map[string]int{}
	for _, r := range rows {
		seen := map[string]bool{}
		for _, k := range keys(r) {
			if seen[k] {
				continue
			}
			seen[k] = true
			if lists[k] == nil {
				lists[k] = &[numMeasures][]time.Duration{}
			}
			n[k]++
			for m := range numMeasures {
				if r.Has[m] {
					lists[k][m] = append(lists[k][m], r.Took[m])
				}
			}
		}
	}
	out := map[string]Group{}
	for k, l := range lists {
		g := Group{Key: k, Incidents: n[k], Stats: map[Measure]Stat{}}
		for m, name := range Measures {
			ds := l[m]
			slices.Sort(ds)
			st := Stat{Count: len(ds)}
			if len(ds) > 0 {
				st.Median, st.P90 = ds[rank(0.5, len(ds))], ds[rank(0.9, len(ds))]
				st.MedianSeconds, st.P90Seconds = int64(st.Median/time.Second), int64(st.P90/time.Second)
			}
			g.Stats[name] = st
		}
		out[k] = g
	}
	return out
}

// TestGroupByMatchesSorting checks the one-pass percentiles against the
// reference on random rows: many small groups, ties, missing measures and
// incidents in several groups (repeated keys count once); every other
// round with durations off whole seconds.
func TestGroupByMatchesSorting(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	services := []string{"a", "b", "c", "d", "e", "f", "g"}
	for round := range 200 {
		rows := make([]IncidentRow, rnd.IntN(60))
		for i := range rows {
			r := &rows[i]
			for range rnd.IntN(4) {
				r.Services = append(r.Services, services[rnd.IntN(len(services))])
			}
			for m := range numMeasures {
				r.Has[m] = rnd.IntN(5) > 0
				r.Took[m] = time.Duration(rnd.IntN(20)) * time.Minute // ties are common
				if round%2 == 1 {
					// Not whole seconds: sortByDuration's general path.
					r.Took[m] += time.Duration(rnd.IntN(3))
				}
			}
		}
		keys := func(r IncidentRow) []string { return orNone(r.Services) }
		got := groupBy(rows, sortByDuration(rows), keys)
		want := referenceGroups(rows, keys)
		if len(got) != len(want) {
			t.Fatalf("round %d: %d groups, want %d", round, len(got), len(want))
		}
		for i, g := range got {
			w := want[g.Key]
			if g.Incidents != w.Incidents {
				t.Fatalf("round %d group %s: %d incidents, want %d", round, g.Key, g.Incidents, w.Incidents)
			}
			for _, m := range Measures {
				if g.Stats[m] != w.Stats[m] {
					t.Fatalf("round %d group %s %s: %+v, want %+v", round, g.Key, m, g.Stats[m], w.Stats[m])
				}
			}
			if i > 0 && (got[i-1].Incidents < g.Incidents || got[i-1].Incidents == g.Incidents && got[i-1].Key > g.Key) {
				t.Fatalf("round %d: groups out of order: %s before %s", round, got[i-1].Key, g.Key)
			}
		}
	}
}
