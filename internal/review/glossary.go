package review

import "strings"

// glossary gives the English words for Korean terms that incident reports
// use, so a report written in Korean meets an earlier one in English (teams
// here write both). It is a vocabulary of the domain, not of any incident:
// add a term when reports use it.
var glossary = map[string]string{
	"결제": "payment checkout", "승인": "approval authorize", "주문": "order", "지연": "latency slow delay",
	"느려": "slow", "타임아웃": "timeout", "시간 초과": "timeout", "실패": "fail", "오류": "error", "에러": "error",
	"장애": "outage failure", "배포": "release deploy", "롤백": "rollback", "복구": "recover restore",
	"커넥션": "connection", "연결": "connection", "풀": "pool", "고갈": "exhaust", "점유": "exhaust",
	"외부": "external", "게이트웨이": "gateway", "쿠폰": "coupon", "검증": "validation verify",
	"장바구니": "cart", "예외": "exception", "원장": "ledger", "기록": "write record", "쓰기": "write",
	"정산": "settlement", "잡": "job", "큐": "queue", "쌓": "pile backlog", "잠금": "lock", "테이블": "table",
	"피크": "peak", "디스크": "disk", "볼륨": "volume", "가득": "full space", "부족": "out shortage", "복제": "replication replica",
	"스탠바이": "standby", "중복": "duplicate", "인증서": "certificate", "만료": "expire", "토큰": "token",
	"로그인": "login", "인증": "auth identity", "세션": "session", "레디스": "redis", "키": "key", "유실": "lost",
	"사라져": "lost", "로그아웃": "logout signed", "문자": "sms", "인증번호": "verification code",
	"검색": "search", "노드": "node", "메모리": "memory heap", "힙": "heap", "집계": "aggregation", "쿼리": "query",
	"종료": "kill crash", "인덱싱": "index", "인덱스": "index", "카프카": "kafka", "컨슈머": "consumer",
	"리밸런싱": "rebalance", "가격": "price", "상품": "product", "푸시": "push", "알림": "notification alert",
	"워커": "worker", "오토스케일링": "autoscaling", "메일": "mail email", "발송": "send deliver", "도메인": "domain",
	"스팸": "spam", "레코드": "record", "삭제": "delete", "캐시": "cache", "이미지": "image", "헤더": "header",
	"오리진": "origin", "호스트": "host", "봇": "bot", "트래픽": "traffic", "마이그레이션": "migration",
	"컬럼": "column", "기본값": "default", "스키마": "schema", "서명": "signature", "콜백": "callback",
	"교체": "rotation replace", "설정": "config setting", "데이터베이스": "database", "디비": "database",
	"용량": "capacity", "부하": "load", "응답": "response", "요청": "request", "재시도": "retry", "은행": "bank",
	"조회": "read query", "사용자": "user", "고객": "customer", "번역": "translation", "템플릿": "template",
}

// englishView is a text's words in English only: its Latin words and, for
// its Korean terms, the glossary's words. Two reports in different
// languages are compared by these, without the Korean pieces that the
// English one cannot share.
func englishView(text string) string {
	var b strings.Builder
	for _, f := range strings.Fields(text) {
		if itemLang(f) == "en" {
			b.WriteString(f)
			b.WriteString(" ")
		}
	}
	for ko, en := range glossary {
		if strings.Contains(text, ko) {
			b.WriteString(en)
			b.WriteString(" ")
		}
	}
	return b.String()
}
