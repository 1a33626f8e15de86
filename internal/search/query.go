package search

import (
	"strings"
	"unicode"
)

// Phrase is tokens that must all appear; with Prefix the one token need
// only begin an indexed token. A Korean word's bigrams need not be found in
// a row: requiring all of them is nearly as precise, and it spares
// PostgreSQL from re-reading every candidate's vector (a phrase query must
// be checked against the positions; a plain one is answered by the index).
type Phrase struct {
	Tokens []string
	Prefix bool
}

// Term is one word of a query: any of its alternatives matches it.
type Term struct{ Alts []Phrase }

// Query is a parsed search. A document matches when it matches every term,
// or any term when Any is set (as for "similar incidents").
type Query struct {
	Terms []Term
	Any   bool
}

// Empty reports whether the query has nothing to look for.
func (q Query) Empty() bool { return len(q.Terms) == 0 }

// maxTerms bounds a query, so a pasted paragraph stays a cheap search.
const maxTerms = 16

// Parse reads what a user typed. Korean words lose their particles and
// endings and match by all their bigrams; English words match by stem, and
// the last word also as the start of a word (the user may still be typing).
// Two English words typed apart also match written together (time out,
// timeout).
func Parse(text string) Query {
	var q Query
	rs := runs(text)
	endsInWord := len(text) > 0 && classify(lastRune(text)) != other
	prevLatin := -1 // index in q.Terms of the previous English word, for joining
	var prevStem string
	for i, r := range rs {
		last := i == len(rs)-1 && endsInWord
		switch r.kind {
		case cjk:
			prevLatin = -1
			w := r.text
			if r.glued && containsString(endings, string(w)) {
				continue // a particle glued to an English word: "API가"
			}
			if isHangul(w) {
				w = stripEnding(w)
			}
			if len(w) > maxRun {
				w = w[:maxRun]
			}
			var p Phrase
			switch {
			case len(w) == 1:
				p = Phrase{Tokens: []string{string(w)}, Prefix: true}
			case len(w) == 2:
				p = Phrase{Tokens: []string{string(w)}}
			default:
				p = Phrase{Tokens: bigrams(w)}
			}
			q.Terms = append(q.Terms, Term{Alts: []Phrase{p}})
		case latin:
			raw := string(r.text)
			s := Stem(raw)
			if stopWords[s] && !last {
				prevLatin = -1
				continue
			}
			t := Term{Alts: []Phrase{{Tokens: []string{s}}}}
			if last && len(raw) >= 2 {
				t.Alts = append(t.Alts, Phrase{Tokens: []string{raw}, Prefix: true})
			}
			if prevLatin >= 0 {
				joined := Phrase{Tokens: []string{prevStem + s}}
				q.Terms[prevLatin].Alts = append(q.Terms[prevLatin].Alts, joined)
				t.Alts = append(t.Alts, joined)
			}
			prevLatin, prevStem = len(q.Terms), s
			q.Terms = append(q.Terms, t)
		}
		if len(q.Terms) >= maxTerms {
			break
		}
	}
	return q
}

func lastRune(s string) rune {
	r := []rune(s)
	return r[len(r)-1]
}

func isHangul(w []rune) bool {
	for _, r := range w {
		if !unicode.Is(unicode.Hangul, r) {
			return false
		}
	}
	return true
}

// endings are Korean particles and verb endings a query word may carry,
// longest first so that 에서 is cut before 서 could be.
var endings = sortedByLength([]string{
	// particles
	"에서부터", "으로부터", "에서는", "에서도", "에게서", "으로는", "으로도", "에서", "에게", "한테", "으로",
	"까지", "부터", "처럼", "보다", "만큼", "이나", "이랑", "에는", "에도", "와는", "과는", "이라", "라고",
	"은", "는", "이", "가", "을", "를", "의", "에", "로", "와", "과", "도", "만", "랑", "께",
	// verb endings after a noun (실패했다, 지연되어, 복구함)
	"되었습니다", "했습니다", "됐습니다", "하였다", "되었다", "했었다", "합니다", "됩니다", "입니다",
	"했다", "했던", "됐다", "되어", "되는", "되고", "하는", "하여", "해서", "하고", "하며", "이다", "였다",
	"했음", "됨", "함", "된", "한", "해", "됐",
})

func sortedByLength(xs []string) []string {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && len([]rune(xs[j])) > len([]rune(xs[j-1])); j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
	return xs
}

// stripEnding cuts the longest particle or ending off a Korean word, but
// only when at least two syllables of the word remain: many two-syllable
// nouns end in a syllable that is also a particle (결과, 한도, 추가, 문의,
// 피해), and cutting it would leave a one-syllable prefix that matches
// every word starting with it (결과 → 결 → 결제).
func stripEnding(w []rune) []rune {
	s := string(w)
	for _, e := range endings {
		if rest, ok := strings.CutSuffix(s, e); ok {
			if len([]rune(rest)) >= 2 {
				return []rune(rest)
			}
			return w // a shorter ending would cut into the word itself
		}
	}
	return w
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
