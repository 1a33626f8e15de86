package slack

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Flipper flips kill switches during an incident, recording the flip on
// its timeline.
type Flipper interface {
	Flip(ctx context.Context, by auth.User, id int64, key, to, reason string) (flag.Switch, flag.Revision, error)
}

// WithFlags lets people flip kill switches from chat — `/incident flag
// INC-7 <key> <on|off|variant|default> <reason…>` — as the Firebreak user
// of their Slack name (see WithIncidents, which must be given too), with
// that user's rights: an owning team's responder, or an admin.
func WithFlags(f Flipper) Option {
	return func(h *handler) { h.flags = f }
}

func flagUsage(cmd string) string {
	return fmt.Sprintf("*Usage* · *사용법*: `%s flag INC-<n> <switch> <on|off|variant|default> <reason>`", cmd)
}

func (h *handler) flag(w http.ResponseWriter, r *http.Request, f url.Values, rest string, cmd string) {
	if h.flags == nil || h.users == nil {
		ephemeral(w, http.StatusOK, "Kill switches cannot be flipped from chat here. · 여기서는 채팅으로 킬 스위치를 전환할 수 없습니다.")
		return
	}
	refText, rest := splitWord(rest)
	key, rest := splitWord(rest)
	to, reason := splitWord(rest)
	id, ok := incident.ParseRef(refText)
	if !ok || key == "" || to == "" {
		ephemeral(w, http.StatusOK, flagUsage(cmd))
		return
	}
	if reason == "" {
		ephemeral(w, http.StatusOK, "Say why: a reason is required. · 사유를 입력하세요. 사유는 필수입니다.\n"+flagUsage(cmd))
		return
	}
	name := f.Get("user_name")
	user, ok := h.chatUser(w, r, name)
	if !ok {
		return
	}
	sw, rev, err := h.flags.Flip(r.Context(), user, id, key, to, reason)
	if err != nil {
		e, ok := fail.As(err)
		if !ok || e.Code == fail.Internal {
			h.log.ErrorContext(r.Context(), "slack: flip switch", "user", name, "incident", refText, "switch", key, "err", err)
			ephemeral(w, http.StatusServiceUnavailable, tryAgain)
			return
		}
		ephemeral(w, http.StatusOK, "The switch was not flipped · 스위치를 전환하지 못했습니다: "+escape(e.Error()))
		return
	}
	h.log.InfoContext(r.Context(), "slack: switch flipped", "incident", incident.FormatRef(id), "user", user.Name, "switch", sw.Key, "to", rev.To)
	ephemeral(w, http.StatusOK, fmt.Sprintf("Flipped kill switch `%[1]s` from %[2]s to *%[3]s* during *%[4]s*. It is on the incident's timeline.\n"+
		"*%[4]s* 장애 중 킬 스위치 `%[1]s` 를 %[2]s → *%[3]s* (으)로 전환했습니다. 장애 타임라인에 기록되었습니다.\n> %[5]s",
		sw.Key, rev.From, rev.To, incident.FormatRef(id), escape(reason)))
}
