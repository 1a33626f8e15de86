package ui

import (
	"strings"
	"testing"
)

// TestFailureReasons: known delivery failures read as words in both
// languages, with the raw reason kept second.
func TestFailureReasons(t *testing.T) {
	ko := &view{Lang: "ko", translator: translatorFor("ko")}
	for raw, want := range map[string]string{
		"slack chat.postMessage: HTTP 503 Service Unavailable":                                 "상대 서비스 쪽에서 오류가 발생했습니다.",
		"slack chat.postMessage: rate limited":                                                 "발송 속도 제한",
		"slack chat.postMessage: channel_not_found":                                            "채널이나 주소가 존재하지 않습니다.",
		"slack chat.postMessage: invalid_auth":                                                 "인증 정보를 거부",
		"no signing secret for ops-hook (https://x)":                                           "서명 키가 설정되지 않았습니다",
		"webhook https://x: dial tcp 127.0.0.1:1: connect: connection refused":                 "연결할 수 없습니다",
		"slack chat.postMessage: HTTP 500; gave up after 5 tries and sent it by e-mail to a@x": "상대 서비스 쪽에서 오류",
		"something odd; gave up after 5 tries and sent it by e-mail to a@x":                    "이메일로 대신 보냈습니다",
		"who knows": "전달하지 못했습니다.",
	} {
		got := ko.FailureReason(raw)
		if !strings.HasPrefix(got, want) && !strings.Contains(got, want) {
			t.Errorf("FailureReason(%q) = %q, want %q", raw, got, want)
		}
		if !strings.HasSuffix(got, "("+raw+")") {
			t.Errorf("FailureReason(%q) = %q drops the raw detail", raw, got)
		}
	}
	en := &view{Lang: "en", translator: translatorFor("en")}
	if got := en.FailureReason("HTTP 404 Not Found"); !strings.HasPrefix(got, "The channel or address does not exist.") {
		t.Errorf("English: %q", got)
	}
}
