package search

import "strings"

// irregular maps English word forms no suffix rule reaches to their stem.
var irregular = map[string]string{
	"ran": "run", "went": "go", "gone": "go", "broke": "break", "broken": "break", "began": "begin",
	"begun": "begin", "lost": "lose", "sent": "send", "made": "make", "froze": "freez", "frozen": "freez",
}

// Stem reduces a lower-case English word to a stem shared by its forms:
// plurals, -ed and -ing (the first step of Porter's algorithm, plus the
// final -e rule, so time/timed/timing/times all give "time"). Words with
// digits or non-ASCII letters come back as they are.
func Stem(w string) string {
	if s, ok := irregular[w]; ok {
		return s
	}
	if len(w) <= 2 || !isASCIILetters(w) {
		return w
	}
	w = step1a(w)
	w = step1b(w)
	if strings.HasSuffix(w, "y") && len(w) > 2 && hasVowel(w[:len(w)-1]) {
		w = w[:len(w)-1] + "i" // happy/happiness share "happi"
	}
	return step5(w)
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
