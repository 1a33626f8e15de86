package ui

import "github.com/firebreak-oss/firebreak/internal/i18n"

// chatChannelMessages name the Microsoft Teams and LINE WORKS channels
// wherever a channel is shown: previews, team targets, the demo outbox,
// delivery failures.
var chatChannelMessages = i18n.Messages{
	"channel.teams":     {"Microsoft Teams", "Microsoft Teams"},
	"channel.lineworks": {"LINE WORKS", "LINE WORKS"},
}

func init() { addMessages(chatChannelMessages) }
