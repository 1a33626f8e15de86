// Package ui serves Firebreak's web site: server-rendered pages that work
// without JavaScript, with a small script for live updates. Templates and
// static files are embedded in the binary.
package ui

import (
	"context"
	"crypto/subtle"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/change"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/i18n"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/insight"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/livewake"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
	"github.com/firebreak-oss/firebreak/internal/playbook"
	"github.com/firebreak-oss/firebreak/internal/propagate"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/teamtarget"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// UserLister lists users for the role pickers.
type UserLister interface {
	ListUsers(ctx context.Context, limit int) ([]auth.User, error)
}

// UI is the web site's handlers and what they call.
type UI struct {
	// WarRooms finds incidents' chat channels (nil: none shown).
	WarRooms  WarRoomLookup
	Incidents *incident.Service
	Passwords *auth.Passwords
	Accounts  *auth.Service // tokens, roles, audit log and single sign-on users
	Users     UserLister
	Catalog   *catalog.Catalog
	Inbox     *intake.Inbox
	Reports   *report.Service
	Library   *report.Library
	Review    *review.Service
	Log       *slog.Logger
	Now       func() time.Time
	// LivePoll is how often live views look for news (default 1s).
	LivePoll time.Duration
	// LiveWake, when set, wakes live views at once when any replica writes
	// a timeline row; they still poll in case a notice is lost.
	LiveWake *livewake.Hub
	// StoreHealth, when set, says whether the store could write at its
	// last check; pages show signed-in users a banner while it cannot.
	StoreHealth func() error
	// Propagate previews who a declaration tells; Messages lists what was
	// sent. Either may be nil.
	Propagate *propagate.Propagator
	Messages  MessageReader
	// Cadence and UpdateEvery tell the incident page when the next status
	// update is due (nil Cadence: not shown; nil UpdateEvery: the grade's
	// default interval).
	Cadence     CadenceReader
	UpdateEvery func(incident.Grade) time.Duration
	// SSO is the identity provider's sign-in; nil when it is off.
	SSO SSO
	// Logins limits failed password sign-ins (default: 10 per 15 minutes
	// per client address and per user name).
	Logins LoginLimits
	// TrustProxyHeaders takes client addresses from X-Forwarded-For.
	TrustProxyHeaders bool
	// TeamTargets are the teams' own notification targets.
	TeamTargets *teamtarget.Service
	// Playbooks are the services' playbooks and their runs; nil: none.
	Playbooks *playbook.Service
	// Changes is the change registry, for the incident page.
	Changes *change.Service
	// DemoOutbox, set only by `serve --demo`, mounts /demo/outbox and
	// links it in the header.
	DemoOutbox DemoOutbox
	// Flags are the kill switches.
	Flags *flag.Service
	// Switches are the kill switches seen from incidents; nil: not shown.
	Switches *flag.IncidentSwitches
	// Insights measures incidents for the insights page; nil: not shown.
	Insights *insight.Service
	// Maintenance plans windows and silences; nil: the pages are off.
	Maintenance *maintenance.Service

	once    sync.Once
	pages   *pages
	handler http.Handler
}

const sessionCookie = "fb_session"

// Handler returns the web site's handler, mounted at /.
func (u *UI) Handler() http.Handler {
	u.once.Do(u.build)
	return u.handler
}

// LoginLimits counts failed sign-ins per key: auth.LoginLimiter in this
// process's memory, or auth.SharedLoginLimiter across replicas.
type LoginLimits interface {
	Blocked(now time.Time, keys ...string) (bool, time.Duration)
	Fail(now time.Time, keys ...string)
	Succeed(key string)
}

func (u *UI) build() {
	if u.Now == nil {
		u.Now = time.Now
	}
	if u.LivePoll == 0 {
		u.LivePoll = time.Second
	}
	if u.Logins == nil {
		u.Logins = auth.NewLoginLimiter(10, 15*time.Minute)
	}
	u.pages = mustParsePages()
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", cacheStatic(http.StripPrefix("/static/", http.FileServerFS(static))))
	mux.HandleFunc("GET /login", u.loginPage)
	mux.HandleFunc("POST /login", u.login)
	mux.HandleFunc("POST /lang", u.setLanguage)
	mux.HandleFunc("GET /auth/oidc/start", u.ssoStart)
	mux.HandleFunc("GET /auth/oidc/callback", u.ssoCallback)
	signedIn := func(pattern string, h func(http.ResponseWriter, *http.Request, *view)) {
		mux.Handle(pattern, u.requireSession(h))
	}
	signedIn("POST /logout", u.logout)
	signedIn("GET /{$}", func(w http.ResponseWriter, r *http.Request, v *view) {
		http.Redirect(w, r, "/incidents", http.StatusSeeOther)
	})
	signedIn("GET /incidents", u.listIncidents)
	signedIn("GET /incidents/live", u.listLive)
	signedIn("GET /incidents/new", u.declareForm)
	signedIn("POST /incidents", u.declare)
	signedIn("POST /incidents/preview", u.previewFragment)
	signedIn("GET /incidents/{ref}", u.showIncident)
	signedIn("GET /incidents/{ref}/live", u.incidentLive)
	signedIn("POST /incidents/{ref}/status", u.changeStatus)
	signedIn("POST /incidents/{ref}/grade", u.changeGrade)
	signedIn("POST /incidents/{ref}/roles", u.assignRole)
	signedIn("POST /incidents/{ref}/notes", u.addNote)
	signedIn("POST /incidents/{ref}/updates", u.postUpdate)
	signedIn("GET /triage", u.triageInbox)
	signedIn("POST /triage/{id}/{action}", u.triageAction)
	signedIn("GET /services", u.listServices)
	signedIn("GET /services/{name}", u.showService)
	signedIn("GET /teams", u.listTeams)
	u.reportRoutes(signedIn)
	u.reviewRoutes(signedIn)
	u.teamTargetRoutes(signedIn)
	u.playbookRoutes(signedIn)
	u.changeRoutes(signedIn)
	u.detectionRoutes(signedIn)
	if u.DemoOutbox != nil {
		signedIn("GET /demo/outbox", u.demoOutbox)
	}
	u.flagRoutes(signedIn)
	u.incidentFlagRoutes(signedIn)
	u.insightRoutes(signedIn)
	u.maintenanceRoutes(signedIn)
	signedIn("GET /teams/{name}/roles", u.teamRoles)
	signedIn("POST /teams/{name}/roles", u.setTeamRole)
	signedIn("GET /account", u.account)
	signedIn("POST /account/tokens", u.createToken)
	signedIn("POST /account/tokens/{id}/revoke", u.revokeToken)
	signedIn("GET /admin/audit", u.auditLog)
	signedIn("GET /admin/audit.jsonl", u.auditExport)
	signedIn("/", func(w http.ResponseWriter, r *http.Request, v *view) {
		u.fail(w, r, v, fail.New(fail.NotFound, "no page %s", r.URL.Path))
	})
	// Cross-origin form posts are refused by the browser's own Fetch
	// Metadata, on top of the per-session token every form carries.
	u.handler = securityHeaders(http.NewCrossOriginProtection().Handler(mux))
}

// securityHeaders sets a strict policy: no inline script or style, no
// framing, no referrer leaking incident URLs to other sites. (HSTS is set
// for every answer in package web.)
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Asset URLs carry a content hash (?v=…), so they may be cached long.
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		next.ServeHTTP(w, r)
	})
}

// view is what every page knows about the request: who, in which language
// and time zone, and the session's form token.
type view struct {
	translator
	Lang string
	User auth.User
	CSRF string
	Zone *time.Location
	Path string
	Now  time.Time
	Demo bool // the server runs with --demo
	// StoreDown: the store could not write at its last check (a full disk).
	StoreDown bool
}

func (u *UI) newView(r *http.Request) *view {
	lang := pickLanguage(r)
	return &view{translator: translatorFor(lang), Lang: lang, Zone: viewerZone(r), Path: r.URL.RequestURI(), Now: u.Now(),
		Demo: u.DemoOutbox != nil, StoreDown: u.StoreHealth != nil && u.StoreHealth() != nil}
}

// requireSession loads the session or sends the browser to sign in, and
// checks the form token on every POST.
func (u *UI) requireSession(h func(http.ResponseWriter, *http.Request, *view)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := u.newView(r)
		var err error = fail.New(fail.Unauthorized, "not signed in")
		if c, cerr := r.Cookie(sessionCookie); cerr == nil {
			var sess auth.Session
			sess, v.User, err = u.Passwords.Session(r.Context(), c.Value)
			v.CSRF = sess.CSRF
			// A signed-in page may show a restricted incident: no shared or
			// browser cache may keep it after sign-out.
			w.Header().Set("Cache-Control", "no-store")
		}
		if err != nil {
			if fail.CodeOf(err) != fail.Unauthorized {
				u.fail(w, r, v, err)
				return
			}
			if r.Method != http.MethodGet {
				http.Error(w, "not signed in", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(v.CSRF)) != 1 {
				w.WriteHeader(http.StatusForbidden)
				u.render(w, r, "error", v, errorPage{Message: v.T("err.csrf")})
				return
			}
		}
		h(w, r, v)
	})
}

type errorPage struct{ Message string }

// fail shows an error page with the status its code calls for.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, v *view, err error) {
	status, msg := http.StatusInternalServerError, v.T("err.title")
	if e, ok := fail.As(err); ok {
		switch e.Code {
		case fail.NotFound:
			status, msg = http.StatusNotFound, v.T("err.not_found")
		case fail.Forbidden:
			status, msg = http.StatusForbidden, v.T("err.forbidden")
		case fail.Invalid, fail.Conflict:
			status, msg = http.StatusBadRequest, e.Error()
		}
	} else {
		u.Log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
	}
	w.WriteHeader(status)
	u.render(w, r, "error", v, errorPage{Message: msg})
}

func (u *UI) loginPage(w http.ResponseWriter, r *http.Request) {
	u.render(w, r, "login", u.newView(r), u.loginData(safeNext(r.URL.Query().Get("next")), "", ""))
}

type loginPage struct {
	Next, Name, Error string
	SSOLabel          string // the single sign-on button's text; "" when it is off
	SSOURL            string
}

func (u *UI) loginData(next, name, errMsg string) loginPage {
	p := loginPage{Next: next, Name: name, Error: errMsg}
	if u.SSO != nil {
		p.SSOLabel, p.SSOURL = u.SSO.Label(), "/auth/oidc/start?next="+url.QueryEscape(next)
	}
	return p
}

func (u *UI) login(w http.ResponseWriter, r *http.Request) {
	v := u.newView(r)
	name, next := strings.TrimSpace(r.PostFormValue("name")), safeNext(r.PostFormValue("next"))
	// Failures count against the client and the name alike: one client
	// cannot guess many names' passwords, nor many clients one name's.
	keys := []string{"addr:" + u.clientAddr(r), "name:" + strings.ToLower(name)}
	if blocked, wait := u.Logins.Blocked(u.Now(), keys...); blocked {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		w.WriteHeader(http.StatusTooManyRequests)
		u.render(w, r, "login", v, u.loginData(next, name, v.T("login.limited", int(wait.Minutes())+1)))
		return
	}
	secret, sess, _, err := u.Passwords.SignIn(r.Context(), name, r.PostFormValue("password"))
	if err != nil {
		if fail.CodeOf(err) != fail.Unauthorized {
			u.fail(w, r, v, err)
			return
		}
		u.Logins.Fail(u.Now(), keys...)
		w.WriteHeader(http.StatusUnauthorized)
		u.render(w, r, "login", v, u.loginData(next, name, v.T("login.failed")))
		return
	}
	u.Logins.Succeed(keys[1])
	u.setSession(w, r, secret, sess)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (u *UI) logout(w http.ResponseWriter, r *http.Request, v *view) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := u.Passwords.SignOut(r.Context(), c.Value); err != nil {
			u.fail(w, r, v, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (u *UI) setLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if !i18n.Known(lang) {
		// Refused, not quietly English: the switch only offers known ones.
		u.fail(w, r, u.newView(r), fail.Field("lang", "must be %s; got %q", strings.Join(i18n.Languages, " or "), lang))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func isHTTPS(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

var zoneCache sync.Map // name → *time.Location

// viewerZone reads the tz cookie the page script sets from the browser's
// own zone; without it (no JavaScript yet) times show in UTC.
func viewerZone(r *http.Request) *time.Location {
	c, err := r.Cookie("tz")
	if err != nil || c.Value == "" || len(c.Value) > 64 {
		return time.UTC
	}
	name, err := url.QueryUnescape(c.Value)
	if err != nil {
		return time.UTC
	}
	if loc, ok := zoneCache.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	zoneCache.Store(name, loc)
	return loc
}
