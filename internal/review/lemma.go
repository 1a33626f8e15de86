package review

import (
	"strings"
	"unicode"

	"github.com/firebreak-oss/firebreak/internal/search"
)

// A word of an item reduced to its lemma, so that the vague-item rules match
// what a sentence says rather than how it ends: 강화한다, 강화합니다,
// 강화할 예정, 강화해야 함 and 강화하기 all become 강화; improves, improved,
// improving and improvement all become the stem "improv".
type lemma struct {
	word string // as written, for showing what matched
	text string // the lemma
	// pred says the word stands where a clause's main verb stands: first
	// in an English clause (items are imperatives: "add …", "set …"), last
	// in a Korean one or with a verb ending ("… 추가", "추가하고"). Only
	// there does a verb like add/추가 say what the item makes.
	pred bool
}

// lemmas splits text into words and reduces each to its lemma. Words that
// are only an ending standing apart (the 한다 of 해야 한다, the 할 of
// 할 것이다) carry no meaning of their own and are left out.
func lemmas(text string) []lemma {
	var out []lemma
	for _, clause := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(",:;!?()\n", r) }) {
		out = append(out, clauseLemmas(clause)...)
	}
	return out
}

// englishLinks start a new clause inside a sentence: "… and add", "by adding".
var englishLinks = map[string]bool{"and": true, "then": true, "by": true, "to": true, "or": true, "so": true}

func clauseLemmas(clause string) []lemma {
	var out []lemma
	latinStart := true
	lastKorean := -1
	for _, w := range strings.FieldsFunc(clause, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' && r != '/' && r != '.'
	}) {
		w = strings.Trim(w, "-_/.")
		if w == "" {
			continue
		}
		// A word mixing scripts (API가, PR에) is split at the change: the
		// Latin part is a name, the Hangul part its particle.
		for _, part := range splitScripts(w) {
			rs := []rune(part)
			korean := isHangul(rs[0])
			l := lemmaOf(part)
			if l != "" {
				pred := latinStart && !korean
				if korean {
					pred = predicateEnding(rs, l)
					lastKorean = len(out)
				}
				out = append(out, lemma{word: part, text: l, pred: pred})
			}
			if !korean {
				latinStart = englishLinks[strings.ToLower(part)]
			}
			// The parts of a joined word count too: double-check is a check.
			if pieces := strings.FieldsFunc(part, isJoiner); len(pieces) > 1 {
				for _, p := range pieces {
					if l := lemmaOf(p); l != "" {
						out = append(out, lemma{word: part, text: l})
					}
				}
			}
		}
	}
	if lastKorean >= 0 {
		out[lastKorean].pred = true
	}
	return out
}

// predicateEnding reports whether a Korean word was written as a verb: a
// 하다/되다 noun with its ending (추가하고, 작성한다), not the bare noun.
func predicateEnding(rs []rune, l string) bool {
	n := len([]rune(l))
	return n < len(rs) && (predicateAt(rs[n]) || causativeAt(rs, n))
}

// lemmaOf reduces one word of one script.
func lemmaOf(w string) string {
	rs := []rune(w)
	if isHangul(rs[0]) {
		return koreanLemma(rs)
	}
	return englishLemma(strings.ToLower(w))
}

func isJoiner(r rune) bool { return r == '-' || r == '_' || r == '/' || r == '.' }

func splitScripts(w string) []string {
	var out []string
	start := 0
	rs := []rune(w)
	for i := 1; i < len(rs); i++ {
		if isHangul(rs[i]) != isHangul(rs[i-1]) {
			out = append(out, string(rs[start:i]))
			start = i
		}
	}
	return append(out, string(rs[start:]))
}

func isHangul(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }

// englishLemma stems a word as the search index does (Porter), after taking
// an adverb's -ly off, so carefully, careful and care meet.
func englishLemma(w string) string {
	// Porter leaves add but takes adding to ad: a short word with a doubled
	// last letter keeps it (adding, added → add).
	for _, suf := range []string{"ing", "ed"} {
		if base, ok := strings.CutSuffix(w, suf); ok && len(base) == 3 && base[1] == base[2] {
			return base
		}
	}
	if len(w) > 5 && strings.HasSuffix(w, "ly") && !strings.HasSuffix(w, "ply") {
		w = strings.TrimSuffix(w, "ly")
		if strings.HasSuffix(w, "i") { // steadily → steady
			w = w[:len(w)-1] + "y"
		}
	}
	return search.Stem(w)
}

// A Hangul syllable is (initial × 21 + medial) × 28 + final, from U+AC00.
const (
	jamoH   = 18 // ㅎ as an initial
	jamoD   = 3  // ㄷ
	vowelA  = 0  // ㅏ
	vowelAE = 1  // ㅐ
	vowelOE = 11 // ㅚ
	vowelWE = 10 // ㅙ
	vowelI  = 20 // ㅣ
)

func syllable(r rune) (initial, medial, final int) {
	n := int(r - 0xAC00)
	return n / (21 * 28), n % (21 * 28) / 28, n % 28
}

// predicateAt reports whether syllable r starts the ending of a 하다 or
// 되다 verb: 하 한 할 함 합 해 했 …, 되 된 될 됨 돼 ….
func predicateAt(r rune) bool {
	i, m, _ := syllable(r)
	return (i == jamoH && (m == vowelA || m == vowelAE)) || (i == jamoD && (m == vowelOE || m == vowelWE))
}

// fixedWords are Korean words that begin like an ending but are words of
// their own (되도록 "as far as possible", 해결 "resolution").
var fixedWords = map[string]bool{
	"되도록": true, "하루": true, "하드웨어": true, "한도": true, "한계": true, "할당": true, "해결": true,
	"해제": true, "해당": true, "하위": true, "하단": true, "해시": true, "되돌리기": true, "한번": true,
}

// standAlone are the endings written apart from their verb: the 한다 of
// 해야 한다, the 할 of 할 것이다.
var standAlone = map[string]bool{
	"한다": true, "하다": true, "해야": true, "할": true, "함": true, "합니다": true, "하자": true, "하기": true,
	"하겠다": true, "하겠습니다": true, "해요": true, "했다": true, "하고": true, "하여": true, "해서": true,
	"하며": true, "하는": true, "한": true, "될": true, "된다": true, "되어야": true, "돼야": true, "됨": true,
	"되다": true, "됩니다": true, "하도록": true, "해야함": true, "해야한다": true, "합시다": true,
}

// hiddenHa are nouns whose last syllable only looks like 하/해 (저하
// "degradation", 부하 "load"): a word is not cut inside them.
var hiddenHa = map[string]bool{
	"저하": true, "이하": true, "부하": true, "상하": true, "영하": true, "방해": true, "피해": true, "이해": true,
	"손해": true, "침해": true, "직후": true,
}

// particles are the case markers and copulas that follow a noun, longest
// first so 에서 goes before 서 could.
var particles = []string{
	"이었습니다", "입니다", "이에요", "에서는", "에서도", "으로는", "이다", "에서", "으로", "에게", "까지", "부터", "처럼", "보다",
	"이며", "이고", "로는", "에는", "와의", "과의", "을", "를", "이", "가", "은", "는", "의", "에", "로", "와", "과", "도", "만", "임",
}

// verbEndings are endings of verbs other than 하다 verbs (쓰자, 높여야,
// 지켜보기), longest first.
var verbEndings = []string{
	"겠습니다", "습니다", "어야", "아야", "여야", "어요", "아요", "는다", "겠다", "도록", "자", "기", "다", "고", "음",
}

// koreanLemma reduces a Hangul word: a 하다/되다 verb to its noun (강화합니다
// → 강화, 필요함 → 필요, 개선되어야 → 개선), an adverb in 히 to its root
// (철저히 → 철저), a noun to itself without its particle, and another verb
// to its stem without its ending. A word that is only an ending is empty.
func koreanLemma(rs []rune) string {
	w := string(rs)
	if fixedWords[w] {
		return w
	}
	if standAlone[w] {
		return ""
	}
	for i := 2; i < len(rs); i++ {
		if (predicateAt(rs[i]) && !hiddenHa[string(rs[i-1:i+1])]) || causativeAt(rs, i) {
			return nounLemma(rs[:i])
		}
	}
	if n := len(rs); n >= 3 {
		if in, m, f := syllable(rs[n-1]); in == jamoH && m == vowelI && f == 0 {
			return string(rs[:n-1]) // 철저히, 꼼꼼히
		}
	}
	return nounLemma(rs)
}

// causativeAt reports whether 시키다 starts at i (향상시킨다 → 향상).
func causativeAt(rs []rune, i int) bool {
	if rs[i] != '시' || i+1 >= len(rs) {
		return false
	}
	in, m, _ := syllable(rs[i+1])
	return in == 15 && (m == vowelI || m == 6) // 키…, 켜…
}

// nounLemma takes a particle (and a plural 들) off a noun, or an ending off
// a verb that is not a 하다 verb (쓰자 → 쓰, 높여야 → 높, 지켜보기 → 지켜보).
func nounLemma(rs []rune) string {
	w := string(rs)
	for _, p := range particles {
		if stem, ok := strings.CutSuffix(w, p); ok && len([]rune(stem)) >= 2 {
			w = stem
			break
		}
	}
	if stem, ok := strings.CutSuffix(w, "들"); ok && len([]rune(stem)) >= 2 {
		return stem
	}
	if w != string(rs) {
		return w
	}
	for _, e := range verbEndings {
		stem, ok := strings.CutSuffix(w, e)
		if !ok || stem == "" || (len([]rune(e)) == 1 && e != "자" && e != "다" && len([]rune(w)) < 3) {
			continue // 주기, 경고, 처음 are nouns
		}
		stem = dropFinal(stem)
		// The 이 of a verb made from an adjective goes too (높인다, 높여야 → 높).
		if s, ok := strings.CutSuffix(stem, "이"); ok && s != "" {
			stem = s
		}
		return stem
	}
	return w
}

// dropFinal takes the ㄴ ㄹ ㅁ ㅂ that an ending left on a verb stem's last
// syllable (높인 → 높이, 씁 → 쓰).
func dropFinal(stem string) string {
	rs := []rune(stem)
	last := rs[len(rs)-1]
	if !isHangul(last) {
		return stem
	}
	in, m, f := syllable(last)
	switch f {
	case 4, 8, 16, 17: // ㄴ ㄹ ㅁ ㅂ
		rs[len(rs)-1] = rune(0xAC00 + (in*21+m)*28)
	}
	return string(rs)
}
