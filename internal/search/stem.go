package search

import "strings"

// irregular maps English word forms no suffix rule reaches to their stem.
var irregular = map[string]string{
	"ran": "run", "went": "go", "gone": "go", "broke": "break", "broken": "break", "began": "begin",
	"begun": "begin", "lost": "lose", "sent": "send", "made": "make", "froze": "freez", "frozen": "freez",
}

// TokenVersion names the tokens Stem and Tokens make. A change that gives
// different tokens for the same text raises it; the store then rewrites
// the documents written with older tokens (the search backfill job), and
// keeps answering from them meanwhile.
const TokenVersion = 2

// Stem reduces a lower-case English word to a stem shared by its forms:
// Porter's algorithm (plurals, -ed and -ing, then derivational suffixes
// such as -ation, -ment, -ness, so degraded/degradation give "degrad" and
// deploy/deployment "deploy"), plus one rule of ours: a final -ur after a
// consonant goes, so fail/failed/failure meet at "fail". Words with digits
// or non-ASCII letters come back as they are.
func Stem(w string) string {
	if s, ok := irregular[w]; ok {
		return s
	}
	if len(w) <= 2 || !isASCIILetters(w) {
		return w
	}
	w = step1a(w)
	w = step1b(w)
	w = yToI(w) // happy/happiness share "happi"
	w = replaceSuffix(w, step2, 0)
	w = replaceSuffix(w, step3, 0)
	// Again after step 4, which may uncover a y: deployment → deploy → deploi.
	w = yToI(step4(w))
	w = step5(w)
	if doubleConsonant(w) && strings.HasSuffix(w, "l") && measure(w) > 1 {
		w = w[:len(w)-1] // controll(ed) → control (Porter 5b)
	}
	return dropUr(w)
}

func yToI(w string) string {
	if strings.HasSuffix(w, "y") && len(w) > 2 && hasVowel(w[:len(w)-1]) {
		return w[:len(w)-1] + "i"
	}
	return w
}

// suffixRule replaces a suffix when the stem before it is long enough.
type suffixRule struct{ from, to string }

// step2 and step3 turn derivational suffixes into simpler ones (Porter's
// steps 2 and 3), longest first within each list.
var (
	step2 = []suffixRule{
		{"ational", "ate"}, {"tional", "tion"}, {"ization", "ize"}, {"iveness", "ive"}, {"fulness", "ful"},
		{"ousness", "ous"}, {"biliti", "ble"}, {"entli", "ent"}, {"ousli", "ous"}, {"ation", "ate"},
		{"alism", "al"}, {"aliti", "al"}, {"iviti", "ive"}, {"enci", "ence"}, {"anci", "ance"},
		{"izer", "ize"}, {"abli", "able"}, {"alli", "al"}, {"ator", "ate"}, {"logi", "log"}, {"eli", "e"},
	}
	step3 = []suffixRule{
		{"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"}, {"ical", "ic"}, {"ness", ""}, {"ful", ""},
	}
	step4Suffixes = []string{
		"ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate", "iti", "ous", "ive", "ize",
		"ion", "al", "er", "ic", "ou",
	}
)

// replaceSuffix applies the first rule whose suffix w ends with, if the
// stem before it has a measure above minMeasure.
func replaceSuffix(w string, rules []suffixRule, minMeasure int) string {
	for _, r := range rules {
		if stem, ok := strings.CutSuffix(w, r.from); ok {
			if measure(stem) > minMeasure {
				return stem + r.to
			}
			return w
		}
	}
	return w
}

// step4 drops a last suffix from a stem long enough to stand alone
// (Porter's step 4); -ion goes only after s or t (connection → connect).
func step4(w string) string {
	for _, suf := range step4Suffixes {
		stem, ok := strings.CutSuffix(w, suf)
		if !ok {
			continue
		}
		if measure(stem) <= 1 {
			return w
		}
		if suf == "ion" && !strings.HasSuffix(stem, "s") && !strings.HasSuffix(stem, "t") {
			return w
		}
		return stem
	}
	return w
}

// dropUr cuts a final -ur after a consonant from a stem that stays a word
// (failur → fail, configur → config, secur → sec), so a noun in -ure meets
// its verb. Porter leaves "failure" as "failur", apart from "failed".
func dropUr(w string) string {
	stem, ok := strings.CutSuffix(w, "ur")
	if !ok || stem == "" || !consonant(w, len(stem)-1) || measure(stem) < 1 {
		return w
	}
	return stem
}

func isASCIILetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

func step1a(w string) string {
	switch {
	case strings.HasSuffix(w, "sses"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "ies"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		return w
	case strings.HasSuffix(w, "s"):
		return w[:len(w)-1]
	}
	return w
}

func step1b(w string) string {
	if strings.HasSuffix(w, "eed") {
		if measure(w[:len(w)-3]) > 0 {
			return w[:len(w)-1]
		}
		return w
	}
	var base string
	switch {
	case strings.HasSuffix(w, "ed") && hasVowel(w[:len(w)-2]):
		base = w[:len(w)-2]
	case strings.HasSuffix(w, "ing") && hasVowel(w[:len(w)-3]):
		base = w[:len(w)-3]
	default:
		return w
	}
	switch {
	case strings.HasSuffix(base, "at"), strings.HasSuffix(base, "bl"), strings.HasSuffix(base, "iz"):
		return base + "e"
	case doubleConsonant(base) && !strings.ContainsAny(base[len(base)-1:], "lsz"):
		return base[:len(base)-1]
	case measure(base) == 1 && cvc(base):
		return base + "e"
	}
	return base
}

// step5 drops a final -e (Porter 5a), so "time" and "timing" meet at "time"
// only where the e is needed: it stays after a short consonant-vowel-consonant
// stem.
func step5(w string) string {
	if !strings.HasSuffix(w, "e") {
		return w
	}
	base := w[:len(w)-1]
	if m := measure(base); m > 1 || (m == 1 && !cvc(base)) {
		return base
	}
	return w
}

func consonant(w string, i int) bool {
	switch w[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return false
	case 'y':
		return i == 0 || !consonant(w, i-1)
	}
	return true
}

func hasVowel(w string) bool {
	for i := range len(w) {
		if !consonant(w, i) {
			return true
		}
	}
	return false
}

// measure counts the vowel-consonant sequences of w (Porter's m).
func measure(w string) int {
	m, i, n := 0, 0, len(w)
	for i < n && consonant(w, i) {
		i++
	}
	for i < n {
		for i < n && !consonant(w, i) {
			i++
		}
		if i >= n {
			break
		}
		for i < n && consonant(w, i) {
			i++
		}
		m++
	}
	return m
}

func doubleConsonant(w string) bool {
	n := len(w)
	return n >= 2 && w[n-1] == w[n-2] && consonant(w, n-1)
}

// cvc reports whether w ends consonant-vowel-consonant, the last not w, x or y.
func cvc(w string) bool {
	n := len(w)
	if n < 3 || !consonant(w, n-3) || consonant(w, n-2) || !consonant(w, n-1) {
		return false
	}
	return !strings.ContainsAny(w[n-1:], "wxy")
}
