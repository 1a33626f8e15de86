package review_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/review"
)

// TestVagueLabelledSet measures the built-in rules on a labelled set of
// action items, Korean and English, vague and concrete, each with the reason
// for its label (testdata/vague_items.tsv). Vague is the positive class:
// precision is how many flagged items were vague, recall how many vague
// items were flagged.
func TestVagueLabelledSet(t *testing.T) {
	f, err := os.Open("testdata/vague_items.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vc, err := review.NewVagueChecker(nil)
	if err != nil {
		t.Fatal(err)
	}
	var tp, fp, fn, n int
	langs := map[bool]int{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if strings.HasPrefix(sc.Text(), "#") || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 3 || (cols[0] != "vague" && cols[0] != "concrete") || cols[2] == "" {
			t.Fatalf("line %d: want label, item and reason: %q", line, sc.Text())
		}
		n++
		langs[strings.IndexFunc(cols[1], func(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }) >= 0]++
		want := cols[0] == "vague"
		got := vc.Check(cols[1], "", "en")
		switch {
		case want && len(got) > 0:
			tp++
		case !want && len(got) > 0:
			fp++
			t.Logf("false alarm: %s (%s) %+v", cols[1], cols[2], got[0].Matched)
		case want:
			fn++
			t.Logf("missed: %s (%s)", cols[1], cols[2])
		}
	}
	if n < 300 || langs[true] < 100 || langs[false] < 100 {
		t.Fatalf("the set needs 300 items, 100 in each language: %d (ko %d, en %d)", n, langs[true], langs[false])
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	t.Logf("vague-item check on %d items: precision %.3f (%d/%d), recall %.3f (%d/%d)", n, precision, tp, tp+fp, recall, tp, tp+fn)
	if precision < 0.95 || recall < 0.9 {
		t.Errorf("precision %.3f (want ≥ 0.95), recall %.3f (want ≥ 0.9)", precision, recall)
	}
}
