package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/change"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/intake/slack"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/review/tracker"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/web/hooks"
)

// The secrets of every intake hook in TestHooksDenySame.
const (
	hookBearer  = "am-shared-token-6b1f"
	hookHMAC    = "generic-secret-0c9e"
	hookChanges = "changes-secret-77aa"
	hookGitHub  = "github-secret-13d2"
	hookTracker = "tracker-secret-9e41"
	hookSlack   = "slack-signing-secret-55c0"
)

// hookCall is one request to an intake hook: its path, body and headers.
type hookCall struct {
	path   string
	body   string
	header map[string]string
}

// TestHooksDenySame: every intake hook answers a request whose credentials
// are missing, malformed or wrong (and, for the signed hooks, stale) with
// the same status, body and headers, and still accepts a right one. The
// hooks do the same work on each of these paths (the HMAC is computed, the
// bearer token is compared and looked up whatever the header holds); that
// is stated in the code, not timed here.
func TestHooksDenySame(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		cat, err := catalog.Parse("test.yaml", []byte(accessCatalog))
		if err != nil {
			t.Fatal(err)
		}
		in := intake.DefaultConfig()
		in.Alertmanager.Token = hookBearer
		in.Grafana.Token = hookBearer
		in.Generic.Secret = hookHMAC
		in.Slack.SigningSecret = hookSlack
		ch := change.DefaultConfig()
		ch.WebhookSecret = hookChanges
		ch.GitHubSecret = hookGitHub
		rv := review.DefaultConfig()
		rv.GitHub.WebhookSecret = hookTracker
		rv.GitHub.Repo = "acme/actions"
		rv.Jira.WebhookSecret = hookTracker
		run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Intake: in, Changes: ch, Review: rv,
			Trackers: map[review.Tracker]review.IssueTracker{}})
		ctx := context.Background()
		if _, err := run.Server.Users.AddUser(ctx, "writer", "", auth.Responder); err != nil {
			t.Fatal(err)
		}
		// A real API token without the intake scope is a wrong token too.
		noIntake, _, err := run.Server.Users.OperatorToken(ctx, auth.TokenRequest{User: "writer", Scopes: []auth.Scope{auth.ScopeRead, auth.ScopeWrite}})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		ts := strconv.FormatInt(now.Unix(), 10)
		stale := now.Add(-2 * time.Hour).Unix()

		alert := `{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"Deny","service":"checkout-api"},"startsAt":"2026-11-25T01:00:00Z"}]}`
		bearerCases := func(path string) (hookCall, []hookCall) {
			with := func(v string) hookCall {
				h := map[string]string{"Content-Type": "application/json"}
				if v != "" {
					h["Authorization"] = v
				}
				return hookCall{path, alert, h}
			}
			return with("Bearer " + hookBearer), []hookCall{
				with(""), with("Basic " + hookBearer), with("Bearer"), with("Bearer fbt_not-a-token"),
				with("Bearer wrong-" + hookBearer), with("Bearer " + noIntake), with("Bearer " + hookBearer[:len(hookBearer)-1]),
			}
		}
		signal := `{"title":"Deny","labels":{"service":"checkout-api"}}`
		hmacCases := func(path, secret, body string) (hookCall, []hookCall) {
			with := func(tsv, sig string) hookCall {
				h := map[string]string{"Content-Type": "application/json"}
				if tsv != "" {
					h[intake.HeaderTimestamp] = tsv
				}
				if sig != "" {
					h[intake.HeaderSignature] = sig
				}
				return hookCall{path, body, h}
			}
			return with(ts, intake.Sign(secret, now.Unix(), []byte(body))), []hookCall{
				with("", ""), with(ts, ""), with("yesterday", "sha256=zz"),
				with(ts, intake.Sign("wrong", now.Unix(), []byte(body))),
				with(strconv.FormatInt(stale, 10), intake.Sign(secret, stale, []byte(body))),
			}
		}
		hubCases := func(path, header, event, secret, body string) (hookCall, []hookCall) {
			with := func(sig string) hookCall {
				h := map[string]string{"Content-Type": "application/json", "X-GitHub-Event": event}
				if sig != "" {
					h[header] = sig
				}
				return hookCall{path, body, h}
			}
			return with(tracker.Sign(secret, []byte(body))), []hookCall{
				with(""), with("sha256=zz"), with("sha1=" + tracker.Sign(secret, []byte(body))[7:]),
				with(tracker.Sign("wrong", []byte(body))), with(tracker.Sign(secret, []byte(body+" "))),
			}
		}
		slackBody := "command=%2Fincident&text=help&user_id=U1&user_name=someone&team_id=T1"
		slackCases := func() (hookCall, []hookCall) {
			with := func(tsv, sig string) hookCall {
				h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
				if tsv != "" {
					h[slack.HeaderTimestamp] = tsv
				}
				if sig != "" {
					h[slack.HeaderSignature] = sig
				}
				return hookCall{"/hooks/slack", slackBody, h}
			}
			old := strconv.FormatInt(stale, 10)
			return with(ts, slack.Sign(hookSlack, ts, []byte(slackBody))), []hookCall{
				with("", ""), with(ts, ""), with("x", "v0=zz"), with(ts, slack.Sign("wrong", ts, []byte(slackBody))),
				with(old, slack.Sign(hookSlack, old, []byte(slackBody))),
			}
		}

		type hook struct {
			name  string
			good  hookCall
			wrong []hookCall
		}
		var all []hook
		add := func(name string, good hookCall, wrong []hookCall) { all = append(all, hook{name, good, wrong}) }
		g, w := bearerCases("/hooks/alertmanager")
		add("alertmanager", g, w)
		g, w = bearerCases("/hooks/grafana")
		add("grafana", g, w)
		g, w = hmacCases("/hooks/generic", hookHMAC, signal)
		add("generic", g, w)
		g, w = hmacCases("/hooks/changes", hookChanges, `{"id":"deny-1","service":"checkout-api","environment":"production","kind":"deploy","title":"v1"}`)
		add("changes", g, w)
		g, w = hubCases("/hooks/github", "X-Hub-Signature-256", "ping", hookGitHub, `{"zen":"deny"}`)
		add("github", g, w)
		g, w = hubCases("/hooks/tracker/github", "X-Hub-Signature-256", "ping", hookTracker, `{"zen":"deny"}`)
		add("tracker/github", g, w)
		g, w = hubCases("/hooks/tracker/jira", "X-Hub-Signature", "", hookTracker,
			`{"webhookEvent":"jira:issue_updated","issue":{"key":"OPS-404","fields":{"status":{"name":"Done","statusCategory":{"key":"done"}}}}}`)
		add("tracker/jira", g, w)
		g, w = slackCases()
		add("slack", g, w)

		for _, h := range all {
			t.Run(h.name, func(t *testing.T) {
				if got := sendHook(t, run.Base, h.good); got.status == http.StatusUnauthorized || got.status == http.StatusNotFound {
					t.Fatalf("right credentials refused: %d %s", got.status, got.body)
				}
				first := sendHook(t, run.Base, h.wrong[0])
				if first.status != http.StatusUnauthorized || !bytes.Contains(first.body, []byte(`"detail":"`+hooks.DeniedDetail+`"`)) {
					t.Fatalf("missing credentials: %d %s", first.status, first.body)
				}
				for i, c := range h.wrong[1:] {
					got := sendHook(t, run.Base, c)
					if got.status != first.status || !bytes.Equal(got.body, first.body) {
						t.Errorf("case %d (%v): %d %s, want %d %s", i+1, c.header, got.status, got.body, first.status, first.body)
					}
					if got.header != first.header {
						t.Errorf("case %d (%v): headers\n%s\nwant\n%s", i+1, c.header, got.header, first.header)
					}
				}
			})
		}
	})
}

type hookAnswer struct {
	status int
	body   []byte
	header string // every header but Date, sorted
}

func sendHook(t *testing.T, base string, c hookCall) hookAnswer {
	t.Helper()
	req, err := http.NewRequest("POST", base+c.path, bytes.NewReader([]byte(c.body)))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	resp.Header.Del("Date")
	var hdr bytes.Buffer
	_ = resp.Header.WriteSubset(&hdr, nil)
	return hookAnswer{resp.StatusCode, body, hdr.String()}
}
