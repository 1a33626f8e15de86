package teams

import (
	"encoding/json"
	"strings"
	"testing"
)

// The webhook body is the documented Workflows shape: a message with one
// Adaptive Card 1.4 attachment whose contentUrl is null.
func TestMessageIsAWorkflowsBodyWithAnAdaptiveCard(t *testing.T) {
	raw := Message(CardData{Heading: "INC-7 · 결제 실패", Label: "SEV1 · 장애 선언", Grade: "SEV1",
		Text: "*SEV1 장애 INC-7 선언: 결제 실패*\n영향 서비스: payments\n_즉시 전사에 알립니다._", URL: "https://fb.example.com/incidents/INC-7",
		Button: "Firebreak에서 보기"})
	var body struct {
		Type        string
		Attachments []map[string]json.RawMessage
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	if body.Type != "message" || len(body.Attachments) != 1 || string(body.Attachments[0]["contentUrl"]) != "null" ||
		string(body.Attachments[0]["contentType"]) != `"application/vnd.microsoft.card.adaptive"` {
		t.Fatalf("body %s", raw)
	}
	var card struct {
		Type, Version string
		Body          []struct {
			Type, Style, Text string
			Items             []struct{ Text string }
		}
		Actions []struct{ Type, Title, URL string }
	}
	if err := json.Unmarshal(body.Attachments[0]["content"], &card); err != nil {
		t.Fatal(err)
	}
	if card.Type != "AdaptiveCard" || card.Version != "1.4" || len(card.Body) != 2 || card.Body[0].Style != "attention" ||
		card.Body[0].Items[0].Text != "INC-7 · 결제 실패" || card.Body[0].Items[1].Text != "SEV1 · 장애 선언" {
		t.Errorf("card %+v", card)
	}
	if want := "**SEV1 장애 INC-7 선언: 결제 실패**\n\n영향 서비스: payments\n\n_즉시 전사에 알립니다._"; card.Body[1].Text != want {
		t.Errorf("text %q, want %q", card.Body[1].Text, want)
	}
	if len(card.Actions) != 1 || card.Actions[0].Type != "Action.OpenUrl" || card.Actions[0].URL != "https://fb.example.com/incidents/INC-7" {
		t.Errorf("actions %+v", card.Actions)
	}
}

func TestMessageWithoutLinkAndWithLongText(t *testing.T) {
	raw := string(Message(CardData{Heading: "h", Text: strings.Repeat("가", maxText+100), Grade: "SEV4"}))
	if strings.Contains(raw, "actions") || !strings.Contains(raw, `"style":"accent"`) || !strings.Contains(raw, strings.Repeat("가", maxText-1)+"…") ||
		strings.Contains(raw, strings.Repeat("가", maxText)) {
		t.Errorf("card without link or with long text: %.300s", raw)
	}
}
