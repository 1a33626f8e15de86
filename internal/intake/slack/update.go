package slack

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Users finds the Firebreak user a Slack user acts as: the one whose name is
// the Slack user name.
type Users interface {
	UserByName(ctx context.Context, name string) (auth.User, error)
}

// Incidents declares incidents and posts status updates for chat users.
type Incidents interface {
	Declare(ctx context.Context, by auth.User, d incident.Declaration) (*incident.Incident, error)
	PostUpdate(ctx context.Context, by auth.User, id int64, u incident.StatusUpdate) (incident.Event, error)
}

// Option configures the handler.
type Option func(*handler)

// WithIncidents lets people act on incidents from chat — `/incident declare`
// and `/incident update` — as the Firebreak user of their Slack name, with
// that user's rights. Without it those commands say they are not set up.
func WithIncidents(users Users, incidents Incidents) Option {
	return func(h *handler) { h.users, h.incidents = users, incidents }
}

func (h *handler) update(w http.ResponseWriter, r *http.Request, f url.Values, rest string, cmd string) {
	if h.incidents == nil {
		ephemeral(w, http.StatusOK, "Status updates from chat are not enabled here. · 채팅에서 상태 업데이트 기능이 꺼져 있습니다.")
		return
	}
	refText, text := splitWord(rest)
	public := false
	if flag, after := splitWord(text); flag == "--public" {
		public, text = true, after
	}
	id, ok := incident.ParseRef(refText)
	if !ok || text == "" {
		ephemeral(w, http.StatusOK, fmt.Sprintf("*Usage* · *사용법*: `%s update INC-<n> [--public] <update>`", cmd))
		return
	}
	name := f.Get("user_name")
	user, ok := h.chatUser(w, r, name)
	if !ok {
		return
	}
	ev, err := h.incidents.PostUpdate(r.Context(), user, id, incident.StatusUpdate{Text: text, Public: public})
	if err != nil {
		e, ok := fail.As(err)
		if !ok || e.Code == fail.Internal {
			h.log.ErrorContext(r.Context(), "slack: post update", "user", name, "incident", refText, "err", err)
			// Not stored: not a 2xx, so Slack shows the command failed.
			ephemeral(w, http.StatusServiceUnavailable, tryAgain)
			return
		}
		ephemeral(w, http.StatusOK, "The update was not posted · 업데이트를 게시하지 못했습니다: "+escape(e.Error()))
		return
	}
	where := "internal · 사내"
	if public {
		where = "also on the public status page · 공개 상태 페이지에도 표시"
	}
	h.log.InfoContext(r.Context(), "slack: status update posted", "incident", incident.FormatRef(id), "user", user.Name, "event", ev.ID)
	ephemeral(w, http.StatusOK, fmt.Sprintf("Posted a status update to *%[1]s* (%[2]s). Everyone told of it will get it.\n"+
		"*%[1]s* 에 상태 업데이트를 게시했습니다 (%[2]s). 전파 대상 모두에게 전달됩니다.\n> %[3]s",
		incident.FormatRef(id), where, escape(strings.ReplaceAll(text, "\n", "\n> "))))
}

const tryAgain = "Sorry, that could not be done right now. Please try again in a moment.\n" +
	"죄송합니다. 지금은 처리하지 못했습니다. 잠시 후 다시 시도해 주세요."

// chatUser is the Firebreak user the Slack user name acts as. When there is
// none, or it cannot be read, it answers the request itself and returns false.
func (h *handler) chatUser(w http.ResponseWriter, r *http.Request, name string) (auth.User, bool) {
	user, err := h.users.UserByName(r.Context(), name)
	if err == nil {
		return user, true
	}
	if fail.CodeOf(err) != fail.NotFound {
		h.log.ErrorContext(r.Context(), "slack: find user", "user", name, "err", err)
		ephemeral(w, http.StatusServiceUnavailable, tryAgain)
		return auth.User{}, false
	}
	ephemeral(w, http.StatusOK, fmt.Sprintf("Your Slack name %[1]q is not a Firebreak user; ask an admin to add it.\n"+
		"Slack 이름 %[1]q 에 해당하는 Firebreak 사용자가 없습니다. 관리자에게 추가를 요청하세요.", name))
	return auth.User{}, false
}
