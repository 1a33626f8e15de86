package hooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/change"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

const changesConfig = `
teams:
  - name: payments
services:
  - name: checkout-api
    team: payments
    depends_on: [ledger]
    repositories:
      - repo: acme/shop
  - name: ledger
    team: payments
changes:
  github_secret: github-secret-0123456789
  webhook_secret: change-secret-0123456789
  environments: [production]
`

const githubSecret, changeSecret = "github-secret-0123456789", "change-secret-0123456789"

func startChanges(t *testing.T, dbURL string) *firebreak {
	t.Helper()
	cat, err := catalog.Parse("firebreak.yaml", []byte(changesConfig))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := change.ParseConfig("firebreak.yaml", []byte(changesConfig))
	if err != nil {
		t.Fatal(err)
	}
	run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Changes: cfg})
	return &firebreak{base: run.Base, srv: run.Server}
}

// github sends a fixture as GitHub does: the event and delivery headers and
// the body's HMAC-SHA256 under the secret (none when secret is "").
func (f *firebreak) github(t *testing.T, event, fixture, delivery, secret string) reply {
	t.Helper()
	body, err := os.ReadFile("testdata/github/" + fixture)
	if err != nil {
		t.Fatal(err)
	}
	h := map[string]string{"X-GitHub-Event": event, "X-GitHub-Delivery": delivery, "User-Agent": "GitHub-Hookshot/test"}
	if secret != "" {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		h["X-Hub-Signature-256"] = "sha256=" + hex.EncodeToString(m.Sum(nil))
	}
	return f.post(t, "/hooks/github", h, body)
}

func countChanges(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL.QueryRow("SELECT COUNT(*) FROM changes").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestGitHubChangeWebhook(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		f := startChanges(t, url)
		db := f.srv.DB
		ctx := context.Background()

		f.github(t, "ping", "ping.json", "d-0", githubSecret).want(t, 200)
		// Unsigned and wrongly signed deliveries are refused; nothing is stored.
		f.github(t, "pull_request", "pull_request_merged.json", "d-1", "").want(t, 401)
		f.github(t, "pull_request", "pull_request_merged.json", "d-1", "not-the-secret-at-all").want(t, 401)
		if n := countChanges(t, db); n != 0 {
			t.Fatalf("%d changes stored from refused deliveries", n)
		}

		// A merged PR labelled 롤백불가: its verdict names the PR and the label.
		r := f.github(t, "pull_request", "pull_request_merged.json", "d-2", githubSecret).want(t, 201)
		pr, err := db.Changes().GetChange(ctx, int64(r.body["id"].(float64)))
		if err != nil {
			t.Fatal(err)
		}
		if pr.Kind != change.KindCode || pr.Verdict.Rollbackable || pr.Verdict.Label != "롤백불가" ||
			pr.Verdict.PR != "https://github.com/acme/shop/pull/42" || len(pr.Services) != 1 || pr.Services[0] != "checkout-api" {
			t.Fatalf("merged PR stored as %+v", pr)
		}
		// GitHub retries the same delivery: stored once.
		f.github(t, "pull_request", "pull_request_merged.json", "d-2", githubSecret).want(t, 200)
		f.github(t, "pull_request", "pull_request_closed_unmerged.json", "d-3", githubSecret).want(t, 200)
		f.github(t, "pull_request", "pull_request_merged_other_branch.json", "d-3b", githubSecret).want(t, 200)
		f.github(t, "deployment_status", "deployment_status_staging.json", "d-3c", githubSecret).want(t, 200)
		if n := countChanges(t, db); n != 1 {
			t.Fatalf("%d changes after a retry, an unmerged PR, a PR to another branch and a staging deploy, want 1", n)
		}

		// An open incident on the service, started before the fixtures'
		// deploy: the deploy that carries the PR lands on its timeline, and
		// inherits the PR's verdict.
		fixtureStart := time.Date(2026, 12, 5, 7, 0, 0, 0, time.UTC)
		inc := &incident.Incident{Title: "결제 실패 증가", Grade: incident.SEV2, Status: incident.Investigating, Source: "manual",
			Visibility: incident.Internal, Services: []string{"checkout-api"}, Labels: map[string]string{}, Roles: map[incident.Role]string{},
			CreatedBy: "ops", StartedAt: fixtureStart, DetectedAt: fixtureStart, CreatedAt: fixtureStart, UpdatedAt: fixtureStart}
		if err := db.Incidents().CreateIncident(ctx, inc, nil); err != nil {
			t.Fatal(err)
		}
		r = f.github(t, "deployment_status", "deployment_status_success.json", "d-4", githubSecret).want(t, 201)
		deploy, err := db.Changes().GetChange(ctx, int64(r.body["id"].(float64)))
		if err != nil {
			t.Fatal(err)
		}
		if deploy.Kind != change.KindDeploy || deploy.Version != "v2.14.0" || deploy.Verdict.Rollbackable ||
			deploy.Verdict.PR != "https://github.com/acme/shop/pull/42" || deploy.Verdict.Label != "롤백불가" {
			t.Fatalf("deploy stored as %+v", deploy)
		}
		// The deployment event of the same deployment is the same deploy.
		f.github(t, "deployment", "deployment_created.json", "d-5", githubSecret).want(t, 200)
		ev, err := db.Incidents().LatestEvent(ctx, inc.ID, change.EventLanded)
		if err != nil || ev == nil || ev.Data["version"] != "v2.14.0" || ev.Data["rollbackable"] != false {
			t.Fatalf("change_landed on the open incident: %+v %v", ev, err)
		}

		// A release of a repository the catalog does not know: kept unmapped.
		r = f.github(t, "release", "release_published_unknown_repo.json", "d-6", githubSecret).want(t, 201)
		if r.body["status"] != "recorded, unmapped" {
			t.Fatalf("release answer %v", r.body)
		}
		unmapped, err := db.Changes().ListUnmapped(ctx, 0, 10)
		if err != nil || len(unmapped) != 1 || unmapped[0].Repository != "acme/reporting" || unmapped[0].Hint == "" {
			t.Fatalf("unmapped = %+v %v", unmapped, err)
		}
	})
}

func TestGenericChangeWebhook(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		f := startChanges(t, url)
		send := func(body, secret string, at time.Time) reply {
			ts := at.Unix()
			h := map[string]string{intake.HeaderTimestamp: strconv.FormatInt(ts, 10)}
			if secret != "" {
				h[intake.HeaderSignature] = intake.Sign(secret, ts, []byte(body))
			}
			return f.post(t, "/hooks/changes", h, []byte(body))
		}
		body := `{"id":"argocd-ledger-1","kind":"deploy","services":["ledger"],"version":"1.8.2","title":"Argo CD sync ledger",
			"links":[{"title":"Argo CD","url":"https://argocd.acme.example/applications/ledger"}],"not_rollbackable":"drops the v1 API"}`
		send(body, "", time.Now()).want(t, 401)
		send(body, "wrong-secret-0123456789", time.Now()).want(t, 401)
		send(body, changeSecret, time.Now().Add(-time.Hour)).want(t, 401) // outside the replay window
		if n := countChanges(t, f.srv.DB); n != 0 {
			t.Fatalf("%d changes stored from refused calls", n)
		}
		r := send(`{"kind":"rollout","services":["ledger"]}`, changeSecret, time.Now()).want(t, 400)
		if r.body["field"] != "kind" {
			t.Fatalf("bad kind answer %v", r.body)
		}
		send(`{"kind":"deploy","at":"yesterday"}`, changeSecret, time.Now()).want(t, 400)
		r = send(body, changeSecret, time.Now()).want(t, 201)
		verdict := r.body["verdict"].(map[string]any)
		if verdict["rollbackable"] != false || verdict["reason"] != "drops the v1 API" {
			t.Fatalf("verdict %v", verdict)
		}
		send(body, changeSecret, time.Now()).want(t, 200) // the sender's retry
		r = send(`{"kind":"config","services":["no-such-service"],"title":"raise pool size"}`, changeSecret, time.Now()).want(t, 201)
		if r.body["status"] != "recorded, unmapped" {
			t.Fatalf("unknown service answer %v", r.body)
		}
		if n := countChanges(t, f.srv.DB); n != 2 {
			t.Fatalf("%d changes, want 2", n)
		}
	})
}

// TestChangesAPI: recorded changes page by cursor, newest first; an
// unmapped change is listed for the admin and, once mapped, found among its
// service's changes; bad input names the field and stores nothing; the
// changes of a restricted incident are hidden from who may not see it.
func TestChangesAPI(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		f := startChanges(t, url)
		ctx := context.Background()
		users := f.srv.Users
		if _, err := users.AddUser(ctx, "ops", "", auth.Admin); err != nil {
			t.Fatal(err)
		}
		if _, err := users.AddUser(ctx, "kim", "", auth.Responder); err != nil {
			t.Fatal(err)
		}
		admin, _, err := users.CreateToken(ctx, "ops", "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		kim, _, err := users.CreateToken(ctx, "kim", "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		call := func(token, method, path string, body any) reply {
			f.admin = token
			return f.api(t, method, path, body)
		}
		base := time.Now().Add(-10 * time.Hour).UTC()
		for i := range 5 {
			call(kim, "POST", "/changes", map[string]any{"id": "d" + strconv.Itoa(i), "kind": "deploy", "services": []string{"ledger"},
				"version": "v1." + strconv.Itoa(i), "at": base.Add(time.Duration(i) * time.Hour).Format(time.RFC3339)}).want(t, 201)
		}
		for _, bad := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"kind": "deploy", "services": []string{"ledger"}, "version": "v9", "links": []map[string]string{{"url": "javascript:alert(1)"}}}, "links[0]"},
			{map[string]any{"kind": "deploy", "services": []string{"ledger"}, "version": "v9", "at": time.Now().Add(3 * time.Hour).Format(time.RFC3339)}, "at"},
			{map[string]any{"kind": "deploy", "services": []string{"ledger"}}, "title"},
		} {
			if r := call(kim, "POST", "/changes", bad.body).want(t, 400); r.body["field"] != bad.field {
				t.Errorf("bad %v: field %v", bad.body, r.body["field"])
			}
		}
		var seen []string
		cursor := ""
		for range 5 {
			r := call(kim, "GET", "/changes?service=ledger&limit=2&cursor="+cursor, nil).want(t, 200)
			for _, it := range r.body["items"].([]any) {
				seen = append(seen, it.(map[string]any)["version"].(string))
			}
			if cursor, _ = r.body["next_cursor"].(string); cursor == "" {
				break
			}
		}
		if strings.Join(seen, ",") != "v1.4,v1.3,v1.2,v1.1,v1.0" {
			t.Fatalf("pages: %v", seen)
		}
		call(kim, "GET", "/changes?cursor=garbage", nil).want(t, 400)
		call(kim, "GET", "/changes?service=nope", nil).want(t, 400)

		r := call(kim, "POST", "/changes", map[string]any{"kind": "config", "repository": "acme/unknown", "title": "pool size"}).want(t, 201)
		id := strconv.Itoa(int(r.body["id"].(float64)))
		call(kim, "GET", "/changes/unmapped", nil).want(t, 403)
		if r := call(admin, "GET", "/changes/unmapped", nil).want(t, 200); len(r.body["items"].([]any)) != 1 {
			t.Fatalf("unmapped: %s", r.raw)
		}
		call(kim, "POST", "/changes/"+id+"/map", map[string]any{"services": []string{"ledger"}}).want(t, 403)
		if r := call(admin, "POST", "/changes/"+id+"/map", map[string]any{"services": []string{"nope"}}).want(t, 400); r.body["field"] != "services[0]" {
			t.Fatalf("map to an unknown service: %s", r.raw)
		}
		call(admin, "POST", "/changes/"+id+"/map", map[string]any{"services": []string{"ledger"}}).want(t, 200)
		call(admin, "POST", "/changes/"+id+"/map", map[string]any{"services": []string{"ledger"}}).want(t, 409)
		if r := call(kim, "GET", "/changes?service=ledger&limit=1", nil).want(t, 200); r.body["items"].([]any)[0].(map[string]any)["title"] != "pool size" {
			t.Fatalf("the mapped change is not the newest of ledger: %s", r.raw)
		}

		// A restricted incident of checkout-api (which depends on ledger).
		start := time.Now().Add(-2 * time.Hour)
		inc, err := f.srv.Incidents.Declare(ctx, auth.User{Name: "ops", Role: auth.Admin}, incident.Declaration{Title: "보안 점검",
			Grade: incident.SEV2, Services: []string{"checkout-api"}, Visibility: incident.Restricted, StartedAt: &start})
		if err != nil {
			t.Fatal(err)
		}
		call(kim, "GET", "/incidents/"+inc.Ref()+"/changes", nil).want(t, 404)
		call(kim, "POST", "/incidents/"+inc.Ref()+"/mitigate", map[string]any{}).want(t, 404)
		r = call(admin, "GET", "/incidents/"+inc.Ref()+"/changes", nil).want(t, 200)
		if n := len(r.body["changes"].([]any)); n != 6 {
			t.Fatalf("%d changes around the incident, want the 6 of ledger: %s", n, r.raw)
		}
		if r := call(admin, "POST", "/incidents/"+inc.Ref()+"/mitigate", map[string]any{"mitigated_at": "soon"}).want(t, 400); r.body["field"] != "mitigated_at" {
			t.Fatalf("bad mitigated_at: %s", r.raw)
		}
		call(admin, "POST", "/incidents/"+inc.Ref()+"/mitigate", map[string]any{"mitigated_at": start.Add(time.Minute).Format(time.RFC3339)}).want(t, 200)
	})
}
