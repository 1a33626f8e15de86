package teams

import (
	"encoding/json"
	"regexp"
	"unicode/utf8"
)

// ContentType is the attachment type of an Adaptive Card.
const ContentType = "application/vnd.microsoft.card.adaptive"

// CardVersion is the Adaptive Card schema version the cards use: 1.4 is
// what Teams renders on desktop, web and mobile alike.
const CardVersion = "1.4"

// CardData is what one card shows.
type CardData struct {
	// Heading is the same on every card of one incident ("INC-12 · Payments
	// fail"): Workflows cannot reply in a thread or edit a card, so the
	// shared heading is what groups an incident's cards in the channel.
	Heading string
	// Label says what this card is: "Declared", "Update", in the target's
	// language.
	Label string
	Text  string // the chat template's text (Slack-style mrkdwn)
	Grade string // SEV1 … SEV5; picks the accent
	URL   string // the incident's page; empty: no button
	// Button is the link button's title in the target's language.
	Button string
}

// Body is what a Workflows webhook takes: a message with one Adaptive
// Card attachment. The flow's "Post card in a chat or channel" step posts
// the attachment's content.
type Body struct {
	Type        string       `json:"type"`
	Attachments []Attachment `json:"attachments"`
}

// Attachment is one card of a Body.
type Attachment struct {
	ContentType string          `json:"contentType"`
	ContentURL  *string         `json:"contentUrl"`
	Content     json.RawMessage `json:"content"`
}

// maxText bounds a card's text block. Teams refuses messages over about
// 28 KB; incident messages are far shorter, and a runaway summary must not
// make the card undeliverable.
const maxText = 8000

// Message returns the Workflows webhook body carrying the card of d.
func Message(d CardData) json.RawMessage {
	text := teamsMarkdown(d.Text)
	if utf8.RuneCountInString(text) > maxText {
		text = string([]rune(text)[:maxText-1]) + "…"
	}
	body := []any{
		map[string]any{
			"type":  "Container",
			"style": gradeStyle(d.Grade),
			"bleed": true,
			"items": []any{
				map[string]any{"type": "TextBlock", "text": d.Heading, "weight": "Bolder", "size": "Medium", "wrap": true},
				map[string]any{"type": "TextBlock", "text": d.Label, "isSubtle": true, "spacing": "None", "wrap": true},
			},
		},
		map[string]any{"type": "TextBlock", "text": text, "wrap": true},
	}
	card := map[string]any{
		"type":    "AdaptiveCard",
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"version": CardVersion,
		"body":    body,
		"msteams": map[string]any{"width": "Full"},
	}
	if d.URL != "" {
		card["actions"] = []any{map[string]any{"type": "Action.OpenUrl", "title": d.Button, "url": d.URL}}
	}
	content, _ := json.Marshal(card)
	out, _ := json.Marshal(Body{Type: "message", Attachments: []Attachment{{ContentType: ContentType, Content: content}}})
	return out
}

// gradeStyle colours the heading: red for the two worst grades, amber for
// SEV3, the plain accent for the rest.
func gradeStyle(grade string) string {
	switch grade {
	case "SEV1", "SEV2":
		return "attention"
	case "SEV3":
		return "warning"
	}
	return "accent"
}

// slackBold is Slack's *bold*; Adaptive Cards' Markdown reads a single star
// as italic and wants **bold**.
var slackBold = regexp.MustCompile(`(^|[\s(])\*([^*\n]+)\*`)

// teamsMarkdown turns the chat template's Slack-style text into the
// Markdown a TextBlock renders. TextBlocks join single line breaks, so each
// line becomes its own paragraph.
func teamsMarkdown(s string) string {
	s = slackBold.ReplaceAllString(s, "$1**$2**")
	return paragraphs.ReplaceAllString(s, "\n\n")
}

var paragraphs = regexp.MustCompile(`\n+`)
