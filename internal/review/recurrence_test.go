package review_test

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestRecurrenceByReport: an earlier incident on the same service whose
// report tells the same failure in other words, with no shared cause tag,
// is linked and its open items shown; earlier means an earlier start, so
// an imported past incident (a higher number) is the earlier one; and the
// check is queued in the transaction that declares an incident or saves
// its report, not left to the sweep.
func TestRecurrenceByReport(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := openEnv(t, url, nil)
		ctx := context.Background()
		alice := e.users["alice"]
		queued := func() int {
			var n int
			if err := e.srv.DB.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM river_job WHERE kind = 'review.recurrence'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		writeReport := func(inc *incident.Incident, cause string) {
			t.Helper()
			r, err := e.srv.Reports.Start(ctx, alice, inc.ID, report.StartOptions{Lang: "ko"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.srv.Reports.Save(ctx, alice, inc.ID, r.Revision, map[string]string{report.KeyCause: cause}); err != nil {
				t.Fatal(err)
			}
		}

		// Declared now, about today's failure.
		now := e.declare(t, "주문 결제 실패 급증", incident.SEV2, []string{"checkout-api"}, []string{"capacity"})
		if queued() == 0 {
			t.Fatal("declaring queued no recurrence check")
		}
		// Imported afterwards, so a higher number, but it started a month
		// earlier: the same failure, told in other words, another tag.
		started := e.clock.Now().AddDate(0, -1, 0)
		old, err := e.srv.Incidents.Declare(ctx, alice, incident.Declaration{Title: "결제 승인 지연", Grade: incident.SEV2,
			Services: []string{"checkout-api"}, CauseTags: []string{"timeout"}, StartedAt: &started})
		if err != nil {
			t.Fatal(err)
		}
		other := e.declare(t, "쿠폰 적용 시 결제 오류", incident.SEV3, []string{"checkout-api"}, []string{"config"})
		writeReport(old, "PG사 승인 API 응답이 30초 이상 걸리면서 결제 요청이 타임아웃으로 실패했다. 커넥션 풀이 고갈되어 주문 완료율이 40% 떨어졌다.")
		writeReport(other, "쿠폰 검증 로직 배포 후 쿠폰이 없는 장바구니에서 null 참조 예외가 발생해 결제 요청 일부가 500 에러로 실패했다.")
		if _, err := e.srv.Review.AddItem(ctx, alice, old.ID, review.ItemInput{Title: "Set the PG client timeout to 3 s", Category: review.Prevent,
			Term: review.Short, Owner: "alice", DueAt: due(e, 24*time.Hour)}, "en"); err != nil {
			t.Fatal(err)
		}
		// The checks queued so far have run (one waits per incident at a
		// time); the report's change queues the next.
		if _, err := e.srv.DB.SQL.ExecContext(ctx, "DELETE FROM river_job WHERE kind = 'review.recurrence'"); err != nil {
			t.Fatal(err)
		}
		writeReport(now, "외부 결제 게이트웨이가 느려지자 결제 API의 커넥션 풀이 모두 점유되어 신규 결제 요청이 대기 후 타임아웃 처리됨. 주문 완료율 급감.")
		if queued() != 1 {
			t.Fatal("saving the report queued no recurrence check")
		}

		if err := e.srv.Review.CheckRecurrence(ctx, now.ID, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		st, err := e.srv.Review.Get(ctx, alice, now.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Recurrences) != 1 || st.Recurrences[0].EarlierID != old.ID || st.Recurrences[0].Reason != review.MatchText ||
			len(st.Recurrences[0].OpenItems) != 1 {
			t.Fatalf("recurrences of %s: %+v, want only %s by text with its open item", now.Ref(), st.Recurrences, old.Ref())
		}
		// The past incident, though numbered later, does not repeat today's.
		if err := e.srv.Review.CheckRecurrence(ctx, old.ID, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if st, err := e.srv.Review.Get(ctx, alice, old.ID); err != nil || len(st.Recurrences) != 0 {
			t.Fatalf("the earlier incident links to a later one: %+v %v", st, err)
		}
	})
}
