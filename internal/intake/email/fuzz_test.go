package email

import (
	"testing"

	"github.com/firebreak-oss/firebreak/internal/textrule"
)

// FuzzParseMessage: alarm mail is untrusted MIME; the parser must not
// panic or loop on any of it, and what it accepts meets the text rules.
func FuzzParseMessage(f *testing.F) {
	f.Add([]byte("From: Zabbix <zabbix@example.com>\r\nTo: alarms@example.com\r\nSubject: [FIRING:2] DiskFull on db-1\r\nDate: Tue, 24 Nov 2026 09:30:00 +0900\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDisk /var is 98% full.\r\n"))
	f.Add([]byte("From: nms@example.co.kr\r\nSubject: =?EUC-KR?B?sea4riDA5b7W?=\r\nContent-Type: text/plain; charset=euc-kr\r\nContent-Transfer-Encoding: base64\r\n\r\nsea4riDA5b7W\r\n"))
	f.Add([]byte("Subject: RESOLVED: latency\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>p99 =EB=B3=B5=EA=B5=AC</p>\r\n--b1--\r\n"))
	f.Add([]byte("Subject: nested\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n--a--\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		sig, err := parseMessage(raw, "alerts@example.com", []string{"oncall@example.com"})
		if err != nil {
			return
		}
		if p := textrule.Problem(sig.Title, false, true); p != "" {
			t.Fatalf("accepted a subject that %s: %q", p, sig.Title)
		}
		if p := textrule.Problem(sig.Summary, true, false); p != "" {
			t.Fatalf("accepted a body that %s: %q", p, sig.Summary)
		}
	})
}
