package search

import (
	"reflect"
	"testing"
)

func TestStem(t *testing.T) {
	groups := [][]string{
		{"timeout", "timeouts"},
		{"time", "timed", "timing", "times"},
		{"fail", "failed", "failing", "fails"},
		{"connect", "connected", "connecting", "connects"},
		{"stop", "stopped", "stopping", "stops"},
		{"retry", "retries", "retried"},
		{"deploy", "deployed", "deploying", "deploys"},
		{"break", "broke", "broken"},
		{"status"}, {"redis"}, {"dns"},
		// Derivational suffixes and -ure nouns meet their verbs.
		{"fail", "failed", "failure", "failures", "failing"},
		{"degrade", "degraded", "degradation", "degrading", "degrades"},
		{"deploy", "deployment", "deployments"},
		{"connect", "connection", "connections"},
		{"configure", "configured", "configuration", "configurations"},
		{"secure", "security", "securing"},
		{"control", "controlled", "controlling"},
		{"consumer", "consumers"},
		{"happy", "happiness"},
		{"hour", "hours"}, {"tour", "tours"},
	}
	for _, g := range groups {
		want := Stem(g[0])
		for _, w := range g[1:] {
			if got := Stem(w); got != want {
				t.Errorf("Stem(%q) = %q, want %q like %q", w, got, want, g[0])
			}
		}
	}
	if Stem("status") != "status" || Stem("kafka") != "kafka" || Stem("v2") != "v2" {
		t.Errorf("stems changed words they should not: %q %q %q", Stem("status"), Stem("kafka"), Stem("v2"))
	}
}

func TestTokens(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"결제가 실패했습니다", []string{"결제가", "결제", "제가", "실패했습니다", "실패", "패했", "했습", "습니", "니다"}},
		{"결제 API가 timed out", []string{"결제", "api", "가", "time", "out", "timeout"}},
		{"The Kafka consumers", []string{"kafka", "consum", "kafkaconsum"}},
	}
	for _, c := range cases {
		if got := Tokens(c.text); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Tokens(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestParse(t *testing.T) {
	cases := []struct {
		query string
		fts5  string
	}{
		{"결제가", `("결제")`},
		{"결제에서 지연", `("결제") AND ("지연")`},
		{"데이터베이스를", `(("데이" AND "이터" AND "터베" AND "베이" AND "이스"))`},
		{"결", `("결"*)`},
		// Two-syllable nouns whose last syllable is also a particle keep it:
		// a one-syllable prefix would match every 결제 document.
		{"결과", `("결과")`},
		{"결과가", `("결과")`},
		{"제한", `("제한")`},
		{"권한을", `("권한")`},
		{"피해", `("피해")`},
		{"초과", `("초과")`},
		{"추가", `("추가")`},
		{"문의", `("문의")`},
		{"한도", `("한도")`},
		{"속도가", `("속도")`},
		{"결제를", `("결제")`},
		{"돈으로", `(("돈으" AND "으로"))`}, // cutting 으로 would leave one syllable; 로 would cut the word
		{"API가 느림", `("api") AND ("느림")`},
		{"timed out", `("time" OR "timeout") AND ("out" OR "out"* OR "timeout")`},
		{"failing ", `("fail")`},
		{"kafk", `("kafk" OR "kafk"*)`},
		{"", ``},
		{"!!! ...", ``},
	}
	for _, c := range cases {
		if got := Parse(c.query).FTS5(); got != c.fts5 {
			t.Errorf("Parse(%q).FTS5() = %s, want %s", c.query, got, c.fts5)
		}
	}
	if got, want := Parse("데이터베이스 timeout").TSQuery(), `(('데이' & '이터' & '터베' & '베이' & '이스')) & ('timeout' | 'timeout':*)`; got != want {
		t.Errorf("TSQuery = %s, want %s", got, want)
	}
}

func TestTSVector(t *testing.T) {
	got := Doc{Title: "결제 timeout", Body: "timeout 결제가"}.TSVector()
	want := `'timeout':2A,5 '결제':1A,7 '결제가':6 '제가':8`
	if got != want {
		t.Errorf("TSVector = %s, want %s", got, want)
	}
}
