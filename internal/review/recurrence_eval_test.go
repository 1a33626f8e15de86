package review_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/review"
)

// TestRecurrenceLabelledPairs measures recurrence on labelled incident
// pairs (testdata/recurrence_pairs.yaml): each pair's later incident is
// ranked against every other incident of the set, as recurrence ranks an
// incident against its candidates, and a pair counts as found when the
// earlier one matches. No pair shares a service and a cause tag, so every
// match is one of text. Related is the positive class.
func TestRecurrenceLabelledPairs(t *testing.T) {
	data, err := os.ReadFile("testdata/recurrence_pairs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Incidents []struct {
			ID       string   `yaml:"id"`
			Services []string `yaml:"services"`
			Tags     []string `yaml:"tags"`
			Title    string   `yaml:"title"`
			Report   string   `yaml:"report"`
		} `yaml:"incidents"`
		Pairs [][]any `yaml:"pairs"`
	}
	if err := yaml.Unmarshal(data, &set); err != nil {
		t.Fatal(err)
	}
	docs := map[string]review.RecurrenceDoc{}
	var all []review.RecurrenceDoc
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, x := range set.Incidents {
		d := review.RecurrenceDoc{Incident: &incident.Incident{ID: int64(i + 1), Title: x.Title, Services: x.Services,
			CauseTags: x.Tags, StartedAt: start.AddDate(0, 0, i)}, Report: x.Report}
		docs[x.ID], all = d, append(all, d)
	}
	var tp, fp, fn int
	for _, p := range set.Pairs {
		later, earlier, related := docs[p[0].(string)], docs[p[1].(string)], p[2].(bool)
		// The later one starts after the earlier one, whatever their order
		// in the file.
		cur := *later.Incident
		cur.StartedAt = earlier.Incident.StartedAt.Add(time.Hour)
		var others []review.RecurrenceDoc
		for _, d := range all {
			if d.Incident.ID != cur.ID {
				others = append(others, d)
			}
		}
		found, score := false, 0.0
		for _, m := range review.RankRecurrences(review.RecurrenceDoc{Incident: &cur, Report: later.Report}, others, review.Thresholds{}) {
			if m.EarlierID == earlier.Incident.ID {
				score = m.Score
			}
		}
		for _, m := range review.RankRecurrences(review.RecurrenceDoc{Incident: &cur, Report: later.Report}, others, review.DefaultThresholds) {
			found = found || m.EarlierID == earlier.Incident.ID
		}
		switch {
		case related && found:
			tp++
		case related:
			fn++
		case found:
			fp++
		}
		if testing.Verbose() {
			fmt.Printf("%-5v %-5v %.3f %v %v\n", related, found, score, p[0], p[1])
		}
	}
	precision := float64(tp) / float64(max(tp+fp, 1))
	recall := float64(tp) / float64(tp+fn)
	t.Logf("recurrence on %d pairs: precision %.3f (%d/%d), recall %.3f (%d/%d)", len(set.Pairs), precision, tp, tp+fp, recall, tp, tp+fn)
	if len(set.Pairs) < 60 {
		t.Fatalf("the set needs 60 pairs, has %d", len(set.Pairs))
	}
	if precision < 0.9 || recall < 0.8 {
		t.Errorf("precision %.3f (want ≥ 0.9), recall %.3f (want ≥ 0.8)", precision, recall)
	}
}
