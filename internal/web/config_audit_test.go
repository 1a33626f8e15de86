package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/sso"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestConfigGrantsAudited: what the config file grants (which team owns each
// service, the sign-on group rules) and its policy (who is told of what) are
// in the audit log from the first start (server.Open) that uses them, once,
// with the state before and after.
func TestConfigGrantsAudited(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		var log []auth.AuditEntry
		policyYAML := "policy:\n  partners:\n    - name: acme\n      from_grade: SEV2\n      webhook: https://acme.example.com/h\n      secret: partner-secret-never-logged\n"
		serve := func(name, owner string, rules []sso.GroupRule) {
			t.Run(name, func(t *testing.T) {
				cat, err := catalog.Parse("c.yaml", []byte("teams:\n  - name: payments\n  - name: platform\nservices:\n  - name: checkout-api\n    team: "+owner+"\n"))
				if err != nil {
					t.Fatal(err)
				}
				cfg := sso.DefaultConfig()
				cfg.OIDC = &sso.OIDC{Issuer: "https://idp.example.com", ClientID: "fb", ClientSecret: "never-logged", RedirectURL: "https://fb.example.com/cb", DefaultRole: auth.Viewer, Groups: rules}
				pol, err := policy.ParseConfig("c.yaml", []byte(policyYAML), nil)
				if err != nil {
					t.Fatal(err)
				}
				srv, err := server.Open(context.Background(), server.Options{DatabaseURL: dbURL, Catalog: cat, Auth: cfg, Policy: pol, Logger: testutil.TestLogger()})
				if err != nil {
					t.Fatal(err)
				}
				defer srv.DB.Close()
				if log, err = srv.Users.Audit(context.Background(), auth.User{Role: auth.Admin}, 0, 100); err != nil {
					t.Fatal(err)
				}
			})
		}
		rules := []sso.GroupRule{{Group: "pay", Team: "payments", Role: "responder"}}
		serve("first start", "payments", rules)
		if len(log) != 3 || log[0].Target != "config:policy" || log[0].Action != "config.policy" || log[1].Target != "config:auth" ||
			log[2].Target != "config:service-owners" || string(log[2].After) != `{"checkout-api":"payments"}` {
			t.Fatalf("first start: %+v", log)
		}
		if strings.Contains(string(log[1].After), "never-logged") || strings.Contains(string(log[0].After), "never-logged") {
			t.Fatal("a secret is in the audit log")
		}
		if !strings.Contains(string(log[0].After), "https://acme.example.com/h") {
			t.Fatalf("the policy entry lacks the partner: %s", log[0].After)
		}
		serve("same config", "payments", rules)
		if len(log) != 3 {
			t.Fatalf("an unchanged config was logged again: %d entries", len(log))
		}
		serve("checkout moves to platform", "platform", rules)
		if len(log) != 4 || log[0].Target != "config:service-owners" || string(log[0].Before) != `{"checkout-api":"payments"}` || string(log[0].After) != `{"checkout-api":"platform"}` {
			t.Fatalf("ownership change: %+v", log[0])
		}
		policyYAML = strings.Replace(policyYAML, "SEV2", "SEV3", 1)
		serve("the partner hears from SEV3", "platform", rules)
		if len(log) != 5 || log[0].Target != "config:policy" || !strings.Contains(string(log[0].Before), `"from_grade":"SEV2"`) ||
			!strings.Contains(string(log[0].After), `"from_grade":"SEV3"`) || log[0].Actor != "config-file" {
			t.Fatalf("policy change: %+v", log[0])
		}
	})
}
