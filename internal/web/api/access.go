package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
)

type tokenRequest struct {
	Label  string   `json:"label"`
	Scopes []string `json:"scopes"`
	TTL    string   `json:"ttl"`  // a Go duration such as 720h; "" never expires
	Team   string   `json:"team"` // make a team token
	User   string   `json:"user"` // admins: make a token for another user
}

// tokenCreated is the one answer that carries a token's secret.
type tokenCreated struct {
	Secret string `json:"secret"`
	auth.Token
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var req tokenRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	tr := auth.TokenRequest{Label: req.Label, Team: req.Team, User: req.User}
	for _, s := range req.Scopes {
		tr.Scopes = append(tr.Scopes, auth.Scope(s))
	}
	if req.TTL != "" {
		d, err := time.ParseDuration(req.TTL)
		if err != nil || d <= 0 {
			return fail.Field("ttl", "must be a positive duration such as 720h; got %q", req.TTL)
		}
		tr.TTL = d
	}
	secret, tok, err := a.Users.IssueToken(r.Context(), u, tr)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, tokenCreated{Secret: secret, Token: tok})
	return nil
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request, u auth.User) error {
	before, limit, err := pageParams(r, 50, 200)
	if err != nil {
		return err
	}
	toks, err := a.Users.Tokens(r.Context(), u, before, limit)
	if err != nil {
		return err
	}
	next := ""
	if len(toks) == limit {
		next = strconv.FormatInt(toks[len(toks)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": toks, "next_cursor": next})
	return nil
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return fail.New(fail.NotFound, "no token %q", r.PathValue("id"))
	}
	tok, err := a.Users.RevokeToken(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tok)
	return nil
}

type teamRoleRequest struct {
	Role string `json:"role"`
}

func (a *API) setTeamRole(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var req teamRoleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Role == "" {
		return fail.Field("role", "is required: viewer, responder or manager")
	}
	return a.teamRole(w, r, u, auth.TeamRole(req.Role))
}

func (a *API) removeTeamRole(w http.ResponseWriter, r *http.Request, u auth.User) error {
	return a.teamRole(w, r, u, "")
}

func (a *API) teamRole(w http.ResponseWriter, r *http.Request, u auth.User, role auth.TeamRole) error {
	user, err := a.Users.SetTeamRole(r.Context(), u, r.PathValue("name"), r.PathValue("team"), role)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, user)
	return nil
}

type orgRoleRequest struct {
	Role string `json:"role"`
}

func (a *API) setOrgRole(w http.ResponseWriter, r *http.Request, u auth.User) error {
	var req orgRoleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	user, err := a.Users.SetRole(r.Context(), u, r.PathValue("name"), auth.Role(req.Role))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, user)
	return nil
}

func (a *API) listAudit(w http.ResponseWriter, r *http.Request, u auth.User) error {
	before, limit, err := pageParams(r, 100, auth.MaxAuditPage)
	if err != nil {
		return err
	}
	items, err := a.Users.Audit(r.Context(), u, before, limit)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == limit {
		next = strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
	return nil
}

// maxExport bounds one export; a longer log is fetched in several, each
// starting with cursor= the id of the last line of the one before.
const maxExport = 100000

// exportAudit streams the audit log as JSON lines, newest first.
func (a *API) exportAudit(w http.ResponseWriter, r *http.Request, u auth.User) error {
	before, limit, err := pageParams(r, maxExport, maxExport)
	if err != nil {
		return err
	}
	if !u.IsAdmin() { // checked before the first line, so the refusal is a clean 403
		return fail.New(fail.Forbidden, "the audit log is for organisation admins")
	}
	w.Header().Set("Content-Type", "application/jsonl")
	w.Header().Set("Content-Disposition", `attachment; filename="firebreak-audit.jsonl"`)
	if err := a.Users.ExportAudit(r.Context(), u, before, limit, w); err != nil {
		a.Log.ErrorContext(r.Context(), "export audit log", "err", err) // the status is sent; the short file says it broke off
	}
	return nil
}
