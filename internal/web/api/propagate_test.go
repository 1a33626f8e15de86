package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

const propagateConfig = `
teams:
  - name: payments
    email: pay@example.com
    chat_channel: "#pay"
services:
  - name: checkout-api
    team: payments
policy:
  departments:
    - name: leadership
      from_grade: SEV1
      email: lead@example.com
      lang: ko
`

func startPropagating(t *testing.T, url string) *env {
	t.Helper()
	cat, err := catalog.Parse("f.yaml", []byte(propagateConfig))
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.ParseConfig("f.yaml", []byte(propagateConfig), nil)
	if err != nil {
		t.Fatal(err)
	}
	return startWith(t, server.Options{DatabaseURL: url, Catalog: cat, Policy: pol})
}

func TestPolicyPreview(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := startPropagating(t, url)
		r := e.call(t, "bob", "POST", "/api/v1/policy/preview", map[string]any{
			"title": "결제 실패", "grade": "sev1", "services": []string{"checkout-api"},
			"roles": map[string]string{"resolver": "bob", "communicator": "bob"},
		}).want(t, 200)
		msgs := r.body["messages"].([]any)
		var got []string
		for _, m := range msgs {
			tg := m.(map[string]any)["target"].(map[string]any)
			got = append(got, tg["channel"].(string)+":"+tg["address"].(string))
		}
		if strings.Join(got, " ") != "email:pay@example.com slack:#pay email:lead@example.com" {
			t.Errorf("targets %v", got)
		}
		lead := msgs[2].(map[string]any)
		if !strings.Contains(lead["text"].(string), "장애") || !strings.Contains(lead["subject"].(string), "결제 실패") {
			t.Errorf("leadership's message is not Korean: %v", lead)
		}
		if w := r.body["warnings"].([]any); len(w) != 1 || !strings.Contains(w[0].(string), "both the resolver and the communicator") {
			t.Errorf("warnings %v", w)
		}
		// Nothing was declared.
		if items := e.call(t, "bob", "GET", "/api/v1/incidents", nil).want(t, 200).items(); len(items) != 0 {
			t.Errorf("preview declared %d incidents", len(items))
		}
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"services": []string{"checkout-api"}}, "grade"},
			{map[string]any{"grade": "SEV9"}, "grade"},
			{map[string]any{"grade": "SEV2", "services": []string{"nope"}}, "services[0]"},
			{map[string]any{"grade": "SEV2", "visibility": "secret"}, "visibility"},
			{map[string]any{"grade": "SEV2", "roles": map[string]string{"boss": "bob"}}, "roles.boss"},
		} {
			if r := e.call(t, "bob", "POST", "/api/v1/policy/preview", c.body).want(t, 400); r.str("field") != c.field {
				t.Errorf("%v: field %q, want %q (%s)", c.body, r.str("field"), c.field, r.raw)
			}
		}
	})
}

func TestDeclareWarnsWhenOnePersonHoldsBothRoles(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, url string) {
		e := startPropagating(t, url)
		r := e.call(t, "bob", "POST", "/api/v1/incidents", map[string]any{
			"title": "Checkout down", "grade": "SEV2", "services": []string{"checkout-api"},
			"roles": map[string]string{"resolver": "carol", "communicator": "carol"},
		}).want(t, 201)
		if w, _ := r.body["warnings"].([]any); len(w) != 1 || !strings.Contains(w[0].(string), "carol holds both") {
			t.Errorf("warnings %v", r.body["warnings"])
		}
		ref := r.str("id")
		if ref == "" {
			ref = r.str("ref")
		}
		// The warning is in the language asked for (#16: no English in Korean).
		ko := e.call(t, "bob", "GET", "/api/v1/incidents/"+ref+"?lang=ko", nil).want(t, 200)
		if w, _ := ko.body["warnings"].([]any); len(w) != 1 || !strings.Contains(w[0].(string), "carol 님이 SEV2 장애의 해결 담당과 전파 담당을 모두") {
			t.Errorf("Korean warnings %v", ko.body["warnings"])
		}
		tl := e.call(t, "bob", "GET", "/api/v1/incidents/"+ref+"/timeline", nil).want(t, 200)
		if k := kinds(tl); !strings.Contains(strings.Join(k, " "), "role_warning") {
			t.Errorf("timeline %v has no role warning", k)
		}
		// Both messages were stored and, with no channel set up, failed
		// with the reason kept.
		deadline := time.Now().Add(30 * time.Second)
		for {
			msgs := e.call(t, "bob", "GET", "/api/v1/incidents/"+ref+"/messages", nil).want(t, 200)
			items, _ := msgs.body["items"].([]any)
			failed := 0
			for _, it := range items {
				m := it.(map[string]any)
				if m["status"] == "failed" && strings.Contains(m["last_error"].(string), "channel is configured") {
					failed++
				}
			}
			if len(items) == 2 && failed == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("messages: %s", msgs.raw)
			}
			time.Sleep(100 * time.Millisecond)
		}
		// A SEV4 with one person in both roles is fine.
		r = e.call(t, "bob", "POST", "/api/v1/incidents", map[string]any{
			"title": "Slow page", "grade": "SEV4", "roles": map[string]string{"resolver": "carol", "communicator": "carol"},
		}).want(t, 201)
		if w, _ := r.body["warnings"].([]any); len(w) != 0 {
			t.Errorf("SEV4 warnings %v", w)
		}
	})
}
