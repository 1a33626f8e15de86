package ui

import (
	"fmt"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

func init() {
	for k, m := range notify.FailureMessages {
		messages[k] = m
	}
}

// failureKind maps a raw delivery failure to one of the known causes.
func failureKind(raw string) string { return notify.FailureKind(raw) }

// FailureReason says why a delivery failed in the viewer's language,
// followed by the raw reason as detail: "상대 서비스 쪽에서 오류가
// 발생했습니다. (slack chat.postMessage: HTTP 503 …)".
func (v *view) FailureReason(raw string) string {
	if strings.TrimSpace(raw) == "" {
		return ""
	}
	return v.T(failureKind(raw)) + " (" + raw + ")"
}

// ChannelName names a delivery channel (email, slack, webhook, …) in the
// viewer's language; an unknown one by its name.
func (v *view) ChannelName(c any) string {
	name := fmt.Sprint(c)
	if k := "channel." + name; messages[k] != [2]string{} {
		return v.T(k)
	}
	return name
}
