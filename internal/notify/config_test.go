package notify_test

import (
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

func TestConfigReadsChannels(t *testing.T) {
	c, err := notify.ParseConfig("f.yaml", []byte(`
notify:
  email:
    smtp: mail.example.com:587
    from: "Firebreak <firebreak@example.com>"
    username: fb
    password: pw
  slack:
    token: xoxb-123
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Email == nil || c.Email.Host != "mail.example.com" || c.Email.Port != 587 || c.Email.TLS != "starttls" || c.Email.Username != "fb" {
		t.Errorf("email %+v", c.Email)
	}
	if c.Slack == nil || c.Slack.Token != "xoxb-123" || c.Slack.APIURL != notify.DefaultSlackAPI {
		t.Errorf("slack %+v", c.Slack)
	}
	off, err := notify.ParseConfig("f.yaml", []byte("teams: []\n"))
	if err != nil || off.Email != nil || off.Slack != nil {
		t.Errorf("no section: %+v, %v", off, err)
	}
}

func TestConfigErrorsNameLineAndField(t *testing.T) {
	_, err := notify.ParseConfig("f.yaml", []byte(`notify:
  email:
    smtp: mail.example.com
    from: nobody
    tls: maybe
  slack:
    token: secret
    api_url: slack
  sms: {}
`))
	if err == nil {
		t.Fatal("bad section accepted")
	}
	for _, want := range []string{
		"f.yaml:3:11: notify.email.smtp: must be host:port",
		"f.yaml:4:11: notify.email.from: must be an address",
		"f.yaml:5:10: notify.email.tls: must be starttls, tls or none",
		"f.yaml:7:12: notify.slack.token: must be a bot token",
		"f.yaml:8:14: notify.slack.api_url: must be an absolute http(s) URL",
		"f.yaml:9:3: notify.sms: unknown field",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
	_, err = notify.ParseConfig("f.yaml", []byte("notify:\n  email:\n    tls: none\n"))
	if err == nil || !strings.Contains(err.Error(), "notify.email.smtp: required") {
		t.Errorf("missing smtp: %v", err)
	}
}
