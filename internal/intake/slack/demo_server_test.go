package slack_test

import (
	"testing"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/intake"
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
