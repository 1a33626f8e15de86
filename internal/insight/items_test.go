package insight

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// namesOnly answers InsightItems from the open items it was given; the
// other questions are not asked by openStats.
type namesOnly struct {
	Store
	items map[int64]OpenItem
}

func (n namesOnly) InsightItems(_ context.Context, ids []int64) ([]ItemRow, error) {
	var out []ItemRow
	for _, id := range ids {
		it := n.items[id]
		out = append(out, ItemRow{ID: id, Title: fmt.Sprint("item ", id), Term: it.Term, Category: it.Category, CreatedAt: it.CreatedAt, DueAt: it.DueAt})
	}
	return out, nil
}

// TestOpenStats works the ages out by hand: a group of four long-term
// "prevent" items aged 1, 100, 100 and 200 days has the nearest-rank median
// 100 (rank 2 of 4) and maximum 200; two of them are older than 90 days;
// of three items with due dates, two are overdue, the longest first; and
// more than maxListed stale items are listed oldest first, cut at the
// limit, while the count stays whole.
func TestOpenStats(t *testing.T) {
	now := time.Date(2026, 10, 15, 12, 0, 0, 0, time.UTC)
	ago := func(d float64) time.Time { return now.Add(-time.Duration(d * 24 * float64(time.Hour))) }
	due := func(d float64) *time.Time { x := now.Add(time.Duration(d * 24 * float64(time.Hour))); return &x }
	items := []OpenItem{
		{ID: 1, Term: "long", Category: "prevent", CreatedAt: ago(1.5)},
		{ID: 2, Term: "long", Category: "prevent", CreatedAt: ago(100.2), DueAt: due(-3)},
		{ID: 3, Term: "long", Category: "prevent", CreatedAt: ago(100.9), DueAt: due(-10)},
		{ID: 4, Term: "long", Category: "prevent", CreatedAt: ago(200)},
		{ID: 5, Term: "short", Category: "detect", CreatedAt: ago(-1), DueAt: due(2)}, // created "after" now: age 0
	}
	byID := map[int64]OpenItem{}
	for _, it := range items {
		byID[it.ID] = it
	}
	s := &Service{Store: namesOnly{items: byID}}
	st, err := s.openStats(context.Background(), items, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []AgeGroup{
		{Term: "short", Category: "detect", Open: 1, MedianDays: 0, MaxDays: 0},
		{Term: "long", Category: "prevent", Open: 4, MedianDays: 100, MaxDays: 200},
	}
	if len(st.OpenAges) != 2 || st.OpenAges[0] != want[0] || st.OpenAges[1] != want[1] {
		t.Errorf("ages %+v, want %+v", st.OpenAges, want)
	}
	if st.LongOpen != 3 || len(st.LongOpenItems) != 3 || st.LongOpenItems[0].ID != 4 || st.LongOpenItems[1].ID != 3 || st.LongOpenItems[2].ID != 2 {
		t.Errorf("long open %d %+v, want 3: items 4, 3, 2", st.LongOpen, st.LongOpenItems)
	}
	if st.Overdue != 2 || len(st.OverdueItems) != 2 || st.OverdueItems[0].ID != 3 || st.OverdueItems[0].Title != "item 3" {
		t.Errorf("overdue %d %+v, want 2, item 3 first", st.Overdue, st.OverdueItems)
	}

	var many []OpenItem
	for i := range maxListed + 5 {
		it := OpenItem{ID: int64(100 + i), Term: "long", Category: "handle", CreatedAt: ago(float64(300 - i))}
		many = append(many, it)
		byID[it.ID] = it
	}
	st, err = s.openStats(context.Background(), many, now)
	if err != nil {
		t.Fatal(err)
	}
	if st.LongOpen != maxListed+5 || len(st.LongOpenItems) != maxListed || st.LongOpenItems[0].ID != 100 || st.LongOpenItems[0].AgeDays != 300 {
		t.Errorf("%d stale items: count %d, listed %d, first %+v; want all counted, %d listed, item 100 (300 days) first",
			len(many), st.LongOpen, len(st.LongOpenItems), st.LongOpenItems[0], maxListed)
	}
}

// TestTopKMatchesSorting checks the lists kept as items go by against
// sorting them all and taking the first maxListed.
func TestTopKMatchesSorting(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	order := func(a, b OpenItem) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	}
	for round := range 100 {
		var all []OpenItem
		k := topK{order: order}
		for i := range rnd.IntN(80) {
			it := OpenItem{ID: int64(i), CreatedAt: base.Add(time.Duration(rnd.IntN(30)) * time.Hour)} // ties are common
			all = append(all, it)
			k.add(it)
		}
		slices.SortFunc(all, order)
		want := all[:min(len(all), maxListed)]
		if k.seen != len(all) || !slices.EqualFunc(k.items, want, func(a, b OpenItem) bool { return a.ID == b.ID }) {
			t.Fatalf("round %d: kept %v of %d, want %v of %d", round, k.items, k.seen, want, len(all))
		}
	}
}
