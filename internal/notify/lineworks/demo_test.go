package lineworks

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

// TestDemoSignsAndUsesTokens: the demo's notifier sends to its rooms with
// one token got by a JWT the in-process token endpoint verified; the demo
// endpoint refuses an assertion signed with another key and the Bot API a
// token it never issued, so the demo cannot pass a broken signer.
func TestDemoSignsAndUsesTokens(t *testing.T) {
	n, err := Demo(time.Now, "leadership-room", "leadership-room", "ops")
	if err != nil {
		t.Fatal(err)
	}
	if len(n.cfg.Targets) != 2 {
		t.Errorf("targets %+v, want leadership-room and ops once each", n.cfg.Targets)
	}
	for _, to := range []string{"leadership-room", "ops", "leadership-room"} {
		if _, err := n.Notify(t.Context(), &notify.Message{Channel: notify.LineWorks, To: to, Text: "*SEV1* 결제 실패"}); err != nil {
			t.Fatalf("send to %s: %v", to, err)
		}
	}
	works := n.client.Transport.(*demoWorks)
	if works.n != 1 {
		t.Errorf("%d tokens fetched for three messages, want 1", works.n)
	}
	if _, err := n.Notify(t.Context(), &notify.Message{Channel: notify.LineWorks, To: "pr", Text: "x"}); !notify.IsPermanent(err) {
		t.Errorf("unknown target: %v", err)
	}

	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	forged := *n.cfg
	forged.PrivateKey = other
	assertion, err := (&tokens{cfg: &forged, now: time.Now}).assertion()
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {assertion},
		"client_id": {n.cfg.ClientID}, "client_secret": {n.cfg.ClientSecret}, "scope": {"bot"}}
	req, _ := http.NewRequest(http.MethodPost, n.cfg.AuthURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _ := works.RoundTrip(req)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("assertion signed with another key: %s", resp.Status)
	}
	req, _ = http.NewRequest(http.MethodPost, n.cfg.APIURL+"/bots/"+n.cfg.BotID+"/channels/demo-room-ops/messages",
		strings.NewReader(`{"content":{"type":"text","text":"hi"}}`))
	req.Header.Set("Authorization", "Bearer made-up")
	if resp, _ := works.RoundTrip(req); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a token never issued: %s", resp.Status)
	}
}
