package review

import (
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// TextSimilarity scores how alike two texts are, from 0 (nothing shared) to
// 1 (the same). It is a seam: a search index can stand in for BigramDice.
type TextSimilarity interface {
	Similarity(a, b string) float64
}

// BigramDice compares texts by their character pairs within words (the Dice
// coefficient of the two bigram sets). It needs no dictionary, so Korean
// and English work alike, and a word's inflections ("결제가", "결제") still
// share pairs.
type BigramDice struct{}

// Similarity returns the Dice coefficient of the texts' bigram sets.
func (BigramDice) Similarity(a, b string) float64 {
	x, y := bigrams(a), bigrams(b)
	if len(x) == 0 || len(y) == 0 {
		return 0
	}
	shared := 0
	for g := range x {
		if y[g] {
			shared++
		}
	}
	return 2 * float64(shared) / float64(len(x)+len(y))
}

func bigrams(s string) map[string]bool {
	out := map[string]bool{}
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	for _, w := range words {
		rs := []rune(w)
		if len(rs) == 1 {
			out[w] = true
		}
		for i := 0; i+1 < len(rs); i++ {
			out[string(rs[i:i+2])] = true
		}
	}
	return out
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
	text := inc.Title + " " + inc.Summary
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
		if score := sim.Similarity(text, e.Title+" "+e.Summary); score >= minScore {
			m.Reason, m.Score, m.Shared = MatchText, score, services
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
