// Package email is the SMTP intake: monitoring systems and mail relays send
// alarm mail to it, and each message becomes one signal. A message is
// answered "250 queued" only after its signal is stored; when storing fails
// the answer is a temporary 451, so the sending MTA keeps the message and
// tries again.
//
// The server offers no authentication and no TLS: it is meant as the relay
// target of the company's own mail system or of monitoring hosts, and should
// listen on an internal address (for example 10.0.0.5:2525 or 127.0.0.1:2525),
// never on one the internet can reach.
package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/firebreak-oss/firebreak/internal/intake"
)

// Acceptor stores signals durably. When Accept returns nil the signals are
// stored and their IDs set.
type Acceptor interface {
	Accept(ctx context.Context, sigs []*intake.Signal, dedupLabels []string) error
}

// rejecter is what an Acceptor may also offer: a log of payloads that could
// not be read. The intake core has it; a message that cannot be read is kept
// there when it is.
type rejecter interface {
	Reject(ctx context.Context, source, reason string, body []byte) error
}

// The limits of the server. An alarm mail is small: one megabyte holds the
// text and a screenshot or two, and more than 50 recipients is a mailing
// list, not an alarm.
const (
	MaxMessageBytes = 1 << 20
	MaxRecipients   = 50
	// ReadTimeout bounds the wait for a command and the reading of a whole
	// message after DATA; WriteTimeout bounds each reply.
	ReadTimeout  = 2 * time.Minute
	WriteTimeout = time.Minute
	// acceptTimeout bounds the wait for the store. RFC 5321 has a client
	// wait 10 minutes for the answer to DATA, so this is well inside it.
	acceptTimeout = time.Minute
)

// Server receives alarm mail over SMTP and turns each message into a signal.
type Server struct {
	smtp *smtp.Server
	acc  Acceptor
	log  *slog.Logger

	// ctx ends when the server closes, so that a store call in flight is
	// told to give up.
	ctx    context.Context
	cancel context.CancelFunc
}

// NewServer returns a server that will listen on addr (host:port) and hand
// each message to acc. It offers no authentication: addr should be internal.
func NewServer(addr string, acc Acceptor, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{acc: acc, log: log, ctx: ctx, cancel: cancel}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Addr = addr
	srv.Domain = "firebreak"
	srv.MaxMessageBytes = MaxMessageBytes
	srv.MaxRecipients = MaxRecipients
	srv.ReadTimeout = ReadTimeout
	srv.WriteTimeout = WriteTimeout
	// Alarm senders put UTF-8 in headers and addresses; the parser takes it.
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = smtpLogger{log}
	s.smtp = srv
	return s
}

// ListenAndServe listens on the server's address and serves until Close or
// Shutdown. After either it returns nil.
func (s *Server) ListenAndServe() error {
	l, err := net.Listen("tcp", s.smtp.Addr)
	if err != nil {
		return fmt.Errorf("smtp intake: %w", err)
	}
	return s.Serve(l)
}

// Serve serves SMTP on l until Close or Shutdown. After either it returns nil.
func (s *Server) Serve(l net.Listener) error {
	if s.ctx.Err() != nil {
		l.Close()
		return nil
	}
	s.log.Info("smtp intake listening", "addr", l.Addr().String())
	if err := s.smtp.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return fmt.Errorf("smtp intake: %w", err)
	}
	return nil
}

// Close stops the server at once, dropping connections mid-message. A
// message dropped so was not answered 250, so its sender still holds it.
func (s *Server) Close() error {
	s.cancel()
	if err := s.smtp.Close(); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops listening and waits for the sessions in progress to end,
// or for ctx to end.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.smtp.Shutdown(ctx)
	s.cancel()
	if err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	remote := ""
	if conn := c.Conn(); conn != nil {
		remote = conn.RemoteAddr().String()
	}
	return &session{srv: s, remote: remote}, nil
}

// errNotStored is the answer to DATA when the store failed: temporary, so
// the sending MTA queues the message and tries again.
var errNotStored = &smtp.SMTPError{
	Code:         451,
	EnhancedCode: smtp.EnhancedCode{4, 3, 0},
	Message:      "Could not store the message; try again later",
}

// errReadFailed is the answer when the message could not be read whole.
var errReadFailed = &smtp.SMTPError{
	Code:         451,
	EnhancedCode: smtp.EnhancedCode{4, 4, 2},
	Message:      "Could not read the message; try again later",
}

// session is one SMTP transaction at a time on one connection.
type session struct {
	srv    *Server
	remote string

	mu   sync.Mutex
	from string
	rcpt []string
}

func (s *session) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.from, s.rcpt = "", nil
}

func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.from, s.rcpt = from, nil
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcpt = append(s.rcpt, to)
	return nil
}

// Data stores the message's signal before it returns: go-smtp answers the
// DATA command with what Data returns.
func (s *session) Data(r io.Reader) error {
	s.mu.Lock()
	from, rcpt := s.from, append([]string(nil), s.rcpt...)
	s.mu.Unlock()
	log := s.srv.log.With("remote", s.remote, "envelope_from", from)

	raw, err := io.ReadAll(r)
	if err != nil {
		// go-smtp recognises its own errors only unwrapped.
		if errors.Is(err, smtp.ErrDataTooLarge) {
			log.Warn("smtp intake: message too large", "limit", MaxMessageBytes)
			return smtp.ErrDataTooLarge
		}
		log.Warn("smtp intake: read message", "err", err)
		return errReadFailed
	}

	ctx, cancel := context.WithTimeout(s.srv.ctx, acceptTimeout)
	defer cancel()
	sig, err := parseMessage(raw, from, rcpt)
	if err != nil {
		// An unreadable header is not going to read better on a retry:
		// refuse it for good, so the sender gets a bounce, and keep it for
		// an admin to see.
		log.Warn("smtp intake: unreadable message", "err", err)
		if rj, ok := s.srv.acc.(rejecter); ok {
			if rerr := rj.Reject(ctx, "email", err.Error(), raw); rerr != nil {
				log.Error("smtp intake: keep rejected message", "err", rerr)
			}
		}
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Unreadable message: " + err.Error()}
	}
	if err := s.srv.acc.Accept(ctx, []*intake.Signal{sig}, nil); err != nil {
		log.Error("smtp intake: accept signal", "err", err)
		return errNotStored
	}
	log.Info("smtp intake: accepted", "signal", sig.ID, "status", sig.Status, "from", sig.Labels["from"])
	return nil
}

// smtpLogger passes go-smtp's own error reports (mostly broken connections)
// to slog.
type smtpLogger struct{ log *slog.Logger }

func (l smtpLogger) Printf(format string, v ...any) {
	l.log.Warn("smtp intake: " + fmt.Sprintf(format, v...))
}

func (l smtpLogger) Println(v ...any) {
	l.log.Warn("smtp intake: " + fmt.Sprintln(v...))
}
