package api_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// shareEnv starts a server whose e-mail goes to host:port, with a report
// written and ready to share on a SEV2 of checkout-api: the team
// (payments@example.com) and the cs department (cs@example.com, Korean)
// receive it.
func shareEnv(t *testing.T, dbURL, host string, port int) (*env, string) {
	t.Helper()
	cat, err := catalog.Parse("test.yaml", []byte(reportCatalog))
	if err != nil {
		t.Fatal(err)
	}
	pol := policy.DefaultPolicy()
	pol.Zone, _ = time.LoadLocation("Asia/Seoul")
	pol.Departments = []policy.Department{{Name: "cs", FromGrade: incident.SEV2, Email: "cs@example.com", Lang: "ko"}}
	e := startWith(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Policy: pol, BaseURL: "https://fb.example.com",
		Notify: &notify.Config{Email: &notify.EmailConfig{Host: host, Port: port, From: "Firebreak <fb@example.com>", TLS: "none"}},
		Jobs:   jobs.Config{PollInterval: 100 * time.Millisecond, Logger: testutil.TestLogger()},
	})
	inc := e.call(t, "bob", "POST", "/api/v1/incidents", map[string]any{"title": "결제 승인 지연", "grade": "SEV2",
		"services": []string{"checkout-api"}, "summary": "카드 결제가 3초 넘게 걸립니다."}).want(t, 201)
	ref := inc.str("id")
	e.call(t, "bob", "POST", "/api/v1/incidents/"+ref+"/report", map[string]any{"lang": "ko"}).want(t, 201)
	return e, ref
}

// deliveriesOf waits until every delivery of the newest share satisfies
// done, and returns them by recipient.
func deliveriesOf(t *testing.T, e *env, ref, query string, done func(map[string]any) bool) map[string]map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := e.call(t, "vic", "GET", "/api/v1/incidents/"+ref+"/report/shares"+query, nil).want(t, 200)
		items := r.items()
		if len(items) == 0 {
			t.Fatalf("no share listed: %s", r.raw)
		}
		out := map[string]map[string]any{}
		all := true
		for _, d := range items[0]["deliveries"].([]any) {
			m := d.(map[string]any)
			out[m["recipient"].(string)] = m
			all = all && done(m)
		}
		if all && len(out) > 0 {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries did not settle: %s", r.raw)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestReportShareDeliveries: a share says, per recipient, what the real
// SMTP server did with its mail — delivered to the team, refused (550) for
// the department with the reason in the requested language — and a mail
// server nobody answers leaves the mails queued with the last try's reason,
// never "shared" as if they had arrived.
func TestReportShareDeliveries(t *testing.T) {
	t.Run("delivered and refused", func(t *testing.T) {
		testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
			sink := testutil.StartMailSink(t)
			sink.RefuseRecipient("cs@example.com")
			e, ref := shareEnv(t, dbURL, sink.Host, sink.Port)
			share := e.call(t, "bob", "POST", "/api/v1/incidents/"+ref+"/report/share", nil).want(t, 200)
			ds, _ := share.body["deliveries"].([]any)
			if len(ds) != 2 {
				t.Fatalf("share answer lacks a delivery per recipient: %s", share.raw)
			}
			for _, d := range ds {
				if st := d.(map[string]any)["state"]; st != "queued" {
					t.Errorf("a share just made claims %v: %s", st, share.raw)
				}
			}
			got := deliveriesOf(t, e, ref, "?lang=ko", func(d map[string]any) bool { return d["state"] != "queued" })
			team, cs := got["payments@example.com"], got["cs@example.com"]
			if team["state"] != "delivered" || team["at"] == nil || team["reason"] != nil {
				t.Errorf("team delivery: %v", team)
			}
			if cs["state"] != "failed" || !strings.Contains(cs["reason"].(string), "550") {
				t.Errorf("department delivery: %v", cs)
			}
			if txt, _ := cs["reason_text"].(string); !strings.HasPrefix(txt, "채널이나 주소가 존재하지 않습니다.") {
				t.Errorf("Korean reason: %q", txt)
			}
			en := deliveriesOf(t, e, ref, "?lang=en", func(map[string]any) bool { return true })
			if txt, _ := en["cs@example.com"]["reason_text"].(string); !strings.HasPrefix(txt, "The channel or address does not exist.") {
				t.Errorf("English reason: %q", txt)
			}
			if len(reportMails(t, sink, ref, 1)) != 1 {
				t.Error("the sink holds more than the team's report mail")
			}
		})
	})
	t.Run("unreachable", func(t *testing.T) {
		testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			port := l.Addr().(*net.TCPAddr).Port
			_ = l.Close() // nobody answers on this port now
			e, ref := shareEnv(t, dbURL, "127.0.0.1", port)
			e.call(t, "bob", "POST", "/api/v1/incidents/"+ref+"/report/share", nil).want(t, 200)
			got := deliveriesOf(t, e, ref, "?lang=ko", func(d map[string]any) bool { return d["reason"] != nil })
			for to, d := range got {
				if d["state"] != "queued" {
					t.Errorf("%s: an unreachable server's mail is %v, not queued for another try", to, d["state"])
				}
				if txt, _ := d["reason_text"].(string); !strings.HasPrefix(txt, "상대 서비스에 연결할 수 없습니다.") {
					t.Errorf("%s: reason %q", to, txt)
				}
			}
		})
	})
}
