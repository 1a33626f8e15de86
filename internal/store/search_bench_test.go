package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/search"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// Words the generated reports are written from: Korean nouns that take
// particles and endings, English words in their several forms.
var (
	koNouns = strings.Fields(`결제 실패 장애 서버 데이터베이스 배포 롤백 타임아웃 지연 응답 요청 사용자 회원가입 로그인 인증 토큰 캐시
		메모리 디스크 네트워크 트래픽 알림 모니터링 설정 변경 버전 코드 리뷰 테스트 검증 원인 영향 복구 대응 조치 재발 방지
		게이트웨이 연결 풀 큐 메시지 이벤트 배치 정산 주문 쿠폰 포인트 송금 계좌 카드 승인 이미지 업로드 검색 색인 추천 광고
		채팅 스티커 통화 영상 푸시 앱 클라이언트 안드로이드 아이폰 웹 관리자 파트너 고객 문의 지원 보안 권한 키 인증서 만료
		부하 과부하 스케일 용량 한도 제한 재시도 중복 누락 손실 동기화 복제 지연시간 오류율 로그 지표 대시보드 장비 점검`)
	koEndings = []string{"", "", "가", "이", "를", "을", "에서", "으로", "의", "는", "은", "도", "이다", "했습니다", "되었다", "하는", "에"}
	enWords   = strings.Fields(`payment failed failing fails failure timeout timeouts timed out deploy deployed deploying rollback
		rolled back database connection connections pool exhausted latency spike spikes slow slowed request requests error errors
		retry retried retries queue queued consumer consumers kafka broker lag cache cached evicted memory leak disk full network
		partition dns resolve resolving certificate expired expiring login logins session sessions token tokens auth gateway
		upstream downstream region replica replication primary failover config configuration change changed changes alert alerts
		alerting page paged oncall users customers orders order coupon points transfer account card approval upload image search
		index indexing push notification android ios client release released hotfix patch schema migration lock locks deadlock
		throttle throttled limit limits quota capacity scale scaled autoscaling batch job jobs cron stuck crash crashed restart
		restarted health check checks monitor dashboard metric metrics log logs`)
	benchServices = []string{"checkout-api", "ledger", "member-api", "auth", "search", "push", "chat", "media", "coupon", "points"}
	benchCauses   = []string{"deploy", "config", "capacity", "dependency", "database", "network", "timeout", "bug", "certificate", "human"}
)

func sentence(r *rand.Rand, words int) string {
	var b strings.Builder
	for i := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		if r.IntN(2) == 0 {
			b.WriteString(koNouns[r.IntN(len(koNouns))] + koEndings[r.IntN(len(koEndings))])
		} else {
			b.WriteString(enWords[r.IntN(len(enWords))])
		}
	}
	return b.String()
}

// seedLibrary loads n incidents with reports into the index, in
// multi-row statements, a few thousand rows per transaction.
func seedLibrary(b *testing.B, db *store.DB, n int) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	const chunk = 2000
	start := time.Now()
	for done := 0; done < n; done += chunk {
		m := min(chunk, n-done)
		docs := make([]store.IndexDoc, m)
		var rows []string
		var vals []any
		for i := range m {
			id := int64(done + i + 1)
			started := t0.Add(time.Duration(id) * 25 * time.Minute) // five years of incidents
			vis := incident.Internal
			if r.IntN(50) == 0 {
				vis = incident.Restricted
			}
			title := sentence(r, 4+r.IntN(4))
			svc, cause := benchServices[r.IntN(len(benchServices))], benchCauses[r.IntN(len(benchCauses))]
			var body strings.Builder
			for range 6 { // six report sections of a dozen words
				body.WriteString(sentence(r, 8+r.IntN(8)) + "\n")
			}
			docs[i] = store.IndexDoc{IncidentID: id, Title: title, Snippet: title, Grade: incident.Grade(1 + r.IntN(5)),
				Status: incident.Closed, Visibility: vis, HasReport: true, StartedAt: started,
				Facets: []string{"service:" + svc, "cause:" + cause},
				Text:   search.Doc{Title: title, Meta: svc + " " + cause, Body: body.String()}}
			ph := make([]string, 8)
			for j := range ph {
				ph[j] = "$" + strconv.Itoa(len(vals)+j+1)
			}
			rows = append(rows, "("+strings.Join(ph, ", ")+", 'closed', 'manual', '{}', '[]', 'bench')")
			at := any(started)
			if db.Dialect == store.SQLite {
				at = started.Format("2006-01-02T15:04:05.000000Z")
			}
			vals = append(vals, id, title, int(docs[i].Grade), string(vis), at, at, at, at)
		}
		q := "INSERT INTO incidents (id, title, grade, visibility, started_at, detected_at, created_at, updated_at, status, source, labels, cause_tags, created_by) VALUES " +
			strings.Join(rows, ", ")
		if _, err := db.SQL.ExecContext(ctx, q, vals...); err != nil {
			b.Fatal(err)
		}
		if err := db.Search().Write(ctx, docs); err != nil {
			b.Fatal(err)
		}
	}
	if db.Dialect == store.Postgres {
		if _, err := db.SQL.ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: seeded %d reports in %s", db.Dialect, n, time.Since(start).Round(time.Second))
}

// BenchmarkSearch runs searches people type against a library of
// FIREBREAK_BENCH_REPORTS (default 100,000) reports and reports the p50
// and p95 latency of each. Every query runs as a user who is not an admin,
// so the restricted-incident check is part of the cost.
func BenchmarkSearch(b *testing.B) {
	n := 100_000
	if v := os.Getenv("FIREBREAK_BENCH_REPORTS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	queries := []struct {
		name string
		q    string
		f    report.SearchFilter
		any  bool
	}{
		{name: "ko-particles", q: "결제가 실패했습니다"},
		{name: "ko-one-word", q: "타임아웃이"},
		{name: "ko-partial", q: "데이터베"},
		{name: "en-forms", q: "timed out"},
		{name: "en-forms-done", q: "timed out "},
		{name: "en-three-words", q: "kafka consumers lagging"},
		{name: "mixed", q: "배포 rollback"},
		{name: "rare", q: "인증서 expired dashboard"},
		{name: "filtered", q: "결제 timeout", f: report.SearchFilter{Service: "checkout-api", Since: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{name: "similar-any", q: "결제 승인 지연 checkout-api timeout", any: true},
	}
	for _, dbName := range []string{"sqlite", "postgres"} {
		b.Run(dbName, func(b *testing.B) {
			url := testutil.SQLiteURL(b)
			if dbName == "postgres" {
				url = testutil.PostgresURL(b)
			}
			db := testutil.OpenStore(b, url)
			seedLibrary(b, db, n)
			ctx := context.Background()
			if os.Getenv("FIREBREAK_BENCH_EXPLAIN") != "" {
				explain(b, db)
			}
			for _, c := range queries {
				b.Run(c.name, func(b *testing.B) {
					f := c.f
					f.Query, f.VisibleTo, f.Limit = search.Parse(c.q), "bob", 20
					f.Query.Any = c.any
					var took []time.Duration
					hits := 0
					for b.Loop() {
						t := time.Now()
						h, err := db.Search().Find(ctx, f)
						took = append(took, time.Since(t))
						if err != nil {
							b.Fatal(err)
						}
						hits = len(h)
					}
					slices.Sort(took)
					b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
					b.ReportMetric(ms(took[len(took)*95/100]), "p95-ms")
					b.ReportMetric(float64(hits), "hits")
				})
			}
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// explain logs how the database runs a broad search, for tuning.
func explain(b *testing.B, db *store.DB) {
	q := search.Parse("배포 rollback")
	var sqlText string
	var arg string
	if db.Dialect == store.SQLite {
		sqlText = "EXPLAIN QUERY PLAN SELECT * FROM (SELECT d.incident_id, -bm25(search_fts) AS score FROM search_fts JOIN search_docs d ON d.incident_id = search_fts.rowid WHERE search_fts MATCH $1 ORDER BY search_fts.rowid DESC LIMIT 1000) c ORDER BY score DESC LIMIT 20"
		arg = q.FTS5()
	} else {
		sqlText = "EXPLAIN (ANALYZE, BUFFERS) SELECT incident_id, ts_rank(c.tsv, $1::tsquery, 1) AS r FROM (SELECT d.incident_id, d.tsv FROM search_docs d WHERE d.tsv @@ $1::tsquery ORDER BY d.incident_id + 0 DESC LIMIT 1000) c ORDER BY r DESC LIMIT 20"
		arg = q.TSQuery()
	}
	tx, err := db.SQL.Begin()
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	if db.Dialect == store.Postgres {
		if _, err := tx.Exec("SET LOCAL enable_seqscan = off"); err != nil {
			b.Fatal(err)
		}
	}
	rows, err := tx.Query(sqlText, arg)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		_ = rows.Scan(ptrs...)
		b.Log(fmt.Sprint(vals...))
	}
}
