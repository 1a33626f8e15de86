package notify_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

// writeKey writes a new RSA key as PKCS#8 PEM, the form the LINE WORKS
// Developer Console issues, into dir and returns the key and the file's name.
func writeKey(t *testing.T, dir string) (*rsa.PrivateKey, string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	name := "private_20261205.key"
	if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return k, name
}

func TestConfigReadsTeamsAndLineWorks(t *testing.T) {
	dir := t.TempDir()
	key, keyFile := writeKey(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "oncall.url"), []byte("https://prod-1.westeurope.logic.azure.com/workflows/b/triggers/manual/paths/invoke?sig=2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FB_TEST_TEAMS_OPS", "https://prod-1.westeurope.logic.azure.com/workflows/a/triggers/manual/paths/invoke?sig=1")
	t.Setenv("FB_TEST_LW_SECRET", "s3cret")
	path := filepath.Join(dir, "firebreak.yaml")
	c, err := notify.ParseConfig(path, []byte(`
notify:
  teams:
    channels:
      - name: ops
        webhook_url_env: FB_TEST_TEAMS_OPS
      - name: oncall
        webhook_url_file: oncall.url
      - name: local
        webhook_url: http://127.0.0.1:9/hook
  lineworks:
    client_id: cid
    client_secret_env: FB_TEST_LW_SECRET
    service_account: abc.serviceaccount@example.com
    private_key_file: `+keyFile+`
    bot_id: "2000001"
    targets:
      - name: ops-room
        channel_id: 0f1e2d3c-aaaa-bbbb-cccc-0123456789ab
      - name: kim
        user_id: kim@example.com
`))
	if err != nil {
		t.Fatal(err)
	}
	ops, ok := c.Teams.Channel("oncall")
	if !ok || ops.WebhookURL != "https://prod-1.westeurope.logic.azure.com/workflows/b/triggers/manual/paths/invoke?sig=2" {
		t.Errorf("teams oncall %+v", ops)
	}
	if ch, _ := c.Teams.Channel("ops"); !strings.HasSuffix(ch.WebhookURL, "sig=1") {
		t.Errorf("teams ops %+v", ch)
	}
	lw := c.LineWorks
	if lw.ClientSecret != "s3cret" || lw.AuthURL != notify.DefaultLineWorksAuth || lw.APIURL != notify.DefaultLineWorksAPI ||
		lw.PrivateKey == nil || !lw.PrivateKey.Equal(key) || lw.BotID != "2000001" {
		t.Errorf("lineworks %+v", lw)
	}
	if tg, ok := lw.Target("kim"); !ok || tg.UserID != "kim@example.com" || tg.ChannelID != "" {
		t.Errorf("lineworks target kim %+v", tg)
	}
	if !c.HasTarget(notify.Teams, "local") || c.HasTarget(notify.Teams, "ops-room") || !c.HasTarget(notify.LineWorks, "ops-room") {
		t.Error("HasTarget mixes up the channels")
	}
}

func TestConfigTeamsAndLineWorksErrorsNameLineAndField(t *testing.T) {
	_, err := notify.ParseConfig("f.yaml", []byte(`notify:
  teams:
    channels:
      - name: Ops Room
        webhook_url: http://teams.example.com/hook?sig=secret
      - name: b
        webhook_url: https://x.example.com/
        webhook_url_env: FB_TEST_NOT_SET_ANYWHERE
  lineworks:
    client_id: cid
    client_secret: s
    private_key: not a key
    bot_id: "2000001"
    api_url: ftp://x
    targets:
      - name: both
        channel_id: c1
        user_id: u1
      - name: bad-id
        channel_id: a/b
`))
	if err == nil {
		t.Fatal("bad section accepted")
	}
	for _, want := range []string{
		`f.yaml:4:15: notify.teams.channels[0].name: must be lower-case letters`,
		`f.yaml:5:22: notify.teams.channels[0].webhook_url: must use https (plain http only to 127.0.0.1, ::1 or localhost); got "http://teams.example.com/…"`,
		`f.yaml:8:26: notify.teams.channels[1].webhook_url_env: environment variable FB_TEST_NOT_SET_ANYWHERE is not set`,
		`f.yaml:8:26: notify.teams.channels[1]: give one of webhook_url, webhook_url_env and webhook_url_file; got webhook_url and webhook_url_env`,
		`notify.lineworks.service_account: required`,
		`f.yaml:12:18: notify.lineworks.private_key: must be an RSA private key in PEM`,
		`f.yaml:14:14: notify.lineworks.api_url: must be an absolute https URL`,
		`f.yaml:16:9: notify.lineworks.targets[0]: give either channel_id`,
		`f.yaml:20:21: notify.lineworks.targets[1].channel_id: must be an ID as LINE WORKS shows it`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "sig=secret") {
		t.Errorf("an error shows the webhook's signature:\n%v", err)
	}
}
