package insight_test

import (
	"context"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/insight"
)

// TestDayRange: any run of whole days is a period, both ends included and
// placed in the organisation's zone (Seoul): A starts on July 1st there
// (still June 30th in UTC) and B on July 15th; C (August 10th) is outside.
func TestDayRange(t *testing.T) {
	eachDB(t, func(t *testing.T, f fixture) {
		rep := report(t, f, admin, insight.Query{Period: "2026-07-01..2026-07-15"})
		if rep.Incidents != 2 || rep.Period.From != at("2026-06-30T15:00:00Z") || rep.Period.To != at("2026-07-15T15:00:00Z") {
			t.Errorf("2026-07-01..2026-07-15 in Seoul: %d incidents in %v–%v, want 2 (A, B)", rep.Incidents, rep.Period.From, rep.Period.To)
		}
		for _, bad := range []string{"2026-09-01..2026-08-01", "2026-02-30..2026-03-01", "2020-01-01..2026-01-01"} {
			_, err := f.svc.Report(context.Background(), bob, insight.Query{Period: bad})
			if fe, ok := fail.As(err); !ok || fe.Field != "period" {
				t.Errorf("%s: error %v, want one naming field period", bad, err)
			}
		}
	})
}
