package notify

import (
	"context"
	"strconv"
)

// DemoChannels are the channels the demo outbox stands in for.
var DemoChannels = []Channel{Email, Slack, Webhook, Mattermost, Teams, LineWorks}

// DemoNotifier stands in for every channel in `serve --demo`: it delivers
// nothing anywhere and reports success, so each message stays in the outbox
// table as sent, exactly as stored, for the demo outbox page to show. It
// goes through the normal outbox path (stored first, delivery job, timeline
// event), so the demo shows the same life of a message as production.
type DemoNotifier struct{}

// Notify records nothing beyond what the outbox stores; its reference says
// where the message went.
func (DemoNotifier) Notify(_ context.Context, m *Message) (string, error) {
	return "demo-outbox:" + strconv.FormatInt(m.ID, 10), nil
}

// UseDemoOutbox makes every channel deliver to the demo outbox.
func (o *Outbox) UseDemoOutbox() {
	for _, ch := range DemoChannels {
		o.Notifiers[ch] = DemoNotifier{}
	}
}
