package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// admin runs a database command of the CLI and returns its output.
func admin(t *testing.T, dbURL string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := NewRoot(&out, &errOut)
	root.SetArgs(append(args, "--database-url", dbURL))
	err := root.ExecuteContext(context.Background())
	return out.String() + errOut.String(), err
}

// TestTokenAndRoleCommands makes, lists and revokes tokens and changes roles
// from the command line; each change is in the audit log.
func TestTokenAndRoleCommands(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		if out, err := admin(t, dbURL, "user", "add", "kim", "--role", "viewer"); err != nil {
			t.Fatalf("user add: %v %s", err, out)
		}
		cfg := filepath.Join(t.TempDir(), "fb.yaml")
		if err := os.WriteFile(cfg, []byte("teams:\n  - name: payments\nservices: []\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := admin(t, dbURL, "user", "grant", "kim", "--team", "nosuch", "--role", "manager", "--config", cfg); err == nil || !strings.Contains(err.Error(), `team: unknown team "nosuch"`) {
			t.Fatalf("grant in an unknown team: %v", err)
		}
		out, err := admin(t, dbURL, "user", "grant", "kim", "--team", "payments", "--role", "manager", "--config", cfg)
		if err != nil || !strings.Contains(out, "kim is now manager in team payments") {
			t.Fatalf("grant: %v %s", err, out)
		}
		if out, err := admin(t, dbURL, "user", "role", "kim", "admin"); err != nil || !strings.Contains(out, "kim is now admin") {
			t.Fatalf("role: %v %s", err, out)
		}
		if _, err := admin(t, dbURL, "token", "create", "--user", "kim", "--scope", "read,root"); err == nil || !strings.Contains(err.Error(), "--scope") {
			t.Fatalf("bad scope: %v", err)
		}
		secret, err := admin(t, dbURL, "token", "create", "--user", "kim", "--team", "payments", "--scope", "intake", "--label", "alerts")
		if err != nil || !strings.HasPrefix(secret, "fbt_") {
			t.Fatalf("token create: %v %s", err, secret)
		}
		list, err := admin(t, dbURL, "token", "list")
		if err != nil || !strings.Contains(list, "team:payments") || !strings.Contains(list, "intake") || strings.Contains(list, strings.TrimSpace(secret)) {
			t.Fatalf("token list: %v\n%s", err, list)
		}
		id := strings.Fields(strings.Split(list, "\n")[1])[0]
		db := testutil.OpenStore(t, dbURL)
		users := auth.NewService(db.Users(), time.Now)
		if u, err := users.Authenticate(context.Background(), strings.TrimSpace(secret)); err != nil || u.Name != "team:payments" {
			t.Fatalf("the new token does not authenticate: %v %+v", err, u)
		}
		if out, err := admin(t, dbURL, "token", "revoke", id); err != nil || !strings.Contains(out, "is revoked") {
			t.Fatalf("revoke: %v %s", err, out)
		}
		if _, err := users.Authenticate(context.Background(), strings.TrimSpace(secret)); err == nil {
			t.Fatal("a revoked token still authenticates")
		}
		if list, _ = admin(t, dbURL, "token", "list"); !strings.Contains(list, "revoked by firebreak") {
			t.Fatalf("after revoking:\n%s", list)
		}
		if _, err := admin(t, dbURL, "token", "revoke", "999"); err == nil {
			t.Fatal("revoking a missing token succeeded")
		}
	})
}

// TestCheckConfigAuthSection: the auth section's errors come with the other
// sections', and a valid one is summarised.
func TestCheckConfigAuthSection(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FB_TEST_OIDC_SECRET", "s3cret")
	out, errOut, err := checkConfig(t, dir, "good.yaml", `teams:
  - name: payments
services: []
auth:
  oidc:
    issuer: https://idp.example.com
    client_id: firebreak
    client_secret_env: FB_TEST_OIDC_SECRET
    redirect_url: https://fb.example.com/auth/oidc/callback
    groups:
      - {group: pay, team: payments, role: responder}
`)
	if err != nil || !strings.Contains(out, "single sign-on through https://idp.example.com with 1 group rules") {
		t.Fatalf("good config: %v %s %s", err, out, errOut)
	}
	_, errOut, err = checkConfig(t, dir, "bad.yaml", `teams:
  - name: payments
services: []
auth:
  oidc:
    issuer: https://idp.example.com
    client_id: firebreak
    redirect_url: https://fb.example.com/auth/oidc/callback
    groups:
      - {group: ops, team: ops, role: responder}
`)
	if err == nil || !strings.Contains(errOut, `bad.yaml:10:28: auth.oidc.groups[0].team: unknown team "ops"`) {
		t.Fatalf("bad config: %v %s", err, errOut)
	}
}
