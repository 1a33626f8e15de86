package review

import (
	"slices"
	"time"
	"unicode"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// TextSimilarity scores how alike texts are, from 0 (nothing shared) to 1
// (the same). Against prepares one text once, for comparing it with many.
// It is a seam: a search index can stand in for BigramDice.
type TextSimilarity interface {
	Against(text string) func(other string) float64
}

// BigramDice compares texts by their character pairs within words (the Dice
// coefficient of the two bigram sets). It needs no dictionary, so Korean
// and English work alike, and a word's inflections ("결제가", "결제") still
// share pairs.
type BigramDice struct{}

// Similarity returns the Dice coefficient of two texts' bigram sets.
func (d BigramDice) Similarity(a, b string) float64 { return d.Against(a)(b) }

// Against returns a scorer of other texts against text.
func (BigramDice) Against(text string) func(string) float64 {
	x := bigrams(text)
	return func(other string) float64 {
		y := bigrams(other)
		if len(x) == 0 || len(y) == 0 {
			return 0
		}
		shared := 0
		for i, j := 0, 0; i < len(x) && j < len(y); { // both sorted: merge
			switch {
			case x[i] == y[j]:
				shared++
				i++
				j++
			case x[i] < y[j]:
				i++
			default:
				j++
			}
		}
		return 2 * float64(shared) / float64(len(x)+len(y))
	}
}

// bigrams returns the set of rune pairs within the words of s, each packed
// into a uint64, sorted and without repeats; a one-rune word counts as a
// pair with itself.
func bigrams(s string) []uint64 {
	var out []uint64
	prev, inWord, wordLen := rune(0), false, 0
	flush := func() {
		if inWord && wordLen == 1 {
			out = append(out, uint64(prev)<<32|uint64(prev))
		}
		inWord, wordLen = false, 0
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			flush()
			continue
		}
		r = unicode.ToLower(r)
		if inWord {
			out = append(out, uint64(prev)<<32|uint64(r))
		}
		prev, inWord = r, true
		wordLen++
	}
	flush()
	slices.Sort(out)
	return slices.Compact(out)
}

// Match says that an earlier incident looks like the same problem again.
type Match struct {
	IncidentID int64     `json:"-"`
	EarlierID  int64     `json:"-"`
	Earlier    string    `json:"incident"` // INC-n
	Title      string    `json:"title"`
	StartedAt  time.Time `json:"started_at"`
	// Reason is "service_cause" (a shared service and cause tag) or "text".
	Reason string  `json:"reason"`
	Score  float64 `json:"score"`
	// Shared names the shared services and cause tags.
	Shared []string `json:"shared"`
	// OpenItems are the earlier incident's action items still open.
	OpenItems []*ActionItem `json:"open_items"`
}

// The reasons for a match.
const (
	MatchServiceCause = "service_cause"
	MatchText         = "text"
)

// FindRecurrences compares inc with earlier incidents: one that shares a
// service and a cause tag matches outright; otherwise one whose title and
// summary are at least minScore alike matches on text.
func FindRecurrences(inc *incident.Incident, earlier []*incident.Incident, sim TextSimilarity, minScore float64) []Match {
	var out []Match
	score := sim.Against(inc.Title + " " + inc.Summary)
	for _, e := range earlier {
		if e.ID >= inc.ID { // only earlier incidents
			continue
		}
		m := Match{IncidentID: inc.ID, EarlierID: e.ID, Earlier: e.Ref(), Title: e.Title, StartedAt: e.StartedAt}
		services, causes := common(inc.Services, e.Services), common(inc.CauseTags, e.CauseTags)
		if len(services) > 0 && len(causes) > 0 {
			m.Reason, m.Score, m.Shared = MatchServiceCause, 1, append(services, causes...)
			out = append(out, m)
			continue
		}
		if sc := score(e.Title + " " + e.Summary); sc >= minScore {
			m.Reason, m.Score, m.Shared = MatchText, sc, services
			out = append(out, m)
		}
	}
	return out
}

func common(a, b []string) []string {
	out := []string{}
	for _, x := range a {
		if slices.Contains(b, x) && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
