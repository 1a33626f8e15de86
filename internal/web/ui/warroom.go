package ui

import (
	"context"

	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// WarRoomLookup finds an incident's chat channel.
type WarRoomLookup interface {
	Room(ctx context.Context, incidentID int64) (*warroom.Room, error)
}

// warRoomMessages are the strings of the incident page's chat channel
// line, as {English, Korean}.
var warRoomMessages = map[string][2]string{
	"wr.channel":  {"Chat channel", "장애 채널"},
	"wr.private":  {"private", "비공개"},
	"wr.archived": {"archived", "보관됨"},
	"wr.open":     {"Open in Slack", "Slack에서 열기"},
	"wr.hint": {"Pin a message there with a 📌 reaction to copy it to the timeline; the summary's buttons do what this page does.",
		"채널에서 📌 반응을 단 메시지는 타임라인에 복사됩니다. 요약 메시지의 버튼은 이 화면과 같은 일을 합니다."},
	"wr.hint.mm": {"Pin a message there to copy it to the timeline (within a minute); the summary's buttons do what this page does.",
		"채널에서 고정한 메시지는 1분 안에 타임라인에 복사됩니다. 요약 메시지의 버튼은 이 화면과 같은 일을 합니다."},
}

func init() {
	for k, v := range warRoomMessages {
		messages[k] = v
	}
}

// warRoomOf is the incident's chat channel, or nil when it has none (or
// war rooms are off).
func (u *UI) warRoomOf(ctx context.Context, incidentID int64) (*warroom.Room, error) {
	if u.WarRooms == nil {
		return nil, nil
	}
	return u.WarRooms.Room(ctx, incidentID)
}
