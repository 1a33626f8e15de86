package testutil

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// MailSink is a real SMTP server on 127.0.0.1 that keeps what it receives,
// parsed, for tests of outbound mail.
type MailSink struct {
	Host string
	Port int

	srv  *smtp.Server
	mu   sync.Mutex
	got  []ReceivedMail
	fail []error // answers for the next DATA commands, in order
	// refuse holds recipients the sink answers RCPT TO with a permanent
	// 550, as a mail server does for a mailbox that does not exist.
	refuse map[string]bool
}

// ReceivedMail is one message the sink accepted.
type ReceivedMail struct {
	From   string
	To     []string
	Header mail.Header
	Text   string // the text/plain part
	HTML   string // the text/html part
	Raw    []byte
	At     time.Time // when the sink accepted it
}

// StartMailSink starts a sink that stops when the test ends.
func StartMailSink(t testing.TB) *MailSink {
	t.Helper()
	s := &MailSink{}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }))
	s.srv.Domain = "sink.test"
	s.srv.ReadTimeout, s.srv.WriteTimeout = 30*time.Second, 30*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Host, s.Port = "127.0.0.1", l.Addr().(*net.TCPAddr).Port
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// FailNext makes the next deliveries fail, one SMTP error per delivery:
// e.g. &smtp.SMTPError{Code: 451, Message: "try later"}.
func (s *MailSink) FailNext(errs ...*smtp.SMTPError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range errs {
		s.fail = append(s.fail, e)
	}
}

// RefuseRecipient makes the sink refuse every mail to addr at RCPT TO
// with a permanent 550 5.1.1, as for an address that does not exist.
func (s *MailSink) RefuseRecipient(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse == nil {
		s.refuse = map[string]bool{}
	}
	s.refuse[strings.ToLower(addr)] = true
}

// Messages returns what the sink has received so far.
func (s *MailSink) Messages() []ReceivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ReceivedMail(nil), s.got...)
}

// WaitFor waits until the sink holds at least n messages and returns them.
func (s *MailSink) WaitFor(t testing.TB, n int, within time.Duration) []ReceivedMail {
	t.Helper()
	return s.WaitForMatching(t, n, within, func(ReceivedMail) bool { return true })
}

// MessagesTo returns what the sink has received for addr alone. Tests that
// look for one kind of mail use it: declaring an incident also mails the
// owning team through the same server.
func (s *MailSink) MessagesTo(addr string) []ReceivedMail {
	var out []ReceivedMail
	for _, m := range s.Messages() {
		if len(m.To) == 1 && m.To[0] == addr {
			out = append(out, m)
		}
	}
	return out
}

// WaitForTo waits until the sink holds at least n messages for addr alone.
func (s *MailSink) WaitForTo(t testing.TB, addr string, n int, within time.Duration) []ReceivedMail {
	t.Helper()
	return s.WaitForMatching(t, n, within, func(m ReceivedMail) bool { return len(m.To) == 1 && m.To[0] == addr })
}

// WaitForMatching waits until at least n received messages satisfy match
// and returns those.
func (s *MailSink) WaitForMatching(t testing.TB, n int, within time.Duration, match func(ReceivedMail) bool) []ReceivedMail {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var got []ReceivedMail
		for _, m := range s.Messages() {
			if match(m) {
				got = append(got, m)
			}
		}
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("mail sink: got %d matching messages within %s, want %d", len(got), within, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type sinkSession struct {
	sink *MailSink
	from string
	to   []string
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error { ss.from = from; return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.sink.mu.Lock()
	refused := ss.sink.refuse[strings.ToLower(to)]
	ss.sink.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable: " + to}
	}
	ss.to = append(ss.to, to)
	return nil
}
func (ss *sinkSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *sinkSession) Logout() error { return nil }

func (ss *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.sink
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.fail) > 0 {
		err := s.fail[0]
		s.fail = s.fail[1:]
		return err
	}
	m, err := ParseMail(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "cannot parse: " + err.Error()}
	}
	m.From, m.To, m.At = ss.from, append([]string(nil), ss.to...), time.Now()
	s.got = append(s.got, m)
	return nil
}

// ParseMail reads a message and its text and HTML parts.
func ParseMail(raw []byte) (ReceivedMail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ReceivedMail{}, err
	}
	out := ReceivedMail{Header: msg.Header, Raw: raw}
	err = readPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &out)
	return out, err
}

func readPart(ctype, encoding string, body io.Reader, out *ReceivedMail) error {
	if ctype == "" {
		ctype = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := readPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, out); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		out.Text = string(text)
	case "text/html":
		out.HTML = string(text)
	}
	return nil
}

// Subject returns the decoded Subject header.
func (m ReceivedMail) Subject() string {
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return m.Header.Get("Subject")
	}
	return s
}
