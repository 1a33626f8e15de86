package demo_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/change"
	"github.com/firebreak-oss/firebreak/internal/demo"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// TestDemoChanges: on a first demo start, the open login incident shows the
// auth deploy as not rollbackable because of the 롤백불가 PR it carries, with
// no version to return to; the config change that landed during the open
// push-notification incident is on its timeline; the release of an unknown
// repository waits for an admin to map it.
func TestDemoChanges(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
		if err != nil {
			t.Fatal(err)
		}
		run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat})
		srv := run.Server
		now := time.Now()
		if _, seeded, err := demo.Seed(ctx, srv.Users, srv.Passwords, srv.Incidents, srv.Catalog, now); err != nil || !seeded {
			t.Fatalf("seed: %v %v", seeded, err)
		}
		if err := demo.SeedChanges(ctx, srv.Changes, srv.Catalog, now); err != nil {
			t.Fatal(err)
		}
		admin := auth.User{Name: demo.AdminName, Role: auth.Admin}
		page, err := srv.Incidents.List(ctx, admin, incident.Filter{Limit: 10}, "")
		if err != nil {
			t.Fatal(err)
		}
		find := func(service string) *incident.Incident {
			for _, inc := range page.Items {
				if inc.Status.Open() && len(inc.Services) == 1 && inc.Services[0] == service {
					return inc
				}
			}
			t.Fatalf("no open demo incident on %s", service)
			return nil
		}
		login := find("auth")
		v, err := srv.Changes.ForIncident(ctx, admin, login.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Changes) == 0 || v.Changes[0].Version != "v5.8.0" || v.Changes[0].Verdict.Rollbackable ||
			v.Changes[0].Verdict.Label != "롤백불가" || !strings.Contains(v.Changes[0].Verdict.PR, "/pull/342") {
			t.Fatalf("newest change of the login incident: %+v", v.Changes)
		}
		if len(v.LastSafe) != 1 || !v.LastSafe[0].Blocked || v.LastSafe[0].Service != "auth" {
			t.Fatalf("last safe: %+v", v.LastSafe)
		}
		push := find("notification-worker")
		// Its own config change and the flag of messaging-gateway, which it depends on.
		if evs := testutil.EventsOfKind(t, srv.DB, push.ID, change.EventLanded); len(evs) != 2 || evs[0].Data["title"] != "worker concurrency 8 → 24" ||
			evs[1].Data["services"] != "messaging-gateway" {
			t.Fatalf("change_landed on the push incident: %+v", evs)
		}
		if evs := testutil.EventsOfKind(t, srv.DB, login.ID, change.EventLanded); len(evs) != 0 {
			t.Fatalf("changes from before the login incident landed on it: %+v", evs)
		}
		unmapped, err := srv.Changes.Unmapped(ctx, admin, 0, 10)
		if err != nil || len(unmapped) != 1 || unmapped[0].Repository != "acme/data-pipeline" {
			t.Fatalf("unmapped: %+v %v", unmapped, err)
		}
	})
}
