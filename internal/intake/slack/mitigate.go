package slack

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Mitigator records when an incident's impact stopped. The incident service
// is one; the handler's Incidents need not be, so chat mitigation is on only
// where it is.
type Mitigator interface {
	Mitigate(ctx context.Context, by auth.User, id int64, at *time.Time) (*incident.Incident, error)
}

// mitigate serves `/incident mitigate INC-<n> [time]`: the impact stopped
// now, or at the RFC 3339 time given.
func (h *handler) mitigate(w http.ResponseWriter, r *http.Request, f url.Values, rest, cmd string) {
	m, ok := h.incidents.(Mitigator)
	if h.incidents == nil || !ok {
		ephemeral(w, http.StatusOK, "Recording mitigation from chat is not enabled here. · 채팅에서 영향 종료 기록 기능이 꺼져 있습니다.")
		return
	}
	refText, atText := splitWord(rest)
	id, ok := incident.ParseRef(refText)
	if !ok {
		ephemeral(w, http.StatusOK, fmt.Sprintf("*Usage* · *사용법*: `%s mitigate INC-<n> [2026-12-05T10:42:00+09:00]`", cmd))
		return
	}
	var at *time.Time
	if atText != "" {
		t, err := time.Parse(time.RFC3339, atText)
		if err != nil {
			ephemeral(w, http.StatusOK, fmt.Sprintf("mitigated_at: must be an RFC 3339 time such as 2026-12-05T10:42:00+09:00; got %q\n"+
				"mitigated_at: 2026-12-05T10:42:00+09:00 같은 RFC 3339 시각이어야 합니다.", escape(atText)))
			return
		}
		at = &t
	}
	name := f.Get("user_name")
	user, ok := h.chatUser(w, r, name)
	if !ok {
		return
	}
	inc, err := m.Mitigate(r.Context(), user, id, at)
	if err != nil {
		e, ok := fail.As(err)
		if !ok || e.Code == fail.Internal {
			h.log.ErrorContext(r.Context(), "slack: mitigate", "user", name, "incident", refText, "err", err)
			ephemeral(w, http.StatusServiceUnavailable, tryAgain)
			return
		}
		ephemeral(w, http.StatusOK, "Not recorded · 기록하지 못했습니다: "+escape(e.Error()))
		return
	}
	when := inc.MitigatedAt.UTC().Format("2006-01-02 15:04 UTC")
	ephemeral(w, http.StatusOK, i18n.FixParticles(fmt.Sprintf("Recorded that the impact of *%[1]s* stopped at %[2]s.\n*%[1]s* 영향 종료 시각을 %[2]s(으)로 기록했습니다.",
		inc.Ref(), when)))
}
