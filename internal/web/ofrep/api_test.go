package ofrep_test

import (
	"context"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestFlagAPIRefusesBadInput: each bad request to /api/v1/flags gets a 4xx
// problem naming the field, and no switch, revision or audit entry is
// written.
func TestFlagAPIRefusesBadInput(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	ctx := context.Background()
	mark0, _ := s.srv.DB.Flags().ChangeMark(ctx)
	audit0, _ := s.srv.DB.Users().ListAudit(ctx, 0, 500)
	cases := []struct {
		method, path, body string
		status             int
		field              string
	}{
		{"POST", "/api/v1/flags", `{"key":"Bad Key","service":"checkout-api"}`, 400, "key"},
		{"POST", "/api/v1/flags", `{"key":"ok","service":"nowhere"}`, 400, "service"},
		{"POST", "/api/v1/flags", `{"key":"ok","service":"checkout-api","type":"object"}`, 400, "type"},
		{"POST", "/api/v1/flags", `{"key":"ok","service":"checkout-api","variants":{"on":"yes","off":false}}`, 400, "variants.on"},
		{"POST", "/api/v1/flags", `{"key":"ok","service":"checkout-api","rules":[{"variant":"off","conditions":[{"attribute":"v","op":"semver_lt","value":"x"}]}]}`, 400, "rules[0].conditions[0].value"},
		{"POST", "/api/v1/flags", `{"key":"ok","service":"checkout-api","colour":"red"}`, 400, "colour"},
		{"POST", "/api/v1/flags", `{"key":"new-payment-sheet","service":"checkout-api"}`, 409, "key"},
		{"POST", "/api/v1/flags/new-payment-sheet/flip", `{"to":"off"}`, 400, "reason"},
		{"POST", "/api/v1/flags/new-payment-sheet/flip", `{"to":"maybe","reason":"x"}`, 400, "to"},
		{"POST", "/api/v1/flags/new-payment-sheet/flip", `{"to":"off","reason":"x","incident":"INC-999"}`, 400, "incident"},
		{"POST", "/api/v1/flags/new-payment-sheet/flip", `{"to":"default","reason":"x"}`, 409, "to"},
		{"POST", "/api/v1/flags/nope/flip", `{"to":"off","reason":"x"}`, 404, ""},
		{"PUT", "/api/v1/flags/new-payment-sheet", `{"service":"checkout-api"}`, 409, ""}, // defined in the config file
	}
	for _, c := range cases {
		a := do(t, c.method, s.base+c.path, []byte(c.body), "Authorization", "Bearer "+s.write)
		if a.status != c.status {
			t.Errorf("%s %s %s: %d, want %d: %s", c.method, c.path, c.body, a.status, c.status, a.body)
			continue
		}
		if ct := a.header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s %s: content type %q", c.method, c.path, ct)
		}
		if got := a.json(t)["field"]; c.field != "" && got != c.field {
			t.Errorf("%s %s %s: field %v, want %s", c.method, c.path, c.body, got, c.field)
		}
	}
	if mark, _ := s.srv.DB.Flags().ChangeMark(ctx); mark != mark0 {
		t.Errorf("refused requests changed switches: mark %d -> %d", mark0, mark)
	}
	if audit, _ := s.srv.DB.Users().ListAudit(ctx, 0, 500); len(audit) != len(audit0) {
		t.Errorf("refused requests wrote %d audit entries", len(audit)-len(audit0))
	}
}
