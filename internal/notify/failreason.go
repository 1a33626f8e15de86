package notify

import (
	"regexp"
	"strings"
)

// FailureMessages say in words, in English and Korean, why a message did
// not arrive, by the cause FailureKind finds. The raw reason (an HTTP
// status, an SMTP reply, a Slack error code) stays beside them as detail,
// for whoever has to fix the target. They live here rather than in one edge
// because the web page and the API answer both say them.
var FailureMessages = map[string][2]string{
	"fail.rate_limited":   {"The service is limiting how fast we send; it will be tried again.", "상대 서비스의 발송 속도 제한에 걸렸습니다. 다시 시도합니다."},
	"fail.auth":           {"The service refused our credentials; check the token or signing secret.", "상대 서비스가 인증 정보를 거부했습니다. 토큰이나 서명 키를 확인하세요."},
	"fail.no_secret":      {"No signing secret is configured for this webhook.", "이 웹훅의 서명 키가 설정되지 않았습니다."},
	"fail.not_found":      {"The channel or address does not exist.", "채널이나 주소가 존재하지 않습니다."},
	"fail.not_in_channel": {"Firebreak is not a member of the channel.", "Firebreak가 채널에 참여하지 않았습니다."},
	"fail.server":         {"The service had an error on its side.", "상대 서비스 쪽에서 오류가 발생했습니다."},
	"fail.rejected":       {"The service rejected the message.", "상대 서비스가 메시지를 거부했습니다."},
	"fail.unreachable":    {"The service could not be reached.", "상대 서비스에 연결할 수 없습니다."},
	"fail.timeout":        {"The service did not answer in time.", "상대 서비스가 제시간에 응답하지 않았습니다."},
	"fail.bad_address":    {"The e-mail address is not valid.", "이메일 주소가 올바르지 않습니다."},
	"fail.fell_back":      {"Gave up on this channel and sent it by e-mail instead.", "이 채널로는 포기하고 이메일로 대신 보냈습니다."},
	"fail.no_channel":     {"This channel is not set up on this server.", "이 서버에는 해당 채널이 설정되어 있지 않습니다."},
	"fail.unknown":        {"Delivery failed.", "전달하지 못했습니다."},
}

var httpStatus = regexp.MustCompile(`HTTP (\d{3})`)

// smtpStatus finds an SMTP reply code ("550 5.1.1 mailbox unavailable").
var smtpStatus = regexp.MustCompile(`\b([45]\d\d)[ -]\d\.\d{1,3}\.\d{1,3}\b`)

// FailureKind maps a raw delivery failure to one of the known causes, the
// keys of FailureMessages.
func FailureKind(raw string) string {
	// A fallback's reason is "<cause>; gave up after N tries and sent it by
	// e-mail to …": the cause says more than the giving up.
	if i := strings.Index(raw, "; gave up after"); i > 0 {
		if k := FailureKind(raw[:i]); k != "fail.unknown" {
			return k
		}
		return "fail.fell_back"
	}
	r := strings.ToLower(raw)
	has := func(xs ...string) bool {
		for _, x := range xs {
			if strings.Contains(r, x) {
				return true
			}
		}
		return false
	}
	code := ""
	if m := httpStatus.FindStringSubmatch(raw); m != nil {
		code = m[1]
	} else if m := smtpStatus.FindStringSubmatch(raw); m != nil {
		code = m[1]
	}
	switch {
	case has("rate limited", "ratelimited") || code == "429":
		return "fail.rate_limited"
	case has("channel is configured"):
		return "fail.no_channel"
	case has("no signing secret"):
		return "fail.no_secret"
	case has("invalid_auth", "not_authed", "token_revoked", "account_inactive") || code == "401" || code == "403":
		return "fail.auth"
	case has("channel_not_found", "no such user", "user unknown", "mailbox unavailable") || code == "404" || code == "410":
		return "fail.not_found"
	case has("not_in_channel", "is_archived"):
		return "fail.not_in_channel"
	case has("recipients", "mail: missing", "invalid address", "no address"):
		return "fail.bad_address"
	case has("deadline exceeded", "timeout", "timed out"):
		return "fail.timeout"
	case has("connection refused", "no such host", "network is unreachable", "connection reset", "eof"):
		return "fail.unreachable"
	case strings.HasPrefix(code, "5"):
		return "fail.server"
	case strings.HasPrefix(code, "4"):
		return "fail.rejected"
	}
	return "fail.unknown"
}

// FailureText says why a delivery failed in lang ("ko" or English), with
// the raw reason after it as detail: "상대 서비스에 연결할 수 없습니다.
// (dial tcp …: connection refused)". An empty reason says nothing.
func FailureText(raw, lang string) string {
	if strings.TrimSpace(raw) == "" {
		return ""
	}
	m := FailureMessages[FailureKind(raw)]
	text := m[0]
	if lang == "ko" {
		text = m[1]
	}
	return text + " (" + raw + ")"
}
