package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/search"
	"github.com/firebreak-oss/firebreak/internal/store"
)

// searchCorpus is a small library in Korean and English. Each search case
// below names the titles it must find, best first where order matters.
var searchCorpus = []struct {
	title, summary string
	grade          incident.Grade
	services       []string
	cause          []string
	vis            incident.Visibility
}{
	{"결제가 실패하는 장애", "결제 서비스에서 카드 승인 요청이 타임아웃으로 실패했습니다.", incident.SEV1, []string{"checkout-api"}, []string{"timeout"}, incident.Internal},
	{"회원가입 지연", "데이터베이스를 교체한 뒤 회원가입 요청이 느려졌습니다. 결제와는 무관합니다.", incident.SEV3, []string{"member-api"}, []string{"database"}, incident.Internal},
	{"Kafka consumers timed out", "Payment events piled up because the consumers timed out while the broker was failing over.", incident.SEV2, []string{"checkout-api", "ledger"}, []string{"timeout"}, incident.Internal},
	{"Login failures after deploy", "Users failed to log in: the session service was failing after a bad deploy. 로그인 장애.", incident.SEV2, []string{"auth"}, []string{"deploy"}, incident.Public},
	{"Ledger batch stopped", "The nightly ledger batch stopped; 정산 배치가 중단되었습니다.", incident.SEV4, []string{"ledger"}, []string{"batch"}, incident.Internal},
	{"보안 점검 중 비밀 장애", "결제 키 유출 의심으로 조사 중.", incident.SEV1, []string{"checkout-api"}, []string{"security"}, incident.Restricted},
	{"결과 보고 누락", "요청 한도 초과로 속도가 제한되었고, 권한 추가 문의와 피해 보상 요청이 들어왔습니다.", incident.SEV5, []string{"member-api"}, []string{"rate-limit"}, incident.Internal},
	{"Catalog degradation", "Product pages were degraded for an hour while the cache rebuilt.", incident.SEV4, []string{"catalog-api"}, []string{"capacity"}, incident.Internal},
}

func TestSearchKoreanAndEnglish(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := map[string]int64{}
		for i, c := range searchCorpus {
			inc := newIncident(c.title, c.grade, c.vis, c.services...)
			inc.Summary, inc.CauseTags = c.summary, c.cause
			inc.StartedAt = t0.Add(time.Duration(i) * 24 * time.Hour)
			inc.DetectedAt, inc.CreatedAt, inc.UpdatedAt = inc.StartedAt, inc.StartedAt, inc.StartedAt
			inc.Members = []string{"alice"}
			if err := db.Incidents().CreateIncident(ctx, inc, nil); err != nil {
				t.Fatal(err)
			}
			ids[c.title] = inc.ID
		}
		find := func(f report.SearchFilter) []string {
			t.Helper()
			if f.VisibleTo == "" {
				f.VisibleTo = "bob"
			}
			hits, err := db.Search().Find(ctx, f)
			if err != nil {
				t.Fatalf("%q: %v", f.Query.FTS5(), err)
			}
			var titles []string
			for _, h := range hits {
				titles = append(titles, h.Title)
			}
			return titles
		}
		cases := []struct {
			query string
			want  []string // all of these, in this order, and nothing else
			any   bool     // want only says what must be among the hits
		}{
			// Korean with particles and endings, as people type it.
			{query: "결제가", want: []string{"결제가 실패하는 장애", "회원가입 지연"}},
			{query: "결제를", want: []string{"결제가 실패하는 장애", "회원가입 지연"}},
			{query: "결제에서 실패", want: []string{"결제가 실패하는 장애"}},
			{query: "실패했다", want: []string{"결제가 실패하는 장애"}},
			{query: "데이터베이스가", want: []string{"회원가입 지연"}},
			{query: "데이터베", want: []string{"회원가입 지연"}}, // a word half typed
			{query: "정산 배치", want: []string{"Ledger batch stopped"}},
			{query: "회", want: []string{"회원가입 지연"}}, // one syllable: a prefix
			// Two-syllable nouns that end like a particle are not cut to a
			// one-syllable prefix: 결과 must not find the 결제 documents.
			{query: "결과", want: []string{"결과 보고 누락"}},
			{query: "결과가", want: []string{"결과 보고 누락"}},
			{query: "제한", want: []string{"결과 보고 누락"}},
			{query: "초과", want: []string{"결과 보고 누락"}},
			{query: "한도", want: []string{"결과 보고 누락"}},
			{query: "권한을", want: []string{"결과 보고 누락"}},
			{query: "속도", want: []string{"결과 보고 누락"}},
			{query: "결제에서", want: []string{"결제가 실패하는 장애", "회원가입 지연"}},
			// English word forms.
			{query: "timeout", want: []string{"Kafka consumers timed out", "결제가 실패하는 장애"}},
			{query: "timed out", want: []string{"Kafka consumers timed out", "결제가 실패하는 장애"}, any: true},
			{query: "fail", want: []string{"Login failures after deploy", "Kafka consumers timed out"}, any: true},
			{query: "failing deploys", want: []string{"Login failures after deploy"}},
			{query: "consumer", want: []string{"Kafka consumers timed out"}},
			{query: "stopping", want: []string{"Ledger batch stopped"}},
			// Derived forms: a failure is found by "failed", a degradation by "degraded".
			{query: "failed", want: []string{"Login failures after deploy", "Kafka consumers timed out"}, any: true},
			{query: "failure", want: []string{"Login failures after deploy"}, any: true},
			{query: "degraded", want: []string{"Catalog degradation"}},
			{query: "degradation", want: []string{"Catalog degradation"}},
			{query: "kaf", want: []string{"Kafka consumers timed out"}}, // still typing
			// Mixed Korean and English.
			{query: "로그인 deploy", want: []string{"Login failures after deploy"}},
			{query: "ledger 배치가", want: []string{"Ledger batch stopped"}},
			// Nothing.
			{query: "결제 kubernetes", want: nil},
			{query: "없는단어", want: nil},
			// The filter and bucket tokens the store adds are no words.
			{query: "b0", want: nil},
			{query: "f7365", want: nil}, // "se" of "service:" in hex
		}
		for _, c := range cases {
			got := find(report.SearchFilter{Query: search.Parse(c.query)})
			if c.any {
				for _, w := range c.want {
					if !contains(got, w) {
						t.Errorf("search %q: got %q, want it to include %q", c.query, got, w)
					}
				}
				continue
			}
			if !equal(got, c.want) {
				t.Errorf("search %q: got %q, want %q", c.query, got, c.want)
			}
		}
		// The restricted incident is found only by its members.
		if got := find(report.SearchFilter{Query: search.Parse("유출")}); len(got) != 0 {
			t.Errorf("a non-member found a restricted incident: %q", got)
		}
		if got := find(report.SearchFilter{Query: search.Parse("유출"), VisibleTo: "alice"}); !equal(got, []string{"보안 점검 중 비밀 장애"}) {
			t.Errorf("a member searching 유출 got %q", got)
		}
		// Filters: service, cause tag, grade, date.
		q := search.Parse("timeout")
		if got := find(report.SearchFilter{Query: q, Service: "ledger"}); !equal(got, []string{"Kafka consumers timed out"}) {
			t.Errorf("service filter: %q", got)
		}
		if got := find(report.SearchFilter{Query: search.Parse("결제"), Cause: "database"}); !equal(got, []string{"회원가입 지연"}) {
			t.Errorf("cause filter: %q", got)
		}
		if got := find(report.SearchFilter{Query: q, Grades: []incident.Grade{incident.SEV1}}); !equal(got, []string{"결제가 실패하는 장애"}) {
			t.Errorf("grade filter: %q", got)
		}
		if got := find(report.SearchFilter{Query: q, Since: t0.Add(36 * time.Hour)}); !equal(got, []string{"Kafka consumers timed out"}) {
			t.Errorf("since filter: %q", got)
		}
		if got := find(report.SearchFilter{Query: q, Until: t0.Add(12 * time.Hour)}); !equal(got, []string{"결제가 실패하는 장애"}) {
			t.Errorf("until filter: %q", got)
		}
		// Filters without words browse, newest first.
		for _, c := range []struct {
			name string
			f    report.SearchFilter
			want []string
		}{
			{"service", report.SearchFilter{Service: "ledger"}, []string{"Ledger batch stopped", "Kafka consumers timed out"}},
			{"grade", report.SearchFilter{Grades: []incident.Grade{incident.SEV2}}, []string{"Login failures after deploy", "Kafka consumers timed out"}},
			{"cause", report.SearchFilter{Cause: "database"}, []string{"회원가입 지연"}},
			{"service and cause", report.SearchFilter{Service: "checkout-api", Cause: "timeout"}, []string{"Kafka consumers timed out", "결제가 실패하는 장애"}},
			{"since", report.SearchFilter{Since: t0.Add(4 * 24 * time.Hour)}, []string{"Catalog degradation", "결과 보고 누락", "Ledger batch stopped"}},
			{"until", report.SearchFilter{Until: t0.Add(36 * time.Hour)}, []string{"회원가입 지연", "결제가 실패하는 장애"}},
			{"nothing asked", report.SearchFilter{}, nil},
		} {
			if got := find(c.f); !equal(got, c.want) {
				t.Errorf("browse by %s: got %q, want %q", c.name, got, c.want)
			}
		}
		if got := find(report.SearchFilter{Service: "checkout-api", VisibleTo: "alice"}); !equal(got, []string{"보안 점검 중 비밀 장애", "Kafka consumers timed out", "결제가 실패하는 장애"}) {
			t.Errorf("a member browsing checkout-api got %q", got)
		}
		// An update reaches the index in the same transaction.
		_, err := db.Incidents().UpdateIncident(ctx, ids["Ledger batch stopped"], func(inc *incident.Incident) ([]incident.Event, error) {
			inc.Title = "Ledger batch stopped by a disk quota"
			return nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := find(report.SearchFilter{Query: search.Parse("quota")}); !equal(got, []string{"Ledger batch stopped by a disk quota"}) {
			t.Errorf("after update: %q", got)
		}
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestSearchBackfill: incidents from before the index get their documents
// from the backfill, and are then found.
func TestSearchBackfill(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inc := newIncident("정산 배치 중단 settlement stopped", incident.SEV3, incident.Internal, "ledger")
		if err := db.Incidents().CreateIncident(ctx, inc, nil); err != nil {
			t.Fatal(err)
		}
		// As an incident stored before the index existed.
		if _, err := db.SQL.ExecContext(ctx, "DELETE FROM search_docs"); err != nil {
			t.Fatal(err)
		}
		if db.Dialect == store.SQLite {
			if _, err := db.SQL.ExecContext(ctx, "DELETE FROM search_fts"); err != nil {
				t.Fatal(err)
			}
		}
		q := report.SearchFilter{Query: search.Parse("정산"), SeeAll: true}
		if hits, _ := db.Search().Find(ctx, q); len(hits) != 0 {
			t.Fatalf("found before the backfill: %v", hits)
		}
		ids, err := db.Search().Unindexed(ctx, 10)
		if err != nil || len(ids) != 1 || ids[0] != inc.ID {
			t.Fatalf("unindexed = %v, %v", ids, err)
		}
		if err := db.Search().Reindex(ctx, ids); err != nil {
			t.Fatal(err)
		}
		if hits, err := db.Search().Find(ctx, q); err != nil || len(hits) != 1 {
			t.Errorf("after the backfill: %v, %v", hits, err)
		}
		if ids, _ := db.Search().Unindexed(ctx, 10); len(ids) != 0 {
			t.Errorf("still unindexed: %v", ids)
		}

		// A document written with older tokens (as before a stemmer change)
		// stays searchable and is rewritten by the backfill.
		if _, err := db.SQL.ExecContext(ctx, "UPDATE search_docs SET tokens = $1 WHERE incident_id = $2", search.TokenVersion-1, inc.ID); err != nil {
			t.Fatal(err)
		}
		if ids, err := db.Search().Unindexed(ctx, 10); err != nil || len(ids) != 1 || ids[0] != inc.ID {
			t.Fatalf("documents with old tokens = %v, %v", ids, err)
		}
		if err := db.Search().Reindex(ctx, []int64{inc.ID}); err != nil {
			t.Fatal(err)
		}
		var tokens int
		if err := db.SQL.QueryRowContext(ctx, "SELECT tokens FROM search_docs WHERE incident_id = $1", inc.ID).Scan(&tokens); err != nil || tokens != search.TokenVersion {
			t.Errorf("rewritten with tokens %d (%v), want %d", tokens, err, search.TokenVersion)
		}
		if ids, _ := db.Search().Unindexed(ctx, 10); len(ids) != 0 {
			t.Errorf("still stale: %v", ids)
		}
	})
}

// TestSearchRanksTheNewestMatches: a query matching more than a thousand
// reports ranks the newest thousand (on PostgreSQL found through the window
// of newest ids); one matching fewer in that window reaches back to all.
func TestSearchRanksTheNewestMatches(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		doc := func(id int64, title, body, service string) store.IndexDoc {
			return store.IndexDoc{IncidentID: id, Title: title, Snippet: title, Grade: incident.SEV3,
				Status: incident.Closed, Visibility: incident.Internal, HasReport: true,
				StartedAt: t0.Add(time.Duration(id) * time.Minute), Facets: []string{"service:" + service},
				Text: search.Doc{Title: title, Meta: service, Body: body}}
		}
		// The oldest report would rank first, were it among the newest.
		docs := []store.IndexDoc{doc(1, "장애 장애 outage", "zebra 장애가 났습니다", "ledger")}
		for id := int64(30001); id <= 31100; id++ {
			docs = append(docs, doc(id, "routine", "장애 대응 기록", "chat"))
		}
		docs = append(docs, doc(31101, "장애 outage", "zebra", "chat"))
		insertIndexed(t, db, docs)
		ctx := context.Background()
		find := func(q, service string) []int64 {
			t.Helper()
			hits, err := db.Search().Find(ctx, report.SearchFilter{Query: search.Parse(q), Service: service, VisibleTo: "bob", Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, h := range hits {
				ids = append(ids, h.IncidentID)
			}
			return ids
		}
		// 1,102 matches: the newest thousand are ranked, the old one is not.
		if got := find("장애", ""); len(got) != 5 || got[0] != 31101 || slices.Contains(got, 1) {
			t.Errorf("broad search: %v, want 31101 first and no 1", got)
		}
		// Two matches, far apart: both, best first.
		if got := find("zebra", ""); !slices.Equal(got, []int64{1, 31101}) && !slices.Equal(got, []int64{31101, 1}) {
			t.Errorf("narrow search: %v", got)
		}
		// Broad words, but the filter leaves only the old report.
		if got := find("장애", "ledger"); !slices.Equal(got, []int64{1}) {
			t.Errorf("filtered search: %v", got)
		}
	})
}
