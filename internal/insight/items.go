package insight

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// openStats works out, from the open items, the ages per term and category,
// the long-term items open longer than LongOpenAfter and the overdue ones
// (counted, and the first maxListed of each named, most stale first). An
// item's age is how long it has been open at now, in whole days, never
// below zero; a group's median age is the nearest-rank median, as for the
// durations.
func (s *Service) openStats(ctx context.Context, items []OpenItem, now time.Time) (ItemStats, error) {
	days := func(created time.Time) int { return int(max(now.Sub(created), 0) / (24 * time.Hour)) }
	type key struct{ term, category string }
	ages := map[key][]int{}
	// Oldest first, and the longest overdue first; ties by id. Only the
	// first maxListed of each are kept as the items go by: most open items
	// of a busy year are overdue, and collecting them all to sort cost a
	// copy of each.
	long := topK{order: func(a, b OpenItem) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	}}
	overdue := topK{order: func(a, b OpenItem) int {
		return cmp.Or(a.DueAt.Compare(*b.DueAt), cmp.Compare(a.ID, b.ID))
	}}
	longBefore := now.Add(-LongOpenAfter)
	for _, it := range items {
		k := key{it.Term, it.Category}
		ages[k] = append(ages[k], days(it.CreatedAt))
		if it.Term == "long" && it.CreatedAt.Before(longBefore) {
			long.add(it)
		}
		if it.DueAt != nil && it.DueAt.Before(now) {
			overdue.add(it)
		}
	}
	st := ItemStats{LongOpen: long.seen, Overdue: overdue.seen}
	for k, a := range ages {
		slices.Sort(a)
		st.OpenAges = append(st.OpenAges, AgeGroup{Term: k.term, Category: k.category, Open: len(a),
			MedianDays: a[rank(0.5, len(a))], MaxDays: a[len(a)-1]})
	}
	slices.SortFunc(st.OpenAges, func(a, b AgeGroup) int {
		if a.Term != b.Term {
			return cmp.Compare(b.Term, a.Term) // short before long
		}
		return cmp.Compare(a.Category, b.Category)
	})
	named, err := s.named(ctx, append(slices.Clone(long.items), overdue.items...))
	if err != nil {
		return st, err
	}
	// An item deleted since it was counted is left out of the lists.
	for _, it := range long.items {
		if r, ok := named[it.ID]; ok {
			st.LongOpenItems = append(st.LongOpenItems, line(r, now))
		}
	}
	for _, it := range overdue.items {
		if r, ok := named[it.ID]; ok {
			st.OverdueItems = append(st.OverdueItems, line(r, now))
		}
	}
	return st, nil
}

// topK keeps the first maxListed items by order of those added, sorted,
// and counts all of them.
type topK struct {
	order func(a, b OpenItem) int
	items []OpenItem
	seen  int
}

func (t *topK) add(it OpenItem) {
	t.seen++
	n := len(t.items)
	if n == maxListed && t.order(it, t.items[n-1]) >= 0 {
		return // after the last kept: most items end here
	}
	i, _ := slices.BinarySearchFunc(t.items, it, t.order)
	if n < maxListed {
		t.items = slices.Insert(t.items, i, it)
		return
	}
	copy(t.items[i+1:], t.items[i:n-1])
	t.items[i] = it
}

// named reads the listed items' titles and owners, by id.
func (s *Service) named(ctx context.Context, items []OpenItem) (map[int64]ItemRow, error) {
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		if !slices.Contains(ids, it.ID) {
			ids = append(ids, it.ID)
		}
	}
	rows, err := s.Store.InsightItems(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]ItemRow, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}
