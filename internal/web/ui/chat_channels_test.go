package ui

import (
	"strings"
	"testing"
)

// TestTeamsAndLineWorksFailureReasons: the reasons the Teams and LINE WORKS
// notifiers give read as words, and the channels have names.
func TestTeamsAndLineWorksFailureReasons(t *testing.T) {
	ko := &view{Lang: "ko", translator: translatorFor("ko")}
	for raw, want := range map[string]string{
		`teams "cs-room": no such channel is configured under notify.teams.channels`:                      "설정되어 있지 않습니다",
		`lineworks "cs": no such channel is configured under notify.lineworks.targets`:                    "설정되어 있지 않습니다",
		"teams channel cs-room: HTTP 401 Unauthorized":                                                    "인증 정보를 거부",
		"lineworks target ops: HTTP 429 Too Many Requests (retry after 1s)":                               "발송 속도 제한",
		"lineworks token (invalid_client: client authentication failed): HTTP 401 Unauthorized":           "인증 정보를 거부",
		"teams channel cs-room: HTTP 502 Bad Gateway; gave up after 3 tries and sent it by e-mail to a@x": "상대 서비스 쪽에서 오류",
	} {
		if got := ko.FailureReason(raw); !strings.HasPrefix(got, want) && !strings.Contains(got, want) {
			t.Errorf("FailureReason(%q) = %q, want %q", raw, got, want)
		}
	}
	for ch, want := range map[string]string{"teams": "Microsoft Teams", "lineworks": "LINE WORKS"} {
		if got := ko.ChannelName(ch); got != want {
			t.Errorf("ChannelName(%s) = %q", ch, got)
		}
	}
}
