package review

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/search"
)

// TextSimilarity scores how alike texts are, from 0 (nothing shared) to 1
// (the same). Against prepares one text once, for comparing it with many.
// It is a seam for other measures (an index's ranking, embeddings).
type TextSimilarity interface {
	Against(text string) func(other string) float64
}

// TokenDice compares texts by their search tokens (internal/search: English
// stems without stop words, Korean runs and their bigrams, so "timeouts"
// meets "timeout" and "결제가" meets "결제"), as the Dice coefficient of the
// two token sets. It is the index's own notion of a word, so what search
// finds alike, recurrence finds alike.
type TokenDice struct{}

// Similarity returns the Dice coefficient of two texts' token sets.
func (d TokenDice) Similarity(a, b string) float64 { return d.Against(a)(b) }

// Against returns a scorer of other texts against text.
func (TokenDice) Against(text string) func(string) float64 {
	x := tokenSet(text)
	return func(other string) float64 {
		y := tokenSet(other)
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

// tokenSet returns the text's search tokens, sorted and without repeats.
func tokenSet(s string) []string {
	ts := search.Tokens(s)
	slices.Sort(ts)
	return slices.Compact(ts)
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

// FindRecurrences compares inc with earlier incidents by title and summary:
// one that shares a service and a cause tag matches outright; otherwise one
// whose text is at least minScore alike matches on text. Earlier means an
// earlier start (imported past incidents have higher numbers than the ones
// they precede); on the same start, the lower number.
func FindRecurrences(inc *incident.Incident, earlier []*incident.Incident, sim TextSimilarity, minScore float64) []Match {
	var out []Match
	score := sim.Against(inc.Title + " " + inc.Summary)
	for _, e := range earlier {
		m, ok := matchEarlier(inc, e, func([]string) (float64, bool) {
			sc := score(e.Title + " " + e.Summary)
			return sc, sc >= minScore
		})
		if ok {
			out = append(out, m)
		}
	}
	return out
}

// matchEarlier matches inc with e when e came before it: outright when
// they share a service and a cause tag, else on text when byText, given
// the services they share, scores them alike enough.
func matchEarlier(inc, e *incident.Incident, byText func(services []string) (float64, bool)) (Match, bool) {
	if !startedBefore(e, inc) {
		return Match{}, false
	}
	m := Match{IncidentID: inc.ID, EarlierID: e.ID, Earlier: e.Ref(), Title: e.Title, StartedAt: e.StartedAt}
	services, causes := common(inc.Services, e.Services), common(inc.CauseTags, e.CauseTags)
	if len(services) > 0 && len(causes) > 0 {
		m.Reason, m.Score, m.Shared = MatchServiceCause, 1, append(services, causes...)
		return m, true
	}
	sc, ok := byText(services)
	m.Reason, m.Score, m.Shared = MatchText, sc, services
	return m, ok
}

// startedBefore reports whether e comes before inc in time.
func startedBefore(e, inc *incident.Incident) bool {
	if e.ID == inc.ID {
		return false
	}
	if !e.StartedAt.Equal(inc.StartedAt) {
		return e.StartedAt.Before(inc.StartedAt)
	}
	return e.ID < inc.ID
}

// RecurrenceDoc is an incident as recurrence reads it: with its report's
// text, where the failure is told in full.
type RecurrenceDoc struct {
	Incident *incident.Incident
	Report   string
}

// text is what is compared: as the search index's document, the title, the
// cause tags, the summary and the report. The services are left out: a
// common service already lowers the threshold, and counted twice, two
// short texts on the same services would look alike for that alone.
func (d RecurrenceDoc) text() string {
	i := d.Incident
	return strings.Join([]string{i.Title, strings.Join(i.CauseTags, " "), i.Summary, d.Report}, "\n")
}

// Thresholds say how alike two reports must be to count as the same
// failure: SameService for incidents on a common service, Any otherwise.
type Thresholds struct {
	SameService float64
	Any         float64
}

// DefaultThresholds were measured on a labelled set of incident pairs
// (testdata/recurrence_pairs.yaml, docs/benchmarks.md).
var DefaultThresholds = Thresholds{SameService: 0.16, Any: 0.45}

// RankRecurrences compares cur with earlier incidents by their whole
// reports: one that shares a service and a cause tag matches outright;
// otherwise the ranking of the search index (tf-idf over the index's
// tokens, the rarer a word among the candidates the more it counts, cosine
// of the two documents) must reach the threshold, which is lower for an
// incident on a common service. So a report that tells the same failure in
// other words, without the shared tag, is found.
func RankRecurrences(cur RecurrenceDoc, earlier []RecurrenceDoc, th Thresholds) []Match {
	// Each pair is ranked as written and in English words only (Korean
	// terms through the glossary), and the better of the two counts, so a
	// Korean report meets an English one of the same failure.
	texts := make([]string, 0, len(earlier)+1)
	english := make([]string, 0, len(earlier)+1)
	texts = append(texts, cur.text())
	english = append(english, englishView(cur.text()))
	for _, e := range earlier {
		texts = append(texts, e.text())
		english = append(english, englishView(e.text()))
	}
	scores := RankSimilarity(texts)
	for i, sc := range RankSimilarity(english) {
		scores[i] = max(scores[i], sc)
	}
	inc := cur.Incident
	var out []Match
	for k, d := range earlier {
		m, ok := matchEarlier(inc, d.Incident, func(services []string) (float64, bool) {
			min := th.Any
			if len(services) > 0 {
				min = th.SameService
			}
			sc := scores[k+1]
			return math.Round(sc*1000) / 1000, sc >= min
		})
		if ok {
			out = append(out, m)
		}
	}
	return out
}

// RankSimilarity scores texts[0] against each text (texts[0] itself
// included, at 1): the cosine of their tf-idf vectors over the search
// index's tokens, with each token's idf taken over the texts given.
func RankSimilarity(texts []string) []float64 {
	tfs := make([]map[string]float64, len(texts))
	df := map[string]int{}
	for i, t := range texts {
		tf := map[string]float64{}
		for _, tok := range search.Tokens(t) {
			tf[tok]++
		}
		for tok := range tf {
			df[tok]++
		}
		tfs[i] = tf
	}
	n := float64(len(texts))
	vec := func(tf map[string]float64) (map[string]float64, float64) {
		v, norm := map[string]float64{}, 0.0
		for tok, c := range tf {
			w := (1 + math.Log(c)) * math.Log(1+n/float64(df[tok]))
			v[tok] = w
			norm += w * w
		}
		return v, math.Sqrt(norm)
	}
	q, qn := vec(tfs[0])
	out := make([]float64, len(texts))
	for i, tf := range tfs {
		d, dn := vec(tf)
		if qn == 0 || dn == 0 {
			continue
		}
		dot := 0.0
		for tok, w := range q {
			dot += w * d[tok]
		}
		out[i] = dot / (qn * dn)
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
