package ofrep_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// testConfig is a catalog and the switches the tests read: the issue's
// kill switch, a string and a number variant switch.
const testConfig = `
teams:
  - name: payments
services:
  - name: checkout-api
    team: payments
flags:
  - key: new-payment-sheet
    service: checkout-api
    description: 새 결제 시트 New payment sheet
    default: "on"
    rules:
      - variant: "off"
        when:
          - {attribute: platform, op: eq, value: ios}
          - {attribute: appVersion, op: semver_lt, value: 5.2.0}
  - key: checkout-theme
    service: checkout-api
    type: string
    default: classic
    variants: {classic: classic, compact: compact}
    rules:
      - variant: compact
        when:
          - {attribute: country, op: in, values: [KR, JP]}
  - key: retry-limit
    service: checkout-api
    type: number
    default: normal
    variants: {normal: 3, storm: 0.5}
  - key: staff-only
    service: checkout-api
    default: "off"
    rules:
      - variant: "on"
        when:
          - {attribute: targetingKey, op: starts_with, value: staff-}
`

// site is a running Firebreak with tokens for the tests.
type site struct {
	base  string
	srv   *server.Server
	flags string // flags:read only
	write string // read and write, of an admin
	other string // intake only: may not read flags
}

func options(t testing.TB, dbURL string) server.Options {
	t.Helper()
	cat, err := catalog.Parse("test.yaml", []byte(testConfig))
	if err != nil {
		t.Fatal(err)
	}
	defs, err := flag.ParseConfig("test.yaml", []byte(testConfig), func(s string) bool { _, ok := cat.Service(s); return ok })
	if err != nil {
		t.Fatal(err)
	}
	return server.Options{DatabaseURL: dbURL, Catalog: cat, Flags: defs}
}

func startSite(t testing.TB, dbURL string) *site {
	t.Helper()
	run := testutil.StartServer(t, options(t, dbURL))
	return siteOf(t, run)
}

func siteOf(t testing.TB, run *testutil.Running) *site {
	t.Helper()
	ctx := context.Background()
	users := run.Server.Users
	if _, err := users.AddUser(ctx, "ada", "", auth.Admin); err != nil && fail.CodeOf(err) != fail.Conflict {
		t.Fatal(err)
	}
	tok := func(scopes ...auth.Scope) string {
		s, _, err := users.OperatorToken(ctx, auth.TokenRequest{User: "ada", Scopes: scopes})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	return &site{base: run.Base, srv: run.Server, flags: tok(auth.ScopeFlagsRead), write: tok(auth.ScopeRead, auth.ScopeWrite),
		other: tok(auth.ScopeIntake)}
}

// answer is an HTTP answer read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer %d is not JSON: %v\n%s", a.status, err, a.body)
	}
	return m
}

func do(t testing.TB, method, url string, body []byte, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}
