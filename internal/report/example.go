package report

// Example is a worked example of a finished report, for the guide page:
// the default sections filled in the way the template asks.
func Example(lang string) map[string]string {
	if lang == "ko" {
		return exampleKo
	}
	return exampleEn
}

var exampleEn = map[string]string{
	KeySummary: "From 14:02 to 14:39 KST, 18% of card payments in the shop failed with \"payment timed out\". " +
		"About 4,100 orders could not be placed; no payment was taken twice.",
	KeyDetection: "2026-11-24 14:04 KST — the `checkout-api` error-rate alert (5xx > 5% for 2 minutes) paged the on-call developer. " +
		"Customer support reported the same two minutes later.",
	KeyServices: "- `checkout-api`: card payments failed (18% at peak)\n- `ledger`: no impact; it received fewer payments\n- Partners: none affected",
	KeyCause: "The 14:00 release of `checkout-api` lowered the card gateway's connection pool from 200 to 20 " +
		"(a default changed in the HTTP client library upgrade). Under the afternoon load, requests waited for a " +
		"connection longer than the 3-second timeout.",
	KeyTimeline: "| Time | Who | What |\n|---|---|---|\n| 14:00 | deploy bot | `checkout-api` v2.31 released |\n" +
		"| 14:04 | alert | error rate above 5% |\n| 14:09 | minji.kim | declared SEV2, resolver; alice communicator |\n" +
		"| 14:21 | minji.kim | connection pool exhaustion found in the metrics |\n| 14:33 | minji.kim | rolled back to v2.30 |\n" +
		"| 14:39 | alice | error rate normal; resolved |",
	KeyResolution: "Resolved by rolling back to v2.30 (rollback-safe: no schema change).\n\n" +
		"Prevention:\n- [ ] Set the pool size explicitly in config, not by library default — PAY-1432 (short term)\n" +
		"- [ ] Alert on connection-pool wait time before errors rise — PAY-1433 (short term)\n" +
		"- [ ] Load test in staging for every HTTP client upgrade — PAY-1440 (long term)",
	KeyRelated: "- Dashboard: https://grafana.example.com/d/checkout\n- Chat thread: #payments-oncall, 14:05\n- Earlier similar incident: INC-12",
}

var exampleKo = map[string]string{
	KeySummary: "11월 24일 14:02부터 14:39(KST)까지 쇼핑 카드 결제의 18%가 \"결제 시간 초과\"로 실패했습니다. " +
		"약 4,100건의 주문이 완료되지 않았고, 중복 결제는 없었습니다.",
	KeyDetection: "2026-11-24 14:04 KST — `checkout-api` 오류율 알림(5xx 5% 초과 2분 지속)이 당직 개발자를 호출했습니다. " +
		"2분 뒤 고객 지원팀에서도 같은 제보가 들어왔습니다.",
	KeyServices: "- `checkout-api`: 카드 결제 실패 (최대 18%)\n- `ledger`: 영향 없음, 결제 유입만 감소\n- 파트너: 영향 없음",
	KeyCause: "14:00 `checkout-api` 배포에서 카드 게이트웨이 연결 풀이 200에서 20으로 줄었습니다 " +
		"(HTTP 클라이언트 라이브러리 업그레이드로 기본값이 바뀜). 오후 트래픽에서 요청이 연결을 기다리다 3초 타임아웃을 넘겼습니다.",
	KeyTimeline: "| 시각 | 누가 | 내용 |\n|---|---|---|\n| 14:00 | 배포 봇 | `checkout-api` v2.31 배포 |\n" +
		"| 14:04 | 알림 | 오류율 5% 초과 |\n| 14:09 | minji.kim | SEV2 선언, 해결 담당; alice 전파 담당 |\n" +
		"| 14:21 | minji.kim | 지표에서 연결 풀 고갈 확인 |\n| 14:33 | minji.kim | v2.30으로 롤백 |\n| 14:39 | alice | 오류율 정상화, 해결 |",
	KeyResolution: "v2.30으로 롤백해 해결했습니다 (스키마 변경 없음, 롤백 안전).\n\n" +
		"재발 방지:\n- [ ] 연결 풀 크기를 라이브러리 기본값이 아닌 설정으로 명시 — PAY-1432 (단기)\n" +
		"- [ ] 오류가 늘기 전에 연결 풀 대기 시간 알림 추가 — PAY-1433 (단기)\n" +
		"- [ ] HTTP 클라이언트 업그레이드마다 스테이징 부하 테스트 — PAY-1440 (장기)",
	KeyRelated: "- 대시보드: https://grafana.example.com/d/checkout\n- 채팅 스레드: #payments-oncall, 14:05\n- 비슷한 이전 장애: INC-12",
}
