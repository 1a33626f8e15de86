// Package status serves Firebreak's status page: /status for anyone (public
// incidents and their public updates), /status/internal for signed-in staff
// (internal incidents and every update too; never restricted ones), and an
// Atom feed of the public page at /status/feed.atom. Pages are plain HTML,
// no script, readable at phone width, in Korean and English. Every request
// reads the database, so every replica answers alike; an ETag lets browsers
// and proxies revalidate cheaply.
package status

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/statuspage"
)

//go:embed templates/page.html templates/status.css
var files embed.FS

var (
	page = template.Must(template.New("page.html").Funcs(template.FuncMap{
		"isoTime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"deref":   func(t *time.Time) time.Time { return *t },
		// entryOf hands an incident to its template with the page's view.
		"entryOf": func(v pageView, e statuspage.Entry) entryData { return entryData{v, e} },
	}).ParseFS(files, "templates/page.html"))
	stylesheet, _ = files.ReadFile("templates/status.css")
	styleVersion  = shortHash(stylesheet)
)

// Handler serves the status pages and the feed.
type Handler struct {
	Store statuspage.Store
	// Services lists the catalog's services, for the staff page.
	Services func() []string
	// SignedIn reports the user a request's session belongs to.
	SignedIn func(*http.Request) (auth.User, bool)
	Now      func() time.Time
	Zone     *time.Location // times are shown in it (default UTC)
	Log      *slog.Logger
	// Maintenance lists scheduled maintenance; nil: none shown.
	Maintenance Schedule
}

// Register mounts the handler's routes.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /status", h.publicPage)
	mux.HandleFunc("GET /status/{$}", h.publicPage)
	mux.HandleFunc("GET /status/internal", h.staffPage)
	mux.HandleFunc("GET /status/feed.atom", h.feed)
	mux.HandleFunc("GET /status/status.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		_, _ = w.Write(stylesheet)
	})
}

func (h *Handler) publicPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, statuspage.Public, "public")
}

func (h *Handler) staffPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.SignedIn(r); !ok {
		http.Redirect(w, r, "/login?next="+url.QueryEscape("/status/internal"), http.StatusSeeOther)
		return
	}
	h.render(w, r, statuspage.Staff, "private")
}

// pageView is what the template sees.
type pageView struct {
	*statuspage.Page
	Lang, Other string // the page's language and the one the switch offers
	msgs        int
	zone        *time.Location
	Path        string
	CSS         string
	Scheduled   []Scheduled
}

type entryData struct {
	V pageView
	E statuspage.Entry
}

// T returns a message in the page's language.
func (v pageView) T(key string, args ...any) string { return messages.T(v.msgs, key, args...) }

// Time shows a time in the page's zone.
func (v pageView) Time(t time.Time) string { return t.In(v.zone).Format("2006-01-02 15:04 MST") }

// StatusName is an incident status in the page's language.
func (v pageView) StatusName(s incident.Status) string { return v.T("status." + string(s)) }

// StateName is a service state in the page's language.
func (v pageView) StateName(s statuspage.State) string { return v.T("state." + string(s)) }

// IsPublic reports whether the update is on the public page too (the staff
// page marks those).
func (v pageView) IsPublic(ev incident.Event) bool {
	return incident.IsPublicUpdate(ev) || statuspage.IsEnding(ev)
}

// Text is an update's text, or what the resolution or closing says.
func (v pageView) Text(ev incident.Event) string {
	if statuspage.IsEnding(ev) {
		to, _ := ev.Data["to"].(string)
		return v.T("upd.ending." + to)
	}
	s, _ := ev.Data["text"].(string)
	return s
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, a statuspage.Audience, cache string) {
	if badLang(w, r) {
		return
	}
	p, err := statuspage.Build(r.Context(), h.Store, a, h.Services(), h.Now())
	if err != nil {
		h.Log.ErrorContext(r.Context(), "status page", "err", err)
		http.Error(w, "the status page is unavailable; try again shortly", http.StatusServiceUnavailable)
		return
	}
	lang := i18n.Pick(r, r.URL.Query().Get("lang"))
	other := "ko"
	if lang == "ko" {
		other = "en"
	}
	zone := h.Zone
	if zone == nil {
		zone = time.UTC
	}
	var buf bytes.Buffer
	v := pageView{Page: p, Lang: lang, Other: other, msgs: i18n.Index(lang), zone: zone, Path: r.URL.Path,
		CSS: "/status/status.css?v=" + styleVersion}
	if h.Maintenance != nil {
		if v.Scheduled, err = h.Maintenance(r.Context(), a == statuspage.Public, h.Now()); err != nil {
			h.Log.WarnContext(r.Context(), "scheduled maintenance for the status page", "err", err)
		}
	}
	if err := page.Execute(&buf, v); err != nil {
		h.Log.ErrorContext(r.Context(), "render status page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeCached(w, r, buf.Bytes(), "text/html; charset=utf-8", lang, cache)
}

// writeCached answers with body, or 304 when the client holds it already.
// no-cache makes every cache ask again each time, so nobody sees an old
// state; the ETag makes asking cheap.
func writeCached(w http.ResponseWriter, r *http.Request, body []byte, contentType, lang, cache string) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", cache+", no-cache")
	h.Set("Vary", "Accept-Language, Cookie")
	etag := `"` + shortHash(body) + `"`
	h.Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Language", lang)
	_, _ = w.Write(body)
}

func shortHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
