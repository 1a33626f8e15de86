package cli

import (
	"context"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// twoTeams starts a server whose catalog has payments (owning checkout-api)
// and platform, and makes a write token for a responder of each: kim of
// payments and lee of platform.
func twoTeams(t *testing.T, dbURL string) (run *testutil.Running, pay, plat string) {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.Parse("c.yaml", []byte("teams:\n  - name: payments\n  - name: platform\nservices:\n  - name: checkout-api\n    team: payments\n"))
	if err != nil {
		t.Fatal(err)
	}
	run = testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat})
	op := auth.User{Name: auth.SystemActor, Role: auth.Admin}
	token := func(name, team string) string {
		if _, err := run.Server.Users.AddUser(ctx, name, "", auth.Viewer); err != nil {
			t.Fatal(err)
		}
		if _, err := run.Server.Users.SetTeamRole(ctx, op, name, team, auth.TeamResponder); err != nil {
			t.Fatal(err)
		}
		secret, _, err := run.Server.Users.OperatorToken(ctx, auth.TokenRequest{User: name, Scopes: []auth.Scope{auth.ScopeWrite}})
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	return run, token("kim", "payments"), token("lee", "platform")
}
