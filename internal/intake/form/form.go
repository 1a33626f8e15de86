// Package form serves the public report form, through which people outside
// the company (customers, partners) report a problem without signing in.
// A report is stored as a signal before the reporter is shown its reference
// number. The form is rate-limited per client address and carries a
// honeypot field that people never fill and simple bots do.
package form

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/mail"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/intake"
)

// Acceptor stores signals durably. When Accept returns nil the signals are
// stored and their IDs set.
type Acceptor interface {
	Accept(ctx context.Context, sigs []*intake.Signal, dedupLabels []string) error
}

// Config is what the form needs to know.
type Config struct {
	// Services are offered to choose from; a reporter may also choose none.
	Services []string
	// RateLimit is how many reports one client address may send in any
	// RateWindow. Zero takes intake's defaults.
	RateLimit  int
	RateWindow time.Duration
	// TrustProxyHeaders takes the client address from X-Forwarded-For (its
	// last entry, the one the nearest proxy added). Set it only when a proxy
	// in front sets that header: otherwise anyone can claim any address.
	TrustProxyHeaders bool
	// Shared, when set, counts reports in a store every replica shares
	// instead of this process's memory.
	Shared RateStore
}

// Limits of a report.
const (
	MaxBody    = 16 << 10 // the whole request body; see submit
	MaxWhat    = 4000     // what happened, in characters
	MaxWhen    = 200
	MaxContact = 200
	// titleRunes is how much of the report the signal's title quotes.
	titleRunes = 80
)

// Path is where the form is served.
const Path = "/report"

// csp matches the UI's policy: no inline script or style.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

//go:embed templates/report.html
var templateFS embed.FS

var pageTemplate = template.Must(template.ParseFS(templateFS, "templates/report.html"))

type handler struct {
	cfg      Config
	acc      Acceptor
	now      func() time.Time
	log      *slog.Logger
	limit    rateLimiter
	services map[string]bool
	mux      *http.ServeMux
	// lastID is the newest reference handed out, to make the honeypot's
	// made-up ones look like the real ones.
	lastID atomic.Int64
}

// NewHandler returns the form's handler: GET /report shows the form, POST
// /report takes a report. It sets its own security headers, so it may be
// mounted outside the UI's middleware.
func NewHandler(cfg Config, acc Acceptor, now func() time.Time, log *slog.Logger) http.Handler {
	if cfg.RateLimit <= 0 {
		cfg.RateLimit = intake.DefaultRateLimit
	}
	if cfg.RateWindow <= 0 {
		cfg.RateWindow = intake.DefaultRateWindow
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &handler{cfg: cfg, acc: acc, now: now, log: log,
		limit: newLimiter(cfg.RateLimit, cfg.RateWindow), services: map[string]bool{}, mux: http.NewServeMux()}
	if cfg.Shared != nil {
		h.limit = &sharedLimiter{store: cfg.Shared, limit: cfg.RateLimit, window: cfg.RateWindow, log: log}
	}
	for _, s := range cfg.Services {
		h.services[s] = true
	}
	h.mux.HandleFunc("GET "+Path, h.show)
	h.mux.HandleFunc("POST "+Path, h.submit)
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	// Pages carry what a reporter typed: keep them out of shared caches.
	hd.Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r)
}

// values are the fields as entered.
type values struct {
	Service, What, When, Contact string
}

type fieldError struct{ Field, Message string }

// page is what the template shows.
type page struct {
	Lang, Other string
	idx         int
	View        string // form, thanks or notice
	Services    []string
	V           values
	Errors      map[string]string
	ErrorList   []fieldError
	Message     string
	Ref         string
	MaxWhat     int
	MaxWhen     int
	MaxContact  int
}

// T returns the page's string for key in its language.
func (p *page) T(key string, args ...any) string { return t(p.idx, key, args...) }

func (h *handler) newPage(r *http.Request, view string) *page {
	lang := pickLanguage(r)
	idx := i18n.Index(lang)
	return &page{Lang: lang, Other: i18n.Languages[1-idx], idx: idx, View: view, Services: h.cfg.Services,
		MaxWhat: MaxWhat, MaxWhen: MaxWhen, MaxContact: MaxContact}
}

func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, p *page) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		h.log.ErrorContext(r.Context(), "report form: render", "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", p.Lang)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (h *handler) show(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, h.newPage(r, "form"))
}

func (h *handler) submit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	// The form posts multipart/form-data: percent-encoding would make 4000
	// Korean characters 36 KB, while as raw UTF-8 a full report fits in
	// MaxBody. URL-encoded posts are read too. With the body this small no
	// part spills to a temporary file.
	// ParseForm first: ParseMultipartForm would hide its error behind
	// ErrNotMultipart.
	err := r.ParseForm()
	if err == nil {
		if err = r.ParseMultipartForm(MaxBody); errors.Is(err, http.ErrNotMultipart) {
			err = nil
		}
	}
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			p := h.newPage(r, "notice")
			p.Message = p.T("err.large")
			h.render(w, r, http.StatusRequestEntityTooLarge, p)
			return
		}
		h.log.InfoContext(r.Context(), "report form: unreadable body", "err", err)
		http.Error(w, "the form could not be read", http.StatusBadRequest)
		return
	}
	p := h.newPage(r, "form")
	p.V = values{
		Service: strings.TrimSpace(r.PostForm.Get("service")),
		What:    strings.TrimSpace(strings.ReplaceAll(r.PostForm.Get("what"), "\r\n", "\n")),
		When:    strings.TrimSpace(r.PostForm.Get("when")),
		Contact: strings.TrimSpace(r.PostForm.Get("contact")),
	}

	client := h.clientKey(r)
	at := h.now()
	if ok, wait := h.limit.reserve(client, at); !ok {
		secs := int((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		p.Message = p.T("err.rate", waitText(p.idx, wait))
		h.log.InfoContext(r.Context(), "report form: rate limited", "client", client)
		h.render(w, r, http.StatusTooManyRequests, p)
		return
	}

	if r.PostForm.Get("website") != "" {
		// A bot: thank it as if it had succeeded, so it learns nothing, and
		// store nothing. The reservation stays, so a bot is slowed as well.
		h.log.InfoContext(r.Context(), "report form: honeypot filled, discarded", "client", client)
		p.View, p.Ref = "thanks", fmt.Sprintf("SIG-%d", h.fakeID())
		h.render(w, r, http.StatusOK, p)
		return
	}

	if h.validate(p); len(p.ErrorList) > 0 {
		h.limit.release(client, at)
		h.render(w, r, http.StatusBadRequest, p)
		return
	}

	sig := h.signal(p.V)
	if err := h.acc.Accept(r.Context(), []*intake.Signal{sig}, nil); err != nil {
		h.limit.release(client, at)
		h.log.ErrorContext(r.Context(), "report form: accept report", "err", err)
		p.Message = p.T("err.store")
		h.render(w, r, http.StatusServiceUnavailable, p)
		return
	}
	h.lastID.Store(sig.ID)
	h.log.InfoContext(r.Context(), "report form: report accepted", "signal", sig.ID, "service", p.V.Service)
	p.View, p.Ref = "thanks", fmt.Sprintf("SIG-%d", sig.ID)
	h.render(w, r, http.StatusOK, p)
}

// validate fills the page's errors, naming each field by its label.
func (h *handler) validate(p *page) {
	add := func(field, msg string) {
		if p.Errors == nil {
			p.Errors = map[string]string{}
		}
		p.Errors[field] = msg
		p.ErrorList = append(p.ErrorList, fieldError{field, msg})
	}
	v := p.V
	if v.Service != "" && !h.services[v.Service] {
		add("service", p.T("err.service"))
		p.V.Service = ""
	}
	switch n := utf8.RuneCountInString(v.What); {
	case n == 0:
		add("what", p.T("err.what"))
	case n > MaxWhat:
		add("what", p.T("err.what.long", MaxWhat, n))
	}
	if utf8.RuneCountInString(v.When) > MaxWhen {
		add("when", p.T("err.when.long", MaxWhen))
	}
	switch {
	case utf8.RuneCountInString(v.Contact) > MaxContact:
		add("contact", p.T("err.contact.long", MaxContact))
	case v.Contact != "" && !validContact(v.Contact):
		add("contact", p.T("err.contact"))
	}
}

// validContact accepts an e-mail address or something that reads as a phone
// number: digits with the usual separators, and at least six digits.
func validContact(s string) bool {
	if strings.Contains(s, "@") {
		a, err := mail.ParseAddress(s)
		return err == nil && strings.Contains(a.Address, ".")
	}
	digits := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case strings.ContainsRune("+-(). /", c):
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 20
}

func (h *handler) signal(v values) *intake.Signal {
	summary := v.What
	if v.When != "" {
		summary += "\n\nWhen it started / 시작 시점: " + v.When
	}
	// A report is news each time: it never merges with another by
	// fingerprint, however alike the words.
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	return &intake.Signal{
		Source:      "form",
		Title:       "Report: " + intake.ClipRunes(strings.Join(strings.FieldsFunc(v.What, unicode.IsSpace), " "), titleRunes),
		Summary:     summary,
		Status:      intake.Firing,
		Reporter:    v.Contact,
		Labels:      map[string]string{"service": v.Service, "alertname": "public report"},
		Fingerprint: hex.EncodeToString(nonce[:]),
	}
}

// fakeID makes up a reference near the real ones for the honeypot's answer.
func (h *handler) fakeID() int64 {
	if last := h.lastID.Load(); last > 0 {
		return last + 1 + mrand.Int64N(5)
	}
	return 1000 + mrand.Int64N(9000)
}

// clientKey names the client for rate limiting: its IP address, or for IPv6
// its /64, since one subscriber usually holds a whole /64.
func (h *handler) clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if h.cfg.TrustProxyHeaders {
		// The last entry is the one the nearest proxy added; entries before
		// it came from the client and may be made up.
		parts := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(parts) - 1; i >= 0; i-- {
			if a, perr := netip.ParseAddr(strings.TrimSpace(parts[i])); perr == nil {
				addr, err = a, nil
				break
			}
		}
	}
	if err != nil {
		return host
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// waitText says how long to wait, in whole minutes, in language idx.
func waitText(idx int, d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute)
	m = max(m, 1)
	if idx == 1 {
		return fmt.Sprintf("%d분", m)
	}
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}
