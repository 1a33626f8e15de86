package slack_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/intake/slack"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// startDemoSlack runs Firebreak with the demo catalog, taking slash
// commands signed with the tests' signing secret.
func startDemoSlack(t *testing.T, dbURL string) *testutil.Running {
	t.Helper()
	cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	in := intake.DefaultConfig()
	in.Slack.SigningSecret = secret
	return testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Intake: in})
}

// sendCommand posts the slash command text as the Slack user to a running
// Firebreak, signed by sig (signedBySecret for a good signature).
func sendCommand(t *testing.T, run *testutil.Running, user, text string, sig func(ts int64, body string) string) response {
	t.Helper()
	form, _ := url.ParseQuery(slackBody(text))
	form.Set("user_name", user)
	body := form.Encode()
	ts := time.Now().Unix()
	req, _ := http.NewRequest("POST", run.Base+"/hooks/slack", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(slack.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(slack.HeaderSignature, sig(ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	res := response{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type")}
	_ = json.NewDecoder(resp.Body).Decode(&res)
	return res
}

// signedBySecret signs as Slack does with the tests' signing secret.
func signedBySecret(ts int64, body string) string { return sign(secret, ts, body) }
