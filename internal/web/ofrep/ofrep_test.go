package ofrep_test

import (
	"context"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestEvaluateOne(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	eval := func(key, ctx string) answer {
		return do(t, "POST", s.base+"/ofrep/v1/evaluate/flags/"+key, []byte(`{"context":`+ctx+`}`), "Authorization", "Bearer "+s.flags)
	}
	cases := []struct {
		key, ctx string
		value    any
		variant  string
		reason   string
	}{
		{"new-payment-sheet", `{"targetingKey":"u1","platform":"ios","appVersion":"5.1.3"}`, false, "off", flag.ReasonTargetingMatch},
		{"new-payment-sheet", `{"targetingKey":"u1","platform":"ios","appVersion":"5.2.0"}`, true, "on", flag.ReasonDefault},
		{"new-payment-sheet", `{"targetingKey":"u1","platform":"android","appVersion":"1.0.0"}`, true, "on", flag.ReasonDefault},
		{"checkout-theme", `{"targetingKey":"u1","country":"KR"}`, "compact", "compact", flag.ReasonTargetingMatch},
		{"checkout-theme", `{"targetingKey":"u1","country":"DE"}`, "classic", "classic", flag.ReasonDefault},
		{"retry-limit", `{"targetingKey":"u1"}`, 3.0, "normal", flag.ReasonStatic},
		{"staff-only", `{"targetingKey":"staff-7"}`, true, "on", flag.ReasonTargetingMatch},
	}
	for _, c := range cases {
		a := eval(c.key, c.ctx)
		if a.status != 200 {
			t.Fatalf("%s %s: %d %s", c.key, c.ctx, a.status, a.body)
		}
		m := a.json(t)
		if m["key"] != c.key || m["value"] != c.value || m["variant"] != c.variant || m["reason"] != c.reason {
			t.Errorf("%s %s: %s", c.key, c.ctx, a.body)
		}
	}
	// X-API-Key is accepted as well as a bearer token.
	a := do(t, "POST", s.base+"/ofrep/v1/evaluate/flags/retry-limit", []byte(`{"context":{}}`), "X-API-Key", s.flags)
	if a.status != 200 {
		t.Fatalf("X-API-Key: %d %s", a.status, a.body)
	}
}

// TestBadInputChangesNothing sends what the protocol refuses and checks
// each answer's status and error code, and that the store did not change.
func TestBadInputChangesNothing(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	ctx := context.Background()
	mark0, err := s.srv.DB.Flags().ChangeMark(ctx)
	if err != nil {
		t.Fatal(err)
	}
	audit0, err := s.srv.DB.Users().ListAudit(ctx, 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	one := s.base + "/ofrep/v1/evaluate/flags/new-payment-sheet"
	all := s.base + "/ofrep/v1/evaluate/flags"
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	huge := []byte(`{"context":{"targetingKey":"u","pad":"` + strings.Repeat("x", 1<<20) + `"}}`)
	cases := []struct {
		name    string
		url     string
		body    []byte
		headers []string
		status  int
		code    string
	}{
		{"malformed JSON", one, []byte(`{"context":`), bearer(s.flags), 400, flag.ErrParse},
		{"not an object", one, []byte(`[1,2]`), bearer(s.flags), 400, flag.ErrParse},
		{"context missing", one, []byte(`{}`), bearer(s.flags), 400, flag.ErrInvalidContext},
		{"context a string", one, []byte(`{"context":"ios"}`), bearer(s.flags), 400, flag.ErrInvalidContext},
		{"targetingKey a number", one, []byte(`{"context":{"targetingKey":7}}`), bearer(s.flags), 400, flag.ErrInvalidContext},
		{"body over 1 MiB", one, huge, bearer(s.flags), 400, flag.ErrParse},
		{"unknown flag", s.base + "/ofrep/v1/evaluate/flags/no-such-flag", []byte(`{"context":{}}`), bearer(s.flags), 404, flag.ErrFlagNotFound},
		{"targeting key missing", s.base + "/ofrep/v1/evaluate/flags/staff-only", []byte(`{"context":{}}`), bearer(s.flags), 400, flag.ErrTargetingKeyMissing},
		{"bulk malformed", all, []byte(`{`), bearer(s.flags), 400, flag.ErrParse},
		{"bulk bad context", all, []byte(`{"context":1}`), bearer(s.flags), 400, flag.ErrInvalidContext},
		{"bulk over 1 MiB", all, huge, bearer(s.flags), 400, flag.ErrParse},
		{"no token", one, []byte(`{"context":{}}`), nil, 401, ""},
		{"wrong token", one, []byte(`{"context":{}}`), bearer("fbt_notatokenatall"), 401, ""},
		{"wrong X-API-Key", one, []byte(`{"context":{}}`), []string{"X-API-Key", "nope"}, 401, ""},
		{"token without flags:read", one, []byte(`{"context":{}}`), bearer(s.other), 403, ""},
		{"configuration without token", s.base + "/ofrep/v1/configuration", nil, nil, 401, ""},
	}
	for _, c := range cases {
		method := "POST"
		if strings.HasSuffix(c.url, "/configuration") {
			method = "GET"
		}
		a := do(t, method, c.url, c.body, c.headers...)
		if a.status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, a.status, c.status, a.body)
			continue
		}
		m := a.json(t)
		if c.code != "" && m["errorCode"] != c.code {
			t.Errorf("%s: errorCode %v, want %s: %s", c.name, m["errorCode"], c.code, a.body)
		}
		if c.code == "" && m["errorDetails"] == "" {
			t.Errorf("%s: no errorDetails: %s", c.name, a.body)
		}
		if strings.Contains(c.url, "/flags/") && c.code != "" && m["key"] == nil {
			t.Errorf("%s: no key in %s", c.name, a.body)
		}
	}
	// A flags:read token can do nothing else.
	for _, path := range []string{"/api/v1/incidents", "/api/v1/flags", "/api/v1/me"} {
		if a := do(t, "GET", s.base+path, nil, bearer(s.flags)...); a.status != 403 {
			t.Errorf("flags:read token on %s: %d %s", path, a.status, a.body)
		}
	}
	if mark, _ := s.srv.DB.Flags().ChangeMark(ctx); mark != mark0 {
		t.Errorf("bad input changed switches: mark %d -> %d", mark0, mark)
	}
	if audit, _ := s.srv.DB.Users().ListAudit(ctx, 0, 500); len(audit) != len(audit0) {
		t.Errorf("bad input wrote %d audit entries", len(audit)-len(audit0))
	}
}

func TestBulkETagAndFlip(t *testing.T) {
	s := startSite(t, testutil.SQLiteURL(t))
	all := s.base + "/ofrep/v1/evaluate/flags"
	body := []byte(`{"context":{"targetingKey":"u1","platform":"ios","appVersion":"5.0.0","country":"KR"}}`)
	a := do(t, "POST", all, body, "Authorization", "Bearer "+s.flags)
	if a.status != 200 {
		t.Fatalf("bulk: %d %s", a.status, a.body)
	}
	etag := a.header.Get("ETag")
	flags := a.json(t)["flags"].([]any)
	if etag == "" || len(flags) != 4 {
		t.Fatalf("bulk: etag %q, %d flags: %s", etag, len(flags), a.body)
	}
	byKey := map[string]map[string]any{}
	for _, f := range flags {
		m := f.(map[string]any)
		byKey[m["key"].(string)] = m
	}
	if byKey["new-payment-sheet"]["value"] != false || byKey["checkout-theme"]["value"] != "compact" || byKey["retry-limit"]["value"] != 3.0 ||
		byKey["staff-only"]["reason"] != flag.ReasonDefault {
		t.Fatalf("bulk values: %s", a.body)
	}
	if a := do(t, "POST", all, body, "Authorization", "Bearer "+s.flags, "If-None-Match", etag); a.status != 304 || len(a.body) != 0 {
		t.Fatalf("same ETag: %d %s", a.status, a.body)
	}
	other := []byte(`{"context":{"targetingKey":"u2"}}`)
	if a := do(t, "POST", all, other, "Authorization", "Bearer "+s.flags, "If-None-Match", etag); a.status != 200 {
		t.Fatalf("another context with the old ETag: %d", a.status)
	}
	admin := auth.User{Name: "ada", Role: auth.Admin}
	if _, _, err := s.srv.Flags.Flip(context.Background(), admin, "retry-limit", flag.FlipRequest{To: "storm", Reason: "retry storm"}); err != nil {
		t.Fatal(err)
	}
	a = do(t, "POST", all, body, "Authorization", "Bearer "+s.flags, "If-None-Match", etag)
	if a.status != 200 || a.header.Get("ETag") == etag {
		t.Fatalf("after a flip: %d, etag %q", a.status, a.header.Get("ETag"))
	}
	one := do(t, "POST", s.base+"/ofrep/v1/evaluate/flags/retry-limit", body, "Authorization", "Bearer "+s.flags).json(t)
	if one["value"] != 0.5 || one["reason"] != flag.ReasonStatic || one["variant"] != "storm" {
		t.Fatalf("flipped switch: %v", one)
	}
	conf := do(t, "GET", s.base+"/ofrep/v1/configuration", nil, "Authorization", "Bearer "+s.flags)
	if conf.status != 200 || conf.json(t)["name"] != "Firebreak" {
		t.Fatalf("configuration: %d %s", conf.status, conf.body)
	}
	if a := do(t, "GET", s.base+"/ofrep/v1/configuration", nil, "Authorization", "Bearer "+s.flags, "If-None-Match", conf.header.Get("ETag")); a.status != 304 {
		t.Fatalf("configuration 304: %d", a.status)
	}
}
