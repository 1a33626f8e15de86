package insight

import (
	"cmp"
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

// numMeasures is len(Measures), as a constant for arrays indexed by measure.
const numMeasures = 4

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

// byDuration lists, for each measure, the indexes of the rows that have it,
// shortest duration first. Sorted once, it serves every dimension: walking
// it in order hands each group its durations already sorted, so no group
// sorts its own.
type byDuration [numMeasures][]int

func sortByDuration(rows []IncidentRow) *byDuration {
	var o byDuration
	if secondsKeys(rows) {
		// Durations in whole seconds (as the store gives them) and the row
		// index fit one integer each, seconds above index: sorting those
		// plain integers orders by duration, ties by index (as a stable sort
		// would), several times faster than a sort with a comparison func.
		keys := make([]int64, 0, len(rows))
		for m := range o {
			keys = keys[:0]
			for i := range rows {
				if rows[i].Has[m] {
					keys = append(keys, int64(rows[i].Took[m]/time.Second)<<indexBits|int64(i))
				}
			}
			slices.Sort(keys)
			o[m] = make([]int, len(keys))
			for k, key := range keys {
				o[m][k] = int(key & (1<<indexBits - 1))
			}
		}
		return &o
	}
	type pair struct {
		d time.Duration
		i int
	}
	pairs := make([]pair, 0, len(rows))
	for m := range o {
		pairs = pairs[:0]
		for i := range rows {
			if rows[i].Has[m] {
				pairs = append(pairs, pair{rows[i].Took[m], i})
			}
		}
		slices.SortFunc(pairs, func(a, b pair) int { return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.i, b.i)) })
		o[m] = make([]int, len(pairs))
		for k, p := range pairs {
			o[m][k] = p.i
		}
	}
	return &o
}

// indexBits is the room for a row's index in a sort key of secondsKeys.
const indexBits = 20

// secondsKeys says whether every duration of rows is whole seconds, not
// negative and small enough (under 2^43 seconds), and the rows few enough,
// to sort by one integer key each.
func secondsKeys(rows []IncidentRow) bool {
	if len(rows) >= 1<<indexBits {
		return false
	}
	for i := range rows {
		for m := range rows[i].Took {
			d := rows[i].Took[m]
			if rows[i].Has[m] && (d < 0 || d%time.Second != 0 || d/time.Second >= 1<<(63-indexBits)) {
				return false
			}
		}
	}
	return true
}

// groupBy computes a Group per key; keys gives an incident's keys (one
// incident may count in several groups: two services, two tags). Groups
// come largest first, then by key. A group's median and p90 are picked as
// the rows go by in duration order, at the ranks its counts call for.
func groupBy(rows []IncidentRow, order *byDuration, keys func(IncidentRow) []string) []Group {
	type acc struct {
		key   string
		n     int
		count [numMeasures]int // rows with each measure
		seen  [numMeasures]int // of them, passed in duration order
		rank  [numMeasures][2]int
		stat  [numMeasures]Stat
	}
	var accs []acc
	index := map[string]int32{}
	// The groups of rows[i] are groups[start[i]:start[i+1]], as indexes
	// into accs: one flat slice rather than one per row.
	start := make([]int32, len(rows)+1)
	groups := make([]int32, 0, len(rows))
	for i, r := range rows {
		first := len(groups)
		for _, k := range keys(r) {
			g, ok := index[k]
			if !ok {
				g = int32(len(accs))
				index[k] = g
				accs = append(accs, acc{key: k})
			}
			if slices.Contains(groups[first:], g) {
				continue
			}
			groups = append(groups, g)
			a := &accs[g]
			a.n++
			for m := range Measures {
				if r.Has[m] {
					a.count[m]++
				}
			}
		}
		start[i+1] = int32(len(groups))
	}
	for g := range accs {
		a := &accs[g]
		for m := range Measures {
			a.rank[m] = [2]int{rank(0.5, a.count[m]), rank(0.9, a.count[m])}
		}
	}
	for m := range Measures {
		for _, i := range order[m] {
			d := rows[i].Took[m]
			for _, g := range groups[start[i]:start[i+1]] {
				a := &accs[g]
				k := a.seen[m]
				a.seen[m]++
				if k == a.rank[m][0] {
					a.stat[m].Median = d
				}
				if k == a.rank[m][1] {
					a.stat[m].P90 = d
				}
			}
		}
	}
	out := make([]Group, 0, len(accs))
	for g := range accs {
		a := &accs[g]
		grp := Group{Key: a.key, Incidents: a.n, Stats: make(map[Measure]Stat, len(Measures))}
		for m, name := range Measures {
			st := a.stat[m]
			st.Count = a.count[m]
			st.MedianSeconds, st.P90Seconds = int64(st.Median/time.Second), int64(st.P90/time.Second)
			grp.Stats[name] = st
		}
		out = append(out, grp)
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
		return noneKey
	}
	return xs
}

// noneKey is the one key list of an incident without services or tags,
// shared (read only) so that no row allocates its own.
var noneKey = []string{"none"}
