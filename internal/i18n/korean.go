package i18n

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// HasBatchim reports whether word, read aloud in Korean, ends in a final
// consonant (받침), and whether that consonant is ㄹ: the two facts Korean
// particles depend on. Closing quotes and brackets are skipped. Hangul is
// exact; Latin letters and digits follow how Koreans usually read them (a
// name ending in n, m, ng, k, p, t, b, g or l has one, "l" being ㄹ; digits
// as 영 일 이 삼 사 오 육 칠 팔 구). ok is false when the word ends in
// something else, and the caller keeps its default.
func HasBatchim(word string) (has, rieul, ok bool) {
	rs := []rune(strings.TrimRight(word, "”’\"')]}」』*` "))
	if len(rs) == 0 {
		return false, false, false
	}
	r := rs[len(rs)-1]
	switch {
	case r >= 0xAC00 && r <= 0xD7A3:
		jong := (r - 0xAC00) % 28
		return jong != 0, jong == 8, true
	case r >= '0' && r <= '9':
		// 영(ㅇ) 일(ㄹ) 이 삼(ㅁ) 사 오 육(ㄱ) 칠(ㄹ) 팔(ㄹ) 구
		has := [10]bool{true, true, false, true, false, false, true, true, true, false}
		return has[r-'0'], r == '1' || r == '7' || r == '8', true
	case r < unicode.MaxASCII && unicode.IsLetter(r):
		switch unicode.ToLower(r) {
		case 'l':
			return true, true, true
		case 'n', 'm', 'k', 'p', 't', 'b', 'g':
			return true, false, true
		}
		return false, false, true
	}
	return false, false, false
}

// Particle joins word and the particle that fits it; p names the pair by
// either form: 을/를, 이/가, 은/는, 과/와, 으로/로. "해결 담당" + 으로 gives
// "해결 담당으로", "전파 담당" + 으로 gives "전파 담당으로", "bob" + 을 gives
// "bob을".
func Particle(word, p string) string {
	return word + particleFor(word, p)
}

var particlePairs = map[string][2]string{ // {after a final consonant, after a vowel}
	"을": {"을", "를"}, "를": {"을", "를"},
	"이": {"이", "가"}, "가": {"이", "가"},
	"은": {"은", "는"}, "는": {"은", "는"},
	"과": {"과", "와"}, "와": {"과", "와"},
	"으로": {"으로", "로"}, "로": {"으로", "로"},
}

func particleFor(word, p string) string {
	pair, known := particlePairs[p]
	if !known {
		return p
	}
	has, rieul, ok := HasBatchim(word)
	if !ok {
		return pair[0]
	}
	if pair[0] == "으로" && rieul {
		return "로" // ㄹ takes 로: "서울로", "mail로"
	}
	if has {
		return pair[0]
	}
	return pair[1]
}

// doublePattern matches the "either particle" spellings that Korean
// message templates glue after a variable: (으)로, 을(를), 이(가), 은(는),
// 과(와), and their reversed forms.
var doublePattern = regexp.MustCompile(`\(으\)로|을\(를\)|를\(을\)|이\(가\)|가\(이\)|은\(는\)|는\(은\)|과\(와\)|와\(과\)`)

// FixParticles rewrites every "either particle" spelling in a formatted
// Korean text to the one that follows the word before it, so that
// "해결 담당(으)로" reads "해결 담당으로".
func FixParticles(text string) string {
	locs := doublePattern.FindAllStringIndex(text, -1)
	if locs == nil {
		return text
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		before := text[last:l[0]]
		b.WriteString(before)
		m := text[l[0]:l[1]]
		var p string
		if strings.HasPrefix(m, "(으)") {
			p = "으로"
		} else {
			p = string([]rune(m)[0:1])
		}
		b.WriteString(particleFor(text[:l[0]], p))
		last = l[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// FormatDuration writes a duration as people say it in lang: "3h 12m",
// "3시간 12분", "2d 4h", "2일 4시간"; minutes are the smallest unit.
func FormatDuration(d time.Duration, lang string) string {
	if d < 0 {
		d = 0
	}
	days, h, m := int(d.Hours())/24, int(d.Hours())%24, int(d.Minutes())%60
	u := units[Index(lang)]
	switch {
	case days > 0:
		return fmt.Sprintf("%d%s %d%s", days, u[0], h, u[1])
	case h > 0 && m > 0:
		return fmt.Sprintf("%d%s %d%s", h, u[1], m, u[2])
	case h > 0:
		return fmt.Sprintf("%d%s", h, u[1])
	}
	return fmt.Sprintf("%d%s", m, u[2])
}

var units = [2][3]string{{"d", "h", "m"}, {"일", "시간", "분"}}

// Duration rewrites an interval stored in Go's short form ("15m", "1h30m",
// "24h0m0s") in lang; a text that is not one is returned as it is.
func Duration(s, lang string) string {
	d, err := time.ParseDuration(s)
	if err != nil {
		return s
	}
	if d < time.Minute {
		if lang == "ko" {
			return fmt.Sprintf("%d초", int(d.Seconds()))
		}
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	return FormatDuration(d, lang)
}
