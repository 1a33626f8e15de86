package review

import (
	"strings"
	"unicode"
)

// lemmaSet reduces "a|b|c" to the set of the words' lemmas.
func lemmaSet(alternatives string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Split(alternatives, "|") {
		for _, l := range lemmas(w) {
			set[l.text] = true
		}
		if w = strings.TrimSpace(w); w != "" && len(lemmas(w)) == 0 {
			set[w] = true // a word that is all ending (가능하면 is not; 할 is): keep as written
		}
	}
	return set
}

func lemmaSlots(phrase []string) []map[string]bool {
	out := make([]map[string]bool, len(phrase))
	for i, slot := range phrase {
		out[i] = lemmaSet(slot)
	}
	return out
}

// concreteWords tell an item that names something checkable.
type concreteWords struct{ verbs, artefacts map[string]bool }

// in reports whether the item names something checkable outside the words
// a rule matched: a number, a name written like one (checkout-api,
// db/migrations, p99, retryBudget), or a verb of making or changing
// together with an artefact (add … checklist, 알림 … 추가).
func (c concreteWords) in(text string, words []lemma, used map[int]bool) bool {
	if strings.IndexFunc(text, unicode.IsDigit) >= 0 {
		return true
	}
	// The verb must be one the rule did not match (improve alerting makes
	// nothing), the artefact may be ("add a CI check" after "check").
	verb := false
	for i, w := range words {
		if looksLikeName(w.word) && !used[i] {
			return true
		}
		verb = verb || (!used[i] && w.pred && c.verbs[w.text])
	}
	if !verb {
		return false
	}
	for i, w := range words {
		if c.artefacts[w.text] && !(c.verbs[w.text] && !used[i] && onlyVerb(c, words, used, i)) {
			return true
		}
	}
	return false
}

// onlyVerb reports whether word i is the item's only free verb, so it
// cannot also serve as its artefact (alert … alert).
func onlyVerb(c concreteWords, words []lemma, used map[int]bool, i int) bool {
	for j, w := range words {
		if j != i && !used[j] && w.pred && c.verbs[w.text] {
			return false
		}
	}
	return true
}

// looksLikeName tells a name from a word: Latin letters joined by - _ / .
// or changing case inside (checkout-api, db/migrations, retryBudget).
func looksLikeName(w string) bool {
	if w == "" || w[0] >= 0x80 {
		return false
	}
	if strings.ContainsAny(strings.Trim(w, "-_/."), "_/.") {
		return true
	}
	if strings.Contains(w, "-") && !commonCompounds[strings.ToLower(w)] {
		return true
	}
	for i := 1; i < len(w); i++ {
		if unicode.IsLower(rune(w[i-1])) && unicode.IsUpper(rune(w[i])) {
			return true
		}
	}
	return false
}

// commonCompounds are hyphenated English words, not names.
var commonCompounds = map[string]bool{
	"double-check": true, "triple-check": true, "on-call": true, "follow-up": true, "real-time": true,
	"long-term": true, "short-term": true, "end-to-end": true, "well-known": true, "re-run": true,
	"in-depth": true, "cross-team": true, "up-to-date": true, "high-level": true, "low-level": true,
	"self-service": true, "built-in": true, "third-party": true, "post-mortem": true, "co-ordinate": true,
}

// rewrite is a concrete version of a vague item on one topic.
type rewrite struct {
	Topic string `yaml:"topic"`
	Words string `yaml:"words"`
	EN    string `yaml:"en"`
	KO    string `yaml:"ko"`
	words map[string]bool
}

// suggest writes the concrete version of a vague item: on the item's topic
// (the topic with most of its words in the item, the earlier on a tie),
// naming the incident's service, in the item's language; the rule's own
// example when no topic fits.
func (c *VagueChecker) suggest(r VagueRule, words []lemma, lang string, services []string) string {
	if !r.builtin {
		return pick(r.Example, lang)
	}
	best, bestN := -1, 0
	for i, rw := range c.rewrites {
		n := 0
		for _, w := range words {
			if rw.words[w.text] {
				n++
			}
		}
		if n > bestN {
			best, bestN = i, n
		}
	}
	if best < 0 {
		return pick(r.Example, lang)
	}
	rw := c.rewrites[best]
	text, service := rw.EN, "the affected service"
	if lang == "ko" {
		text, service = rw.KO, "해당 서비스"
	}
	if len(services) > 0 {
		service = services[0]
	}
	return strings.ReplaceAll(text, "{service}", service)
}
