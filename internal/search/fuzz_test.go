package search

import "testing"

// FuzzParse: whatever is typed into the search box parses without a
// panic into a bounded query.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"결제 지연", "결제가 지연되었습니다", "time out", "timeouts checkout-api", "INC-42", "데이터베이스를", "a", "", "  \t\n", "한A한A", "\xff\xfe", "\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		q := Parse(text)
		if len(q.Terms) > maxTerms {
			t.Fatalf("%d terms for %q; at most %d", len(q.Terms), text, maxTerms)
		}
		for _, term := range q.Terms {
			if len(term.Alts) == 0 {
				t.Fatalf("a term with no alternative for %q", text)
			}
		}
	})
}
