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

// Noter adds notes to incidents' timelines.
type Noter interface {
	AddNote(ctx context.Context, by auth.User, id int64, text string) (incident.Event, error)
}

// RoomIncidents names the incident whose war room a channel is.
type RoomIncidents interface {
	IncidentOfChannel(ctx context.Context, channelID string) (int64, bool, error)
}

// WithNotes lets people add notes from chat: `/incident note <text>` in an
// incident's war room, or `/incident note INC-<n> <text>` anywhere, as the
// Firebreak user of their Slack name (WithIncidents must be given too).
func WithNotes(n Noter, rooms RoomIncidents) Option {
	return func(h *handler) { h.notes, h.rooms = n, rooms }
}

func noteUsage(cmd string) string {
	return fmt.Sprintf("*Usage* · *사용법*: `%[1]s note <text>` (in an incident's channel · 장애 채널에서) or `%[1]s note INC-<n> <text>`", cmd)
}

func (h *handler) note(w http.ResponseWriter, r *http.Request, f url.Values, rest, cmd string) {
	if h.notes == nil || h.users == nil {
		ephemeral(w, http.StatusOK, "Notes cannot be added from chat here. · 여기서는 채팅으로 메모를 남길 수 없습니다.")
		return
	}
	var id int64
	if first, after := splitWord(rest); after != "" {
		if n, ok := incident.ParseRef(first); ok && strings.HasPrefix(strings.ToUpper(first), "INC-") {
			id, rest = n, after
		}
	}
	if id == 0 && h.rooms != nil {
		n, ok, err := h.rooms.IncidentOfChannel(r.Context(), f.Get("channel_id"))
		if err != nil {
			h.log.ErrorContext(r.Context(), "slack: find the channel's incident", "channel", f.Get("channel_id"), "err", err)
			ephemeral(w, http.StatusServiceUnavailable, tryAgain)
			return
		}
		if ok {
			id = n
		}
	}
	if id == 0 || strings.TrimSpace(rest) == "" {
		ephemeral(w, http.StatusOK, "This channel is no incident's channel; name the incident. · 장애 채널이 아닙니다. 장애 번호를 적어 주세요.\n"+noteUsage(cmd))
		return
	}
	name := f.Get("user_name")
	user, ok := h.chatUser(w, r, name)
	if !ok {
		return
	}
	if _, err := h.notes.AddNote(r.Context(), user, id, rest); err != nil {
		e, ok := fail.As(err)
		if !ok || e.Code == fail.Internal {
			h.log.ErrorContext(r.Context(), "slack: add note", "user", name, "incident", id, "err", err)
			ephemeral(w, http.StatusServiceUnavailable, tryAgain)
			return
		}
		ephemeral(w, http.StatusOK, "The note was not added · 메모를 남기지 못했습니다: "+escape(e.Error()))
		return
	}
	inChannel(w, fmt.Sprintf("*Note on %[1]s* · *%[1]s 메모* — %[2]s\n> %[3]s", incident.FormatRef(id), escape(name),
		escape(strings.ReplaceAll(rest, "\n", "\n> "))))
}
