package email

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/korean"
)

func TestStripStatus(t *testing.T) {
	for _, c := range []struct {
		in, rest string
		resolved bool
	}{
		{"DB down", "DB down", false},
		{"RESOLVED DB down", "DB down", true},
		{"Resolved: DB down", "DB down", true},
		{"resolved - DB down", "DB down", true},
		{"[RESOLVED] DB down", "DB down", true},
		{"[ resolved ]DB down", "DB down", true},
		{"Resolved in 5m 3s: DB down", "DB down", true},
		{"해결 결제 지연", "결제 지연", true},
		{"해결: 결제 지연", "결제 지연", true},
		{"[해결] 결제 지연", "결제 지연", true},
		{"해결됨 - 결제 지연", "결제 지연", true},
		{"[복구] 결제 지연", "결제 지연", true},
		{"[장애] 결제 지연", "결제 지연", false},
		{"[FIRING:3] HighLatency (api prod)", "HighLatency (api prod)", false},
		{"[FIRING] HighLatency", "HighLatency", false},
		{"Problem: disk full", "disk full", false},
		// Not markers: the word goes on, or it is not at the front.
		{"Resolvedness probe failed", "Resolvedness probe failed", false},
		{"해결되지 않은 오류 증가", "해결되지 않은 오류 증가", false},
		{"복구 작업 시작", "복구 작업 시작", false},
		{"DB down RESOLVED", "DB down RESOLVED", false},
		{"Problems with login", "Problems with login", false},
		{"  ", "", false},
	} {
		rest, resolved := stripStatus(c.in)
		if rest != c.rest || resolved != c.resolved {
			t.Errorf("stripStatus(%q) = %q, %v; want %q, %v", c.in, rest, resolved, c.rest, c.resolved)
		}
	}
}

func TestParseMessage(t *testing.T) {
	euc := func(s string) string {
		b, err := korean.EUCKR.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, c := range []struct {
		name          string
		raw           string
		from          string
		rcpt          []string
		title, body   string
		labelFrom, to string
	}{{
		name: "html only",
		raw: "From: a@example.com\r\nSubject: HTML alarm\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
			"<html><head><style>p{}</style></head><body><p>CPU &gt; 90%</p><p>on web-3</p></body></html>\r\n",
		title: "HTML alarm", body: "CPU > 90%\non web-3", labelFrom: "a@example.com",
	}, {
		name:  "raw 8-bit EUC-KR subject and body",
		raw:   "From: a@example.com\r\nSubject: " + euc("디스크 부족") + "\r\nContent-Type: text/plain; charset=euc-kr\r\n\r\n" + euc("남은 공간 2%") + "\r\n",
		title: "디스크 부족", body: "남은 공간 2%", labelFrom: "a@example.com",
	}, {
		name:  "undeclared EUC-KR body",
		raw:   "From: a@example.com\r\nSubject: x\r\n\r\n" + euc("남은 공간 2%") + "\r\n",
		title: "x", body: "남은 공간 2%", labelFrom: "a@example.com",
	}, {
		name:  "no From header: the envelope sender",
		raw:   "Subject: cron\r\n\r\nfailed\r\n",
		from:  "Root@Host-1.example.com",
		title: "cron", body: "failed", labelFrom: "root@host-1.example.com",
	}, {
		name:  "no envelope recipient: the To header",
		raw:   "From: a@example.com\r\nTo: Ops <OPS@example.com>, b@example.com\r\nSubject: x\r\n\r\ny\r\n",
		rcpt:  []string{},
		title: "x", body: "y", labelFrom: "a@example.com", to: "ops@example.com",
	}, {
		name:  "encoded display name with a comma",
		raw:   "From: =?UTF-8?B?7ZmN6ri464+ZLCDrqqjri4jthLA=?= <Mon@Example.com>\r\nSubject: x\r\n\r\ny\r\n",
		title: "x", body: "y", labelFrom: "mon@example.com",
	}, {
		name:  "base64 with stray spaces",
		raw:   "From: a@example.com\r\nSubject: x\r\nContent-Transfer-Encoding: base64\r\n\r\naGVs bG8g\r\nd29y bGQ=\r\n",
		title: "x", body: "hello world", labelFrom: "a@example.com",
	}, {
		name: "broken multipart keeps the raw body",
		raw: "From: a@example.com\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
			"no boundary ever comes\r\n",
		title: "x", body: "no boundary ever comes", labelFrom: "a@example.com",
	}} {
		t.Run(c.name, func(t *testing.T) {
			rcpt := c.rcpt
			if rcpt == nil {
				rcpt = []string{"alerts@firebreak.internal"}
			}
			s, err := parseMessage([]byte(c.raw), c.from, rcpt)
			if err != nil {
				t.Fatalf("parseMessage: %v", err)
			}
			if s.Title != c.title || s.Summary != c.body || s.Labels["from"] != c.labelFrom {
				t.Errorf("got title %q body %q from %q; want %q %q %q", s.Title, s.Summary, s.Labels["from"], c.title, c.body, c.labelFrom)
			}
			wantTo := c.to
			if wantTo == "" {
				wantTo = "alerts@firebreak.internal"
			}
			if s.Labels["to"] != wantTo {
				t.Errorf("to = %q, want %q", s.Labels["to"], wantTo)
			}
			if strings.ContainsRune(s.Summary, '\r') {
				t.Errorf("summary keeps CR: %q", s.Summary)
			}
		})
	}
}

// TestParseMessageRefusesBadText: the text rules of every input path hold
// for alarm mail too: a control character or a bidi override in the
// subject, or NUL in the body, refuses the mail naming the part.
func TestParseMessageRefusesBadText(t *testing.T) {
	for _, c := range []struct{ raw, part string }{
		{"Subject: =?UTF-8?B?" + "ZGlzayBmdWxsAA==" + "?=\r\n\r\nbody\r\n", "subject"}, // "disk full\x00"
		{"Subject: invoice \xe2\x80\xaefdp.exe\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody\r\n", "subject"},
		{"Subject: disk full\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbad\x00body\r\n", "body"},
	} {
		_, err := parseMessage([]byte(c.raw), "alerts@example.com", []string{"oncall@example.com"})
		if err == nil || !strings.HasPrefix(err.Error(), c.part+":") {
			t.Errorf("%q: got %v, want a refusal naming %s", c.raw, err, c.part)
		}
	}
}
