package propagate

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/notify/slack"
	"github.com/firebreak-oss/firebreak/internal/policy"
)

// message builds the stored message of a rendered template for target t.
func (p *Propagator) message(inc *incident.Incident, ev incident.Event, t policy.Target, kind policy.Kind, r policy.Rendered) (notify.Message, error) {
	m := notify.Message{
		Key:        "inc:" + strconv.FormatInt(inc.ID, 10) + ":ev:" + strconv.FormatInt(ev.ID, 10) + ":" + t.Key,
		IncidentID: inc.ID, EventID: ev.ID, Channel: notify.Channel(t.Channel), Target: t.Name, TargetKey: t.Key,
		To: t.Address, Lang: t.Lang, Thread: notify.IncidentThread(inc.ID), Fallback: t.Fallback,
		Subject: r.Subject, Text: r.Text,
	}
	var err error
	switch t.Channel {
	case policy.ChannelEmail:
		m.HTML = r.HTML
	case policy.ChannelSlack:
		m.Text = r.Chat
		summary := p.summary(inc, t)
		m.Payload, err = json.Marshal(slack.Payload{
			Text: r.Chat, Blocks: blocks(r.Chat),
			SummaryText: summary, SummaryBlocks: blocks(summary),
		})
	case policy.ChannelMattermost, policy.ChannelLineWorks:
		m.Text = r.Chat
	case policy.ChannelTeams:
		m.Text = r.Chat
		m.Payload = p.teamsCard(inc, t, kind, r)
	case policy.ChannelWebhook:
		m.Text = r.Chat
		m.Payload, err = json.Marshal(webhookBody{
			Kind: string(kind), Event: string(ev.Kind), EventID: ev.ID, Text: r.Chat,
			Incident: webhookIncident{Ref: inc.Ref(), Title: inc.Title, Grade: inc.Grade.String(), Status: string(inc.Status),
				Services: inc.Services, StartedAt: inc.StartedAt.UTC().Format("2006-01-02T15:04:05Z"), URL: p.Data(inc, t).URL},
		})
	}
	return m, err
}

// summary is the chat summary an incident keeps in a channel: its
// declaration message with the incident as it stands now.
func (p *Propagator) summary(inc *incident.Incident, t policy.Target) string {
	d := p.Data(inc, t)
	d.Kind = string(policy.KindDeclared)
	r, err := p.Policy.Templates.Render(policy.KindDeclared, t.Lang, d)
	if err != nil {
		return inc.Ref() + " " + inc.Title
	}
	return r.Chat
}

// blocks is Block Kit for a message: one section of mrkdwn (Slack takes at
// most 3000 characters there; the text field carries the whole).
func blocks(text string) []json.RawMessage {
	if utf8.RuneCountInString(text) > 3000 {
		text = string([]rune(text)[:2990]) + "…"
	}
	b, _ := json.Marshal(map[string]any{"type": "section", "text": map[string]string{"type": "mrkdwn", "text": text}})
	return []json.RawMessage{b}
}

// webhookBody is what partners' webhooks receive.
type webhookBody struct {
	Kind     string          `json:"kind"`  // declared, update
	Event    string          `json:"event"` // the timeline event
	EventID  int64           `json:"event_id"`
	Text     string          `json:"text"`
	Incident webhookIncident `json:"incident"`
}

type webhookIncident struct {
	Ref       string   `json:"ref"`
	Title     string   `json:"title"`
	Grade     string   `json:"grade"`
	Status    string   `json:"status"`
	Services  []string `json:"services"`
	StartedAt string   `json:"started_at"`
	URL       string   `json:"url,omitempty"`
}
