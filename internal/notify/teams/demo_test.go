package teams

import (
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

// TestDemoFlowTakesCardsOnly: the demo's flow answers a real card with a
// run ID and refuses what a Workflows trigger would refuse, for good.
func TestDemoFlowTakesCardsOnly(t *testing.T) {
	n := Demo(&notify.TeamsConfig{Channels: []notify.TeamsChannel{{Name: "pr-room", WebhookURL: "https://example.invalid/x?sig=s"}}})
	ref, err := n.Notify(t.Context(), &notify.Message{Channel: notify.Teams, To: "pr-room", Subject: "INC-1 · 결제 실패", Text: "SEV1"})
	if err != nil || !strings.HasPrefix(ref, "demo-teams-run-") {
		t.Fatalf("card: %q, %v", ref, err)
	}
	_, err = n.Notify(t.Context(), &notify.Message{Channel: notify.Teams, To: "pr-room", Payload: []byte(`{"text":"plain"}`)})
	if !notify.IsPermanent(err) || !strings.Contains(err.Error(), "400") {
		t.Errorf("a message without a card: %v", err)
	}
}
