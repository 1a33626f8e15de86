// Package search turns Korean and English text into the tokens Firebreak's
// full-text index stores, and a user's query into the same tokens, so that
// one index works alike on SQLite (FTS5) and PostgreSQL (tsvector).
//
// Korean words carry particles and endings (결제가, 결제를, 결제에서), so a
// run of Hangul is indexed as overlapping two-syllable pieces (결제, 제가)
// plus the whole run; a query word loses its particle and must match all
// its pieces. English words are lower-cased and reduced to a stem
// (timeouts → timeout, failed → fail), and two words written apart are also
// indexed as one (timed out → timeout).
package search

import (
	"strings"
	"unicode"
)

// script classifies a rune for splitting text into runs.
type script int

const (
	other script = iota
	latin        // letters of alphabetic scripts and digits: words split by spaces
	cjk          // Hangul, Han, Kana: no reliable word boundaries, so bigrams
)

func classify(r rune) script {
	switch {
	case unicode.Is(unicode.Hangul, r), unicode.Is(unicode.Han, r),
		unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r):
		return cjk
	case unicode.IsLetter(r), unicode.IsDigit(r):
		return latin
	}
	return other
}

// run is a stretch of text in one script; glued says it follows the
// previous run with no space between (as 가 in "API가").
type run struct {
	text  []rune
	kind  script
	glued bool
}

// runs splits text into runs of letters of one script.
func runs(text string) []run {
	var out []run
	var cur []rune
	kind, glued, sepSinceWord := other, false, true
	flush := func() {
		if len(cur) > 0 {
			out = append(out, run{text: cur, kind: kind, glued: glued})
			cur = nil
		}
	}
	prevWasRun := false
	for _, r := range text {
		k := classify(r)
		if k == other {
			flush()
			prevWasRun = false
			sepSinceWord = true
			continue
		}
		if k != kind || len(cur) == 0 {
			flush()
			glued = prevWasRun && !sepSinceWord
			kind = k
		}
		cur = append(cur, unicode.ToLower(r))
		prevWasRun = true
		sepSinceWord = false
	}
	flush()
	return out
}

// maxRun bounds how much of one unbroken run is indexed, so a pasted blob
// (a stack trace without spaces, base64) cannot blow up the index.
const maxRun = 64

// Tokens returns the index tokens of text, in order: for each Hangul run the
// whole run then its bigrams, for each other word its stem, and after two
// neighbouring words their stems joined.
func Tokens(text string) []string {
	var out []string
	var prevStem string
	for _, r := range runs(text) {
		w := r.text
		if len(w) > maxRun {
			w = w[:maxRun]
		}
		switch r.kind {
		case cjk:
			prevStem = ""
			out = append(out, string(w))
			if len(w) > 2 { // a two-syllable run is its own only bigram
				out = append(out, bigrams(w)...)
			}
		case latin:
			s := Stem(string(w))
			if stopWords[s] {
				prevStem = ""
				continue
			}
			out = append(out, s)
			if prevStem != "" {
				out = append(out, prevStem+s)
			}
			prevStem = s
		}
	}
	return out
}

func bigrams(w []rune) []string {
	out := make([]string, 0, len(w)-1)
	for i := 0; i+1 < len(w); i++ {
		out = append(out, string(w[i:i+2]))
	}
	return out
}

// stopWords are English words too common to search for; they are neither
// indexed nor required by a query.
var stopWords = map[string]bool{
	"a": true, "an": true, "the": true, "and": true, "or": true, "of": true, "to": true, "in": true,
	"on": true, "at": true, "for": true, "by": true, "with": true, "is": true, "be": true, "are": true,
	"was": true, "were": true, "it": true, "its": true, "as": true, "this": true, "that": true,
	"from": true, "we": true, "our": true, "has": true, "have": true, "had": true, "not": true,
}

// Join writes tokens as the text an index column stores: space-separated.
func Join(tokens []string) string { return strings.Join(tokens, " ") }
