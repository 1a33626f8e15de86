package email_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/korean"

	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/intake/email"
)

// acceptor stands in for the intake core: it numbers signals by fingerprint,
// as the store does, and fails when told to.
type acceptor struct {
	mu   sync.Mutex
	fail error
	got  []*intake.Signal
	ids  map[string]int64
}

func (a *acceptor) Accept(_ context.Context, sigs []*intake.Signal, _ []string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return a.fail
	}
	if a.ids == nil {
		a.ids = map[string]int64{}
	}
	for _, s := range sigs {
		id, ok := a.ids[s.Fingerprint]
		if !ok {
			id = int64(len(a.ids) + 1)
			a.ids[s.Fingerprint] = id
		}
		s.ID = id
		a.got = append(a.got, s)
	}
	return nil
}

func (a *acceptor) signals() []*intake.Signal {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*intake.Signal(nil), a.got...)
}

func (a *acceptor) last(t *testing.T) *intake.Signal {
	t.Helper()
	got := a.signals()
	if len(got) == 0 {
		t.Fatal("no signal accepted")
	}
	return got[len(got)-1]
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// start runs a server on a free local port and returns its address.
func start(t *testing.T, acc email.Acceptor) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := email.NewServer("", acc, testLogger(t))
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown() = %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve() = %v", err)
		}
	})
	return l.Addr().String()
}

func send(addr, from string, to []string, msg string) error {
	return smtp.SendMail(addr, nil, from, to, []byte(msg))
}

func smtpCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

func b64Word(charset string, s []byte) string {
	return "=?" + charset + "?B?" + base64.StdEncoding.EncodeToString(s) + "?="
}

// wrap76 folds base64 text into lines, as mail programs do.
func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	return b.String() + s
}

func TestPlainASCII(t *testing.T) {
	acc := &acceptor{}
	addr := start(t, acc)
	msg := "From: Nagios <Nagios@Monitor.Example.COM>\n" +
		"To: alerts@firebreak.internal\n" +
		"Subject: PROBLEM disk /var 95% on db-1\n" +
		"Date: Mon, 23 Nov 2026 10:00:00 +0900\n" +
		"\n" +
		"Disk /var on db-1 is 95% full.\n" +
		".leading dot survives\n"
	if err := send(addr, "bounce-123@monitor.example.com", []string{"Alerts@Firebreak.internal", "ops@firebreak.internal"}, msg); err != nil {
		t.Fatalf("send: %v", err)
	}
	s := acc.last(t)
	want := map[string]string{"from": "nagios@monitor.example.com", "subject": "PROBLEM disk /var 95% on db-1", "to": "alerts@firebreak.internal"}
	if fmt.Sprint(s.Labels) != fmt.Sprint(want) {
		t.Errorf("labels = %v, want %v", s.Labels, want)
	}
	if s.Source != "email" || s.Status != intake.Firing || s.Title != want["subject"] {
		t.Errorf("signal = %+v", s)
	}
	if s.Summary != "Disk /var on db-1 is 95% full.\n.leading dot survives" {
		t.Errorf("summary = %q", s.Summary)
	}
	if fp := intake.Fingerprint(want, []string{"from", "subject"}); s.Fingerprint != fp {
		t.Errorf("fingerprint = %s, want %s (from + subject)", s.Fingerprint, fp)
	}
	if !s.StartsAt.Equal(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("starts at = %v, want the Date header", s.StartsAt)
	}
}

func TestKoreanBase64(t *testing.T) {
	acc := &acceptor{}
	addr := start(t, acc)
	subject := "결제 API 응답 지연"
	body := "결제 API의 p99 응답 시간이 3초를 넘었습니다.\n대시보드를 확인하세요.\n"
	msg := "From: =?UTF-8?B?66qo64uI7YSw66eB?= <watch@example.co.kr>\n" +
		"To: alerts@firebreak.internal\n" +
		"Subject: " + b64Word("UTF-8", []byte(subject)) + "\n" +
		"MIME-Version: 1.0\n" +
		"Content-Type: text/plain; charset=UTF-8\n" +
		"Content-Transfer-Encoding: base64\n" +
		"\n" + wrap76(base64.StdEncoding.EncodeToString([]byte(body))) + "\n"
	if err := send(addr, "watch@example.co.kr", []string{"alerts@firebreak.internal"}, msg); err != nil {
		t.Fatalf("send: %v", err)
	}
	s := acc.last(t)
	if s.Title != subject || s.Labels["subject"] != subject || s.Status != intake.Firing {
		t.Errorf("title = %q, subject label = %q, want %q", s.Title, s.Labels["subject"], subject)
	}
	if s.Summary != strings.TrimSpace(body) {
		t.Errorf("summary = %q, want %q", s.Summary, body)
	}

	// The same alarm from an older system, in EUC-KR.
	eucSubject, _ := korean.EUCKR.NewEncoder().String("[해결] 결제 API 응답 지연")
	eucBody, _ := korean.EUCKR.NewEncoder().String("응답 시간이 정상으로 돌아왔습니다.")
	msg = "From: watch@example.co.kr\n" +
		"Subject: " + b64Word("euc-kr", []byte(eucSubject)) + "\n" +
		"Content-Type: text/plain; charset=ks_c_5601-1987\n" +
		"Content-Transfer-Encoding: base64\n" +
		"\n" + base64.StdEncoding.EncodeToString([]byte(eucBody)) + "\n"
	if err := send(addr, "watch@example.co.kr", []string{"alerts@firebreak.internal"}, msg); err != nil {
		t.Fatalf("send: %v", err)
	}
	r := acc.last(t)
	if r.Status != intake.Resolved || r.Title != subject || r.Summary != "응답 시간이 정상으로 돌아왔습니다." {
		t.Errorf("EUC-KR resolved mail read as %q %q %q", r.Status, r.Title, r.Summary)
	}
	if r.Fingerprint != s.Fingerprint {
		t.Errorf("resolved fingerprint %s differs from firing %s", r.Fingerprint, s.Fingerprint)
	}
}

func TestMultipartAlternative(t *testing.T) {
	acc := &acceptor{}
	addr := start(t, acc)
	msg := "From: grafana@example.com\n" +
		"Subject: =?UTF-8?Q?[FIRING:2]_=EC=A3=BC=EB=AC=B8_=EC=A7=80=EC=97=B0?=\n" +
		"MIME-Version: 1.0\n" +
		"Content-Type: multipart/mixed; boundary=\"outer\"\n" +
		"\n" +
		"--outer\n" +
		"Content-Type: multipart/alternative; boundary=\"inner\"\n" +
		"\n" +
		"--inner\n" +
		"Content-Type: text/plain; charset=utf-8\n" +
		"Content-Transfer-Encoding: quoted-printable\n" +
		"\n" +
		"=EC=A3=BC=EB=AC=B8 =EC=B2=98=EB=A6=AC=EA=B0=80 =EB=8A=90=EB=A6=BD=EB=8B=88=\n" +
		"=EB=8B=A4. (orders slow)\n" +
		"--inner\n" +
		"Content-Type: text/html; charset=utf-8\n" +
		"\n" +
		"<html><body><p>HTML version</p></body></html>\n" +
		"--inner--\n" +
		"--outer\n" +
		"Content-Type: text/plain; name=\"log.txt\"\n" +
		"Content-Disposition: attachment; filename=\"log.txt\"\n" +
		"\n" +
		"attached log\n" +
		"--outer--\n"
	if err := send(addr, "grafana@example.com", []string{"alerts@firebreak.internal"}, msg); err != nil {
		t.Fatalf("send: %v", err)
	}
	s := acc.last(t)
	if s.Summary != "주문 처리가 느립니다. (orders slow)" {
		t.Errorf("summary = %q, want the text/plain part decoded", s.Summary)
	}
	if s.Title != "주문 지연" || s.Status != intake.Firing {
		t.Errorf("title = %q status = %q, want the subject without [FIRING:2]", s.Title, s.Status)
	}
}

func TestRepeatAndResolved(t *testing.T) {
	acc := &acceptor{}
	addr := start(t, acc)
	mail := func(subject, body string) string {
		return "From: Alertmanager <am@example.com>\nSubject: " + subject + "\n\n" + body + "\n"
	}
	for i, m := range []string{
		mail("DB replication lag", "lag 30s"),
		mail("DB replication lag", "lag 45s"),
		mail("RESOLVED: DB replication lag", "lag 0s"),
		mail("[resolved] DB replication lag", "still fine"),
		mail("Other alarm", "x"),
	} {
		if err := send(addr, "am@example.com", []string{"alerts@firebreak.internal"}, m); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	got := acc.signals()
	if len(got) != 5 {
		t.Fatalf("accepted %d signals, want 5", len(got))
	}
	for i, want := range []struct {
		id     int64
		status intake.Status
	}{{1, intake.Firing}, {1, intake.Firing}, {1, intake.Resolved}, {1, intake.Resolved}, {2, intake.Firing}} {
		if got[i].ID != want.id || got[i].Status != want.status {
			t.Errorf("mail %d: id %d status %s, want %d %s", i, got[i].ID, got[i].Status, want.id, want.status)
		}
	}
	if got[0].Fingerprint != got[1].Fingerprint || got[0].Fingerprint != got[2].Fingerprint {
		t.Errorf("fingerprints differ: %s %s %s", got[0].Fingerprint, got[1].Fingerprint, got[2].Fingerprint)
	}
	if got[2].Labels["subject"] != "DB replication lag" {
		t.Errorf("resolved subject label = %q", got[2].Labels["subject"])
	}
}

func TestAcceptFailureIsTemporary(t *testing.T) {
	acc := &acceptor{fail: errors.New("database is locked")}
	addr := start(t, acc)
	err := send(addr, "am@example.com", []string{"alerts@firebreak.internal"}, "From: am@example.com\nSubject: x\n\nbody\n")
	if code := smtpCode(err); code != 451 {
		t.Fatalf("send = %v (code %d), want 451 so the MTA retries", err, code)
	}
	// Once the store is back the retry goes through.
	acc.mu.Lock()
	acc.fail = nil
	acc.mu.Unlock()
	if err := send(addr, "am@example.com", []string{"alerts@firebreak.internal"}, "From: am@example.com\nSubject: x\n\nbody\n"); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if n := len(acc.signals()); n != 1 {
		t.Errorf("accepted %d signals, want 1", n)
	}
}

func TestLimits(t *testing.T) {
	acc := &acceptor{}
	addr := start(t, acc)

	big := "From: am@example.com\nSubject: big\n\n" + strings.Repeat(strings.Repeat("x", 99)+"\n", email.MaxMessageBytes/100+10)
	err := send(addr, "am@example.com", []string{"alerts@firebreak.internal"}, big)
	if code := smtpCode(err); code != 552 {
		t.Errorf("oversize message: %v (code %d), want 552", err, code)
	}

	var many []string
	for i := range email.MaxRecipients + 1 {
		many = append(many, fmt.Sprintf("r%d@firebreak.internal", i))
	}
	err = send(addr, "am@example.com", many, "From: am@example.com\nSubject: many\n\nx\n")
	if code := smtpCode(err); code != 452 {
		t.Errorf("%d recipients: %v (code %d), want 452", len(many), err, code)
	}

	if n := len(acc.signals()); n != 0 {
		t.Errorf("accepted %d signals, want none", n)
	}
	// The server still serves after refusing.
	if err := send(addr, "am@example.com", []string{"alerts@firebreak.internal"}, "From: am@example.com\nSubject: ok\n\nx\n"); err != nil {
		t.Fatalf("send after refusals: %v", err)
	}
}

func TestUnreadableHeaderIsRefused(t *testing.T) {
	acc := &acceptor{}
	addr := start(t, acc)
	err := send(addr, "am@example.com", []string{"alerts@firebreak.internal"}, "this is not a header\nSubject: x\n\nbody\n")
	if code := smtpCode(err); code != 550 {
		t.Errorf("send = %v (code %d), want 550", err, code)
	}
}

func TestCloseStopsServe(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := email.NewServer("", &acceptor{}, nil)
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	c, err := smtp.Dial(l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve() = %v, want nil after Close", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after Close")
	}
}
