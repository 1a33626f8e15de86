package i18n

import (
	"testing"
	"time"
)

func TestParticle(t *testing.T) {
	for _, c := range []struct{ word, p, want string }{
		{"해결 담당", "으로", "해결 담당으로"},
		{"전파 담당", "로", "전파 담당으로"},
		{"서울", "으로", "서울로"},  // ㄹ takes 로
		{"회의", "으로", "회의로"},  // no final consonant
		{"보고서", "을", "보고서를"}, // vowel
		{"장애", "이", "장애가"},
		{"등급", "은", "등급은"},
		{"팀", "와", "팀과"},
		{"bob", "을", "bob을"},
		{"alice", "을", "alice를"},
		{"mail", "으로", "mail로"},
		{"INC-7", "이", "INC-7이"}, // 칠
		{"INC-2", "이", "INC-2가"}, // 이
		{"“티켓”", "을", "“티켓”을"},   // closing quote skipped
		{"SEV2", "은", "SEV2는"},
	} {
		if got := Particle(c.word, c.p); got != c.want {
			t.Errorf("Particle(%q, %q) = %q, want %q", c.word, c.p, got, c.want)
		}
	}
}

func TestFixParticles(t *testing.T) {
	for in, want := range map[string]string{
		"bob 님을 해결 담당(으)로 지정":         "bob 님을 해결 담당으로 지정",
		"alice 님을 전파 담당(으)로 지정":       "alice 님을 전파 담당으로 지정",
		"리비전 2을(를) 공유":                "리비전 2를 공유",
		"“PgBouncer 도입”을(를) Jira에 등록": "“PgBouncer 도입”을 Jira에 등록",
		"변경 없음": "변경 없음",
	} {
		if got := FixParticles(in); got != want {
			t.Errorf("FixParticles(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDurations(t *testing.T) {
	for _, c := range []struct {
		d      time.Duration
		en, ko string
	}{
		{4 * time.Minute, "4m", "4분"},
		{90 * time.Minute, "1h 30m", "1시간 30분"},
		{time.Hour, "1h", "1시간"},
		{50 * time.Hour, "2d 2h", "2일 2시간"},
	} {
		if got := FormatDuration(c.d, "en"); got != c.en {
			t.Errorf("en %v = %q", c.d, got)
		}
		if got := FormatDuration(c.d, "ko"); got != c.ko {
			t.Errorf("ko %v = %q", c.d, got)
		}
	}
	if got := Duration("15m", "ko"); got != "15분" {
		t.Errorf("Duration(15m) = %q", got)
	}
	if got := Duration("soon", "ko"); got != "soon" {
		t.Errorf("Duration(soon) = %q", got)
	}
}
