package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestAuditLog makes each kind of audited change through the API and reads
// it back from the log, paged and exported, and checks that the database
// refuses to change or delete an entry.
func TestAuditLog(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		ctx := context.Background()
		internalRef, publicRef := f.incident[incident.Internal], f.incident[incident.Public]

		if r := f.call(t, payResponder, "PATCH", "/api/v1/incidents/"+internalRef, map[string]any{"visibility": "restricted"}); r.status != 403 {
			t.Fatalf("a responder restricted an incident: %d %s", r.status, r.body)
		}
		if r := f.call(t, payManager, "PATCH", "/api/v1/incidents/"+internalRef, map[string]any{"visibility": "restricted"}); r.status != 200 {
			t.Fatalf("the owning team's manager could not restrict: %d %s", r.status, r.body)
		}
		// An incident the admin has no part in: only the admin role lets them act.
		var theirs struct{ ID string }
		r := f.call(t, payResponder, "POST", "/api/v1/incidents", map[string]any{"title": "Refunds slow", "grade": "SEV3", "services": []string{"checkout-api"}})
		if json.Unmarshal([]byte(r.body), &theirs); r.status != 201 {
			t.Fatalf("declare: %d %s", r.status, r.body)
		}
		if r := f.call(t, admin, "POST", "/api/v1/incidents/"+theirs.ID+"/notes", map[string]any{"text": "admin steps in"}); r.status != 201 {
			t.Fatalf("admin note: %d %s", r.status, r.body)
		}
		// The team's responder writes its report (no organisation role needed).
		if r := f.call(t, payResponder, "POST", "/api/v1/incidents/"+theirs.ID+"/report", map[string]any{}); r.status != 201 {
			t.Fatalf("the owning team's responder could not start the report: %d %s", r.status, r.body)
		}
		// Restricted by its team's manager, it is still open to the admin, who
		// is not a member: opening it is an override too (lists are not).
		if r := f.call(t, payManager, "PATCH", "/api/v1/incidents/"+theirs.ID, map[string]any{"visibility": "restricted"}); r.status != 200 {
			t.Fatalf("restrict: %d %s", r.status, r.body)
		}
		if r := f.call(t, admin, "GET", "/api/v1/incidents/"+theirs.ID, nil); r.status != 200 {
			t.Fatalf("admin opens a restricted incident: %d", r.status)
		}
		if r := f.call(t, admin, "GET", "/api/v1/incidents/"+theirs.ID+"/report/export?format=md", nil); r.status != 200 {
			t.Fatalf("admin exports the report of a restricted incident: %d", r.status)
		}
		f.call(t, admin, "GET", "/api/v1/incidents", nil)
		f.call(t, member, "GET", "/api/v1/incidents/"+f.incident[incident.Restricted]+"/report", nil)
		f.call(t, member, "GET", "/api/v1/incidents/"+f.incident[incident.Restricted], nil)

		// A token made, listed without its secret, used, revoked.
		before := len(tokensOf(t, f, payResponder))
		if r := f.call(t, payResponder, "POST", "/api/v1/tokens", map[string]any{"scopes": []string{"read", "admin"}}); r.status != 400 || !strings.Contains(r.body, `"field":"scopes"`) {
			t.Fatalf("bad scope: %d %s", r.status, r.body)
		}
		if n := len(tokensOf(t, f, payResponder)); n != before {
			t.Fatalf("a refused token was stored: %d tokens, had %d", n, before)
		}
		if r := f.call(t, payResponder, "POST", "/api/v1/tokens", map[string]any{"scopes": []string{"intake"}}); r.status != 403 {
			t.Fatalf("a read and write token made an intake token: %d %s", r.status, r.body)
		}
		if r := f.call(t, payResponder, "POST", "/api/v1/tokens", map[string]any{"scopes": []string{"read"}, "team": "payments"}); r.status != 403 {
			t.Fatalf("a responder made a team token: %d %s", r.status, r.body)
		}
		r = f.call(t, payResponder, "POST", "/api/v1/tokens", map[string]any{"scopes": []string{"read"}, "label": "dashboards", "ttl": "720h"})
		var made struct {
			Secret string `json:"secret"`
			ID     int64  `json:"id"`
		}
		if json.Unmarshal([]byte(r.body), &made); r.status != 201 || !strings.HasPrefix(made.Secret, "fbt_") {
			t.Fatalf("create token: %d %s", r.status, r.body)
		}
		list := f.call(t, payResponder, "GET", "/api/v1/tokens", nil)
		if strings.Contains(list.body, made.Secret) || !strings.Contains(list.body, "dashboards") {
			t.Fatalf("token list shows the secret or lacks the token: %s", list.body)
		}
		f.tokens["dashboards"] = made.Secret
		if r := f.call(t, "dashboards", "GET", "/api/v1/me", nil); r.status != 200 || !strings.Contains(r.body, `"scopes":["read"]`) {
			t.Fatalf("the new token: %d %s", r.status, r.body)
		}
		if r := f.call(t, "dashboards", "POST", "/api/v1/incidents/"+publicRef+"/notes", map[string]any{"text": "x"}); r.status != 403 {
			t.Fatalf("a read token wrote: %d", r.status)
		}
		if r := f.call(t, payResponder, "DELETE", "/api/v1/tokens/"+itoa(made.ID), nil); r.status != 200 {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
		if r := f.call(t, "dashboards", "GET", "/api/v1/me", nil); r.status != 401 {
			t.Fatalf("a revoked token still works: %d", r.status)
		}
		if r := f.call(t, payManager, "PUT", "/api/v1/users/target/teams/payments", map[string]any{"role": "responder"}); r.status != 200 {
			t.Fatalf("grant: %d %s", r.status, r.body)
		}

		page := f.call(t, admin, "GET", "/api/v1/audit?limit=500", nil)
		var log struct{ Items []auth.AuditEntry }
		if err := json.Unmarshal([]byte(page.body), &log); err != nil || page.status != 200 {
			t.Fatalf("audit page: %d %s", page.status, page.body)
		}
		find := func(action, actor, target string) *auth.AuditEntry {
			for i, e := range log.Items {
				if e.Action == action && e.Actor == actor && e.Target == target {
					return &log.Items[i]
				}
			}
			t.Errorf("no audit entry %s by %s on %s", action, actor, target)
			return &auth.AuditEntry{}
		}
		vis := find("incident.visibility", "pay-manager", internalRef)
		if string(vis.Before) != `{"visibility":"internal"}` || string(vis.After) != `{"visibility":"restricted"}` {
			t.Errorf("visibility entry: %s → %s", vis.Before, vis.After)
		}
		find("incident.change.admin_override", "admin", theirs.ID)
		find("incident.read.admin_override", "admin", theirs.ID)
		find("report.read.admin_override", "admin", theirs.ID)
		reads := 0
		for _, e := range log.Items {
			if strings.HasSuffix(e.Action, ".read.admin_override") {
				reads++
			}
		}
		if reads != 2 {
			t.Errorf("%d read overrides logged, want 2 (lists and members' reads are not overrides)", reads)
		}
		created := find("token.create", "pay-resp", "user:pay-resp")
		find("token.revoke", "pay-resp", "user:pay-resp")
		find("team.role", "pay-manager", "user:target")
		if !strings.Contains(string(created.After), `"id":`+itoa(made.ID)) || strings.Contains(page.body, made.Secret) {
			t.Errorf("token entry %s (the secret must never be logged)", created.After)
		}
		if r := f.call(t, payManager, "GET", "/api/v1/audit", nil); r.status != 403 {
			t.Errorf("a team manager read the audit log: %d", r.status)
		}

		export := f.call(t, admin, "GET", "/api/v1/audit/export", nil)
		lines := strings.Split(strings.TrimSpace(export.body), "\n")
		if len(lines) != len(log.Items) {
			t.Fatalf("export has %d lines, the log %d entries", len(lines), len(log.Items))
		}
		for i, line := range lines {
			var e auth.AuditEntry
			if err := json.Unmarshal([]byte(line), &e); err != nil || e.ID != log.Items[i].ID {
				t.Fatalf("export line %d: %v %s", i+1, err, line)
			}
		}

		// The same log on the web, for admins only.
		web := f.browser(t, admin)
		if r := fetch(t, web, f.base+"/admin/audit"); r.status != 200 || !strings.Contains(r.body, "incident.visibility") || !strings.Contains(r.body, "감사 로그") && !strings.Contains(r.body, "Audit log") {
			t.Errorf("audit page: %d", r.status)
		}
		if r := fetch(t, web, f.base+"/admin/audit.jsonl"); r.status != 200 || strings.Count(r.body, "\n") != len(log.Items) {
			t.Errorf("web export: %d, %d lines, want %d", r.status, strings.Count(r.body, "\n"), len(log.Items))
		}
		if r := fetch(t, f.browser(t, payManager), f.base+"/admin/audit"); r.status != 403 || strings.Contains(r.body, "incident.visibility") {
			t.Errorf("a team manager's audit page: %d", r.status)
		}

		db := f.srv.DB.SQL
		if _, err := db.ExecContext(ctx, "UPDATE audit_log SET actor = 'nobody'"); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("UPDATE of the audit log: %v", err)
		}
		if _, err := db.ExecContext(ctx, "DELETE FROM audit_log"); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("DELETE from the audit log: %v", err)
		}
		if f.srv.DB.Dialect == store.Postgres {
			if _, err := db.ExecContext(ctx, "TRUNCATE audit_log"); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("TRUNCATE of the audit log: %v", err)
			}
		}
	})
}

func tokensOf(t *testing.T, f *fixture, c caller) []any {
	t.Helper()
	var page struct{ Items []any }
	if err := json.Unmarshal([]byte(f.call(t, c, "GET", "/api/v1/tokens", nil).body), &page); err != nil {
		t.Fatal(err)
	}
	return page.Items
}
