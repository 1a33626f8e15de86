package lineworks_test

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/notify/lineworks"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// The token endpoint takes the assertion signed with the service account's
// key, and refuses one signed with another key or naming another account,
// for good.
func TestAssertionIsCheckedByTheTokenEndpoint(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	lw := testutil.StartLineWorks(t, "client-1", "secret-1", "sa1.serviceaccount@example.com", "2000001", &key.PublicKey)
	cfg := func(k *rsa.PrivateKey, account string) *notify.LineWorksConfig {
		return &notify.LineWorksConfig{ClientID: "client-1", ClientSecret: "secret-1", ServiceAccount: account, PrivateKey: k,
			AuthURL: lw.AuthURL}
	}
	for _, c := range []struct {
		cfg  *notify.LineWorksConfig
		want string // "" for a token
	}{
		{cfg(key, "sa1.serviceaccount@example.com"), ""},
		{cfg(other, "sa1.serviceaccount@example.com"), "signature does not verify"},
		{cfg(key, "sa2.serviceaccount@example.com"), "sub must be the service account"},
	} {
		c.cfg.BotID, c.cfg.APIURL = "2000001", lw.APIURL
		c.cfg.Targets = []notify.LineWorksTarget{{Name: "kim", UserID: "kim@example.com"}}
		_, err := lineworks.New(c.cfg, time.Now).Notify(t.Context(), &notify.Message{Channel: notify.LineWorks, To: "kim", Text: "hi"})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.cfg.ServiceAccount, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !notify.IsPermanent(err)):
			t.Errorf("want a permanent %q, got %v", c.want, err)
		}
	}
}
