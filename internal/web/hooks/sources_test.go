package hooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/smtp"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

const sourcesConfig = `
teams:
  - name: payments
services:
  - name: checkout-api
    team: payments
intake:
  slack:
    signing_secret: slack-signing-secret
  email:
    - from: '^alerts@monitoring\.example\.com$'
      subject: '결제|payment'
      service: checkout-api
      grade: SEV3
      action: triage
  form:
    rate_limit: 2
    rate_window: 10m
`

// TestMailChatAndFormThroughTheServer sends a signal through each of the
// other ways in — alarm mail over SMTP, the Slack command, the public form —
// into one running Firebreak, and finds all three in the triage inbox.
func TestMailChatAndFormThroughTheServer(t *testing.T) {
	cat, err := catalog.Parse("firebreak.yaml", []byte(sourcesConfig))
	if err != nil {
		t.Fatal(err)
	}
	in, err := intake.ParseConfig("firebreak.yaml", []byte(sourcesConfig), func(s string) bool { _, ok := cat.Service(s); return ok })
	if err != nil {
		t.Fatal(err)
	}
	smtpAddr := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	run := testutil.StartServer(t, server.Options{DatabaseURL: testutil.SQLiteURL(t), Catalog: cat, Intake: in, SMTPAddr: smtpAddr})
	ctx := context.Background()
	run.Server.Users.AddUser(ctx, "ops", "", auth.Responder)
	token, _, _ := run.Server.Users.CreateToken(ctx, "ops", "", 0)

	// Alarm mail, with a Korean subject.
	msg := "From: Monitoring <alerts@monitoring.example.com>\r\nTo: incidents@example.com\r\n" +
		"Subject: =?UTF-8?B?" + b64("[장애] 결제 API 응답 지연") + "?=\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\np99 4.2 s on checkout-api\r\n"
	deadline := time.Now().Add(10 * time.Second)
	for {
		err = smtp.SendMail(smtpAddr, nil, "bounce@monitoring.example.com", []string{"incidents@example.com"}, []byte(msg))
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond) // the listener starts with Serve
	}
	if err != nil {
		t.Fatalf("send alarm mail: %v", err)
	}

	// The Slack command, signed as Slack signs it.
	form := url.Values{"command": {"/incident"}, "text": {"report 결제 페이지가 안 열려요"}, "user_id": {"U1"}, "user_name": {"minji"},
		"channel_name": {"general"}, "team_id": {"T1"}}
	body := form.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte("slack-signing-secret"))
	mac.Write([]byte("v0:" + ts + ":" + body))
	req, _ := http.NewRequest("POST", run.Base+"/hooks/slack", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(reply), "SIG-") {
		t.Fatalf("slack command: %d %s", resp.StatusCode, reply)
	}

	// The public form, as someone outside the company.
	resp, err = http.Get(run.Base + "/report")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "checkout-api") {
		t.Fatalf("report form: %d", resp.StatusCode)
	}
	report := url.Values{"service": {"checkout-api"}, "what": {"Checkout fails with error 500 since 10:00"}, "contact": {"kim@example.org"}}
	for i := range 3 {
		resp, err = http.PostForm(run.Base+"/report", report)
		if err != nil {
			t.Fatal(err)
		}
		thanks, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := 200
		if i == 2 { // rate_limit: 2 per address
			want = http.StatusTooManyRequests
		}
		if resp.StatusCode != want || (want == 200 && !strings.Contains(string(thanks), "SIG-")) {
			t.Fatalf("report %d: %d", i+1, resp.StatusCode)
		}
	}

	// All arrive in the triage inbox; the mail was routed by its rule.
	f := &firebreak{base: run.Base, srv: run.Server, admin: token}
	testutil.WaitFor(t, "four signals in triage", func() bool {
		r := f.api(t, "GET", "/signals", nil)
		items, _ := r.body["items"].([]any)
		return len(items) == 4
	})
	raw := f.api(t, "GET", "/signals", nil).raw
	for _, want := range []string{`"source":"email"`, `"title":"결제 API 응답 지연"`, `"service":"checkout-api"`, `"source":"slack"`, `"reporter":"minji"`, `"source":"form"`} {
		if !strings.Contains(raw, want) {
			t.Errorf("triage inbox lacks %s", want)
		}
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
