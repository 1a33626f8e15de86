package ui

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

// SSO is single sign-on through an identity provider (see package sso).
type SSO interface {
	Label() string
	Start(ctx context.Context, next string) (redirect, state string, err error)
	Finish(ctx context.Context, q url.Values, cookieState string) (auth.Identity, string, error)
}

// ssoStateCookie carries a sign-in's state from start to callback, binding
// the answer to the browser that began it.
const ssoStateCookie = "fb_sso_state"

func (u *UI) ssoStart(w http.ResponseWriter, r *http.Request) {
	v := u.newView(r)
	if u.SSO == nil {
		u.fail(w, r, v, fail.New(fail.NotFound, "single sign-on is off"))
		return
	}
	redirect, state, err := u.SSO.Start(r.Context(), safeNext(r.URL.Query().Get("next")))
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: ssoStateCookie, Value: state, Path: "/auth/oidc", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r), MaxAge: 600})
	http.Redirect(w, r, redirect, http.StatusFound)
}

func (u *UI) ssoCallback(w http.ResponseWriter, r *http.Request) {
	v := u.newView(r)
	if u.SSO == nil {
		u.fail(w, r, v, fail.New(fail.NotFound, "single sign-on is off"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: ssoStateCookie, Value: "", Path: "/auth/oidc", MaxAge: -1, HttpOnly: true})
	var cookieState string
	if c, err := r.Cookie(ssoStateCookie); err == nil {
		cookieState = c.Value
	}
	id, next, err := u.SSO.Finish(r.Context(), r.URL.Query(), cookieState)
	var user auth.User
	if err == nil {
		user, err = u.Accounts.SignInSSO(r.Context(), id)
	}
	if err != nil {
		if fail.CodeOf(err) != fail.Unauthorized {
			u.fail(w, r, v, err)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		u.render(w, r, "login", v, u.loginData(safeNext(next), "", v.T("login.sso_failed", err.Error())))
		return
	}
	secret, sess, err := u.Passwords.StartSession(r.Context(), user)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	u.setSession(w, r, secret, sess)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

func (u *UI) setSession(w http.ResponseWriter, r *http.Request, secret string, sess auth.Session) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: isHTTPS(r), Expires: sess.ExpiresAt.Add(24 * time.Hour),
	})
}

// clientAddr is the address sign-in attempts are counted against.
func (u *UI) clientAddr(r *http.Request) string {
	if u.TrustProxyHeaders {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1]) // the address our proxy saw
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type accountPage struct {
	Tokens       []auth.Token
	ManagedTeams []string
	NewSecret    string
	Error        string
	NextURL      string
}

func (u *UI) account(w http.ResponseWriter, r *http.Request, v *view) {
	u.renderAccount(w, r, v, "", nil)
}

func (u *UI) renderAccount(w http.ResponseWriter, r *http.Request, v *view, secret string, formErr error) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("cursor"), 10, 64)
	toks, err := u.Accounts.Tokens(r.Context(), v.User, before, pageSize)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p := accountPage{Tokens: toks, NewSecret: secret}
	if len(toks) == pageSize {
		p.NextURL = "/account?cursor=" + strconv.FormatInt(toks[len(toks)-1].ID, 10)
	}
	for _, t := range u.Catalog.Teams() {
		if v.User.HasTeamRole(auth.TeamManager, t.Name) {
			p.ManagedTeams = append(p.ManagedTeams, t.Name)
		}
	}
	if formErr != nil {
		var ok bool
		if p.Error, ok = u.formProblem(w, r, v, formErr); !ok {
			return
		}
	}
	u.render(w, r, "account", v, p)
}

func (u *UI) createToken(w http.ResponseWriter, r *http.Request, v *view) {
	req := auth.TokenRequest{Label: r.PostFormValue("label"), Team: r.PostFormValue("team")}
	for _, s := range r.PostForm["scope"] {
		req.Scopes = append(req.Scopes, auth.Scope(s))
	}
	if ttl := r.PostFormValue("ttl"); ttl != "" {
		d, err := time.ParseDuration(ttl)
		if err != nil {
			u.renderAccount(w, r, v, "", fail.Field("ttl", "must be a duration such as 720h"))
			return
		}
		req.TTL = d
	}
	secret, _, err := u.Accounts.IssueToken(r.Context(), v.User, req)
	if err != nil {
		u.renderAccount(w, r, v, "", err)
		return
	}
	// The secret is shown on this answer only, never in a URL or a
	// redirect, and no cache keeps it.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	u.renderAccount(w, r, v, secret, nil)
}

func (u *UI) revokeToken(w http.ResponseWriter, r *http.Request, v *view) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if _, err := u.Accounts.RevokeToken(r.Context(), v.User, id); err != nil {
		u.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

type auditPage struct {
	Entries []auth.AuditEntry
	NextURL string
}

func (u *UI) auditLog(w http.ResponseWriter, r *http.Request, v *view) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("cursor"), 10, 64)
	entries, err := u.Accounts.Audit(r.Context(), v.User, before, pageSize)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p := auditPage{Entries: entries}
	if len(entries) == pageSize {
		p.NextURL = "/admin/audit?cursor=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	u.render(w, r, "audit", v, p)
}

// auditExport downloads the audit log as JSON lines.
func (u *UI) auditExport(w http.ResponseWriter, r *http.Request, v *view) {
	if !v.User.IsAdmin() {
		u.fail(w, r, v, fail.New(fail.Forbidden, "the audit log is for organisation admins"))
		return
	}
	w.Header().Set("Content-Type", "application/jsonl")
	w.Header().Set("Content-Disposition", `attachment; filename="firebreak-audit.jsonl"`)
	if err := u.Accounts.ExportAudit(r.Context(), v.User, 0, 1<<30, w); err != nil {
		u.Log.ErrorContext(r.Context(), "export audit log", "err", err)
	}
}

type teamRolesPage struct {
	Team      string
	Members   []auth.TeamMember
	CanManage bool
	Users     []string
	Error     string
}

func (u *UI) teamRoles(w http.ResponseWriter, r *http.Request, v *view) {
	u.renderTeamRoles(w, r, v, nil)
}

func (u *UI) renderTeamRoles(w http.ResponseWriter, r *http.Request, v *view, formErr error) {
	team := r.PathValue("name")
	members, err := u.Accounts.TeamMembers(r.Context(), team)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p := teamRolesPage{Team: team, Members: members, CanManage: v.User.HasTeamRole(auth.TeamManager, team)}
	if p.CanManage {
		users, err := u.Users.ListUsers(r.Context(), 500)
		if err != nil {
			u.fail(w, r, v, err)
			return
		}
		for _, us := range users {
			p.Users = append(p.Users, us.Name)
		}
	}
	if formErr != nil {
		var ok bool
		if p.Error, ok = u.formProblem(w, r, v, formErr); !ok {
			return
		}
	}
	u.render(w, r, "team_roles", v, p)
}

func (u *UI) setTeamRole(w http.ResponseWriter, r *http.Request, v *view) {
	team := r.PathValue("name")
	user := strings.TrimSpace(r.PostFormValue("user"))
	if _, err := u.Accounts.SetTeamRole(r.Context(), v.User, user, team, auth.TeamRole(r.PostFormValue("role"))); err != nil {
		if fail.CodeOf(err) == fail.NotFound && user != "" {
			err = fail.Field("user", "unknown user %q", user)
		}
		u.renderTeamRoles(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/teams/"+url.PathEscape(team)+"/roles", http.StatusSeeOther)
}

// formProblem handles the error of a refused form: a mistake in the input
// comes back as the message to show on the form (status 400); anything else
// (not allowed, not found, a failure) is shown as an error page, and ok is
// false.
func (u *UI) formProblem(w http.ResponseWriter, r *http.Request, v *view, err error) (msg string, ok bool) {
	e, isDomain := fail.As(err)
	if !isDomain || (e.Code != fail.Invalid && e.Code != fail.Conflict) {
		u.fail(w, r, v, err)
		return "", false
	}
	w.WriteHeader(http.StatusBadRequest)
	return e.Error(), true
}
