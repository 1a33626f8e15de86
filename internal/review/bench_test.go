package review_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

var benchTitles = []string{
	"Review code more carefully", "배포할 때 더 주의하자", "Add a checklist item for new test cases to the PR template",
	"결제 API 타임아웃을 3초로 줄이고 재시도 2회로 제한", "Improve monitoring", "Alert when checkout-api p99 stays above 2 s for 5 minutes",
}

// BenchmarkVagueCheck is one item checked against the built-in rules, as
// when an item is added or shown.
func BenchmarkVagueCheck(b *testing.B) {
	vc, err := review.NewVagueChecker(nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		vc.Check(benchTitles[i%len(benchTitles)], "", "ko")
	}
}

func earlierIncidents(n int) []*incident.Incident {
	out := make([]*incident.Incident, n)
	for i := range out {
		out[i] = &incident.Incident{ID: int64(i + 1), Title: fmt.Sprintf("결제 승인 지연 %d — checkout timeouts on ledger pool", i),
			Summary: "Evening peak; the ledger pool ran dry and checkout retried.", Services: []string{"checkout-api", fmt.Sprintf("svc-%d", i%7)},
			CauseTags: []string{fmt.Sprintf("cause-%d", i%11)}}
	}
	return out
}

// BenchmarkFindRecurrences500 compares one incident with 500 earlier ones,
// the bound of one detection.
func BenchmarkFindRecurrences500(b *testing.B) {
	earlier := earlierIncidents(500)
	inc := &incident.Incident{ID: 1000, Title: "Checkout 502s during evening peak", Summary: "ledger pool exhausted",
		Services: []string{"checkout-api"}, CauseTags: []string{"cause-3"}}
	for b.Loop() {
		review.FindRecurrences(inc, earlier, review.BigramDice{}, review.DefaultMinSimilarity)
	}
}

// BenchmarkDetectRecurrence is one detection against a database holding
// 500 earlier incidents: the candidate query, the comparison and the
// (idempotent) write of matches.
func BenchmarkDetectRecurrence(b *testing.B) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": testutil.SQLiteURL, "postgres": testutil.PostgresURL} {
		b.Run(name, func(b *testing.B) {
			e := openEnvB(b, url(b))
			ctx := context.Background()
			var last *incident.Incident
			for i, inc := range earlierIncidents(501) {
				d, err := e.srv.Incidents.Declare(ctx, e.users["alice"], incident.Declaration{Title: inc.Title, Summary: inc.Summary,
					Grade: incident.SEV3, Services: []string{"checkout-api"}, CauseTags: inc.CauseTags})
				if err != nil {
					b.Fatal(i, err)
				}
				last = d
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := e.srv.Review.DetectRecurrence(ctx, last, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
