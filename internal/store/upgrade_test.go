package store_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// previousRelease is the release whose databases TestUpgradeFromRelease
// migrates forward. Its dumps are made by scripts/upgrade-testdata.sh.
const previousRelease = "v0.1.0"

// releaseSecrets are the credentials the generating script set up in the
// release's databases, so the test can sign in with them after upgrading.
type releaseSecrets struct {
	User         string            `json:"user"`
	Password     string            `json:"password"`
	DemoPassword string            `json:"demo_password"`
	Tokens       map[string]string `json:"tokens"`
}

// TestUpgradeFromRelease loads a database made by the previous release
// (its demo, incidents through the API, signals through the Alertmanager
// intake, a report, both reviews, action items, a user with a password and
// an API token), starts today's server on it, which migrates it forward,
// and reads everything back through the API.
func TestUpgradeFromRelease(t *testing.T) {
	dir := filepath.Join("testdata", "upgrade", previousRelease)
	var secrets releaseSecrets
	raw, err := os.ReadFile(filepath.Join(dir, "secrets.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &secrets); err != nil {
		t.Fatal(err)
	}
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		ctx := context.Background()
		dialect := "sqlite"
		if strings.HasPrefix(url, "postgres") {
			dialect = "postgres"
		}
		loadDump(t, url, dialect, filepath.Join(dir, dialect+".sql.gz"))
		before := appliedVersions(t, url)
		if len(before) == 0 {
			t.Fatal("the release's dump has no schema_migrations")
		}

		cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
		if err != nil {
			t.Fatal(err)
		}
		run := testutil.StartServer(t, server.Options{DatabaseURL: url, Catalog: cat})

		// Every migration of today's binary is now applied, and those of
		// the release were not run again.
		after := appliedVersions(t, url)
		steps, err := run.Server.DB.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(steps) {
			t.Fatalf("after upgrade %d migrations applied, want all %d", len(after), len(steps))
		}
		for v, at := range before {
			if after[v] != at {
				t.Errorf("migration %d re-applied on upgrade (%s, was %s)", v, after[v], at)
			}
		}

		// The API token made by the release still works.
		token := secrets.Tokens[dialect]
		get := func(path string, into any) {
			t.Helper()
			req, _ := http.NewRequest("GET", run.Base+"/api/v1"+path, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
			}
			if err := json.Unmarshal(body, into); err != nil {
				t.Fatalf("GET %s: %v: %s", path, err, body)
			}
		}
		var me struct {
			Name string `json:"name"`
		}
		get("/me", &me)
		if me.Name != secrets.User {
			t.Fatalf("the release's token acts as %q, want %q", me.Name, secrets.User)
		}

		// Incidents, the demo's and the script's, with their timelines.
		var list struct {
			Items []struct {
				ID     string `json:"id"`
				Title  string `json:"title"`
				Status string `json:"status"`
			} `json:"items"`
		}
		get("/incidents?limit=100", &list)
		var ref string
		for _, it := range list.Items {
			if strings.HasPrefix(it.Title, "업그레이드 전 결제 지연") {
				ref = it.ID
				if it.Status != "resolved" {
					t.Errorf("%s is %s, want resolved", ref, it.Status)
				}
			}
		}
		if ref == "" || len(list.Items) < 4 {
			t.Fatalf("after upgrade the incidents are %+v; want the demo's and the script's", list.Items)
		}
		var timeline struct {
			Items []struct {
				Kind string         `json:"kind"`
				Data map[string]any `json:"data"`
			} `json:"items"`
		}
		get("/incidents/"+ref+"/timeline?limit=200", &timeline)
		kinds := map[string]bool{}
		for _, ev := range timeline.Items {
			kinds[ev.Kind] = true
		}
		for _, k := range []string{"declared", "note", "status_changed"} {
			if !kinds[k] {
				t.Errorf("timeline of %s has no %q event after upgrade: %v", ref, k, kinds)
			}
		}

		// The report with its revisions, both reviews, the action items.
		var rep map[string]any
		get("/incidents/"+ref+"/report", &rep)
		if b, _ := json.Marshal(rep); !strings.Contains(string(b), "커넥션 풀 고갈") {
			t.Errorf("report after upgrade: %s", b)
		}
		var revisions map[string]any
		get("/incidents/"+ref+"/report/revisions", &revisions)
		if b, _ := json.Marshal(revisions); !strings.Contains(string(b), `"number":2`) {
			t.Errorf("report revisions after upgrade: %s", b)
		}
		var rev map[string]any
		get("/incidents/"+ref+"/review", &rev)
		if b, _ := json.Marshal(rev); !strings.Contains(string(b), "team review notes") || !strings.Contains(string(b), "developer review notes") {
			t.Errorf("review after upgrade: %s", b)
		}
		var items struct {
			Items []struct {
				Title string `json:"title"`
			} `json:"items"`
		}
		get("/action-items?incident="+ref, &items)
		if b, _ := json.Marshal(items); !strings.Contains(string(b), "Alert on connection pool saturation") || !strings.Contains(string(b), "load test of checkout") {
			t.Errorf("action items after upgrade: %s", b)
		}

		// Signals that came in through the release's intake.
		var signals map[string]any
		get("/signals?limit=100", &signals)
		if b, _ := json.Marshal(signals); !strings.Contains(string(b), "UpgradeTestHighErrorRate") {
			t.Errorf("signals after upgrade: %s", b)
		}

		// The upgraded database takes new writes too.
		req, _ := http.NewRequest("POST", run.Base+"/api/v1/incidents", strings.NewReader(
			`{"title":"After the upgrade","grade":"SEV4","services":["checkout-api"],"visibility":"internal"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("declare after upgrade: %d %s", resp.StatusCode, body)
		}

		// Users sign in with the passwords set by the release.
		if _, _, _, err := run.Server.Passwords.SignIn(ctx, secrets.User, secrets.Password); err != nil {
			t.Errorf("%s cannot sign in after upgrade: %v", secrets.User, err)
		}
		if _, _, _, err := run.Server.Passwords.SignIn(ctx, "demo-admin", secrets.DemoPassword); err != nil {
			t.Errorf("demo-admin cannot sign in after upgrade: %v", err)
		}
		if _, _, _, err := run.Server.Passwords.SignIn(ctx, secrets.User, "not-the-password"); err == nil {
			t.Error("a wrong password signs in after upgrade")
		}
	})
}

// loadDump runs a gzipped SQL dump against the empty database at url.
// psql meta-commands (pg_dump's \restrict lines) are dropped: the script
// goes through database/sql, not psql.
func loadDump(t *testing.T, url, dialect, file string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), `\`) {
			continue
		}
		script.WriteString(sc.Text())
		script.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// One connection: pg_dump's script sets the search path for the
	// session it runs in.
	conn, err := db.SQL.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), script.String()); err != nil {
		t.Fatalf("load %s dump: %v", dialect, err)
	}
}

// appliedVersions reads schema_migrations: version → applied_at.
func appliedVersions(t *testing.T, url string) map[int]string {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.SQL.Query("SELECT version, applied_at FROM schema_migrations")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var v int
		var at string
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		out[v] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
