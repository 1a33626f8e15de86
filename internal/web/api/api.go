// Package api serves Firebreak's JSON API under /api/v1: it parses and
// validates requests, authenticates them by API token, calls the core and
// renders its answers. Errors are RFC 9457 problem+json. No rule lives here.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/change"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/insight"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
	"github.com/firebreak-oss/firebreak/internal/playbook"
	"github.com/firebreak-oss/firebreak/internal/propagate"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/teamtarget"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v1"

// Authenticator turns a token secret into a user.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (auth.User, error)
}

// API is the JSON API's handlers and what they call.
type API struct {
	Incidents *incident.Service
	Auth      Authenticator
	Users     *auth.Service // tokens, roles and the audit log
	Catalog   *catalog.Catalog
	Inbox     *intake.Inbox
	Signals   SignalReader
	Log       *slog.Logger
	Propagate *propagate.Propagator
	Messages  MessageReader
	Reports   *report.Service
	Library   *report.Library
	Review    *review.Service
	// TeamTargets are the teams' own notification targets.
	TeamTargets *teamtarget.Service
	// Insights measures incidents for /insights; nil: not set up.
	Insights *insight.Service
	// Playbooks runs the action steps of services' playbooks.
	Playbooks *playbook.Service
	// Changes is the change registry.
	Changes *change.Service
	// Flags are the kill switches.
	Flags *flag.Service
	// Switches are the kill switches seen from incidents.
	Switches *flag.IncidentSwitches
	// Maintenance plans maintenance windows and silences alerts.
	Maintenance *maintenance.Service
}

// Route is one API operation. The OpenAPI document is checked against this
// table, so a route cannot be added without documenting it, and the
// permission matrix test has a row for every route, so none is added without
// saying who may call it.
type Route struct {
	Method string
	Path   string // relative to Prefix, in OpenAPI form: /incidents/{ref}
	Public bool   // served without a token
	// Need is what the caller must have before the handler runs (see
	// Need); per-object rules (team roles, restricted incidents) are the
	// core's to check.
	Need   Need
	Body   any // the request body type, if the operation takes one
	handle func(w http.ResponseWriter, r *http.Request, u auth.User) error
}

// Need is what a route requires of its caller.
type Need string

// The needs. A route that declares none is refused to everyone.
const (
	NeedNothing Need = "nothing" // public: no token
	NeedRead    Need = "read"    // a token with the read (or write) scope
	NeedWrite   Need = "write"   // a token with the write scope
	NeedIntake  Need = "intake"  // a token with the intake scope
	NeedAdmin   Need = "admin"   // an organisation admin's token with the read scope
)

// Routes lists every API operation.
func (a *API) Routes() []Route {
	return append([]Route{
		{Method: "GET", Path: "/openapi.json", Need: NeedNothing, Public: true, handle: a.openAPI},
		{Method: "GET", Path: "/me", Need: NeedRead, handle: a.me},
		{Method: "GET", Path: "/incidents", Need: NeedRead, handle: a.listIncidents},
		{Method: "POST", Path: "/incidents", Need: NeedWrite, Body: declareRequest{}, handle: a.declare},
		{Method: "GET", Path: "/incidents/{ref}", Need: NeedRead, handle: a.getIncident},
		{Method: "PATCH", Path: "/incidents/{ref}", Need: NeedWrite, Body: patchRequest{}, handle: a.updateIncident},
		{Method: "POST", Path: "/incidents/{ref}/status", Need: NeedWrite, Body: statusRequest{}, handle: a.setStatus},
		{Method: "POST", Path: "/incidents/{ref}/roles", Need: NeedWrite, Body: roleRequest{}, handle: a.assignRole},
		{Method: "GET", Path: "/incidents/{ref}/timeline", Need: NeedRead, handle: a.timeline},
		{Method: "POST", Path: "/incidents/{ref}/notes", Need: NeedWrite, Body: noteRequest{}, handle: a.addNote},
		{Method: "POST", Path: "/incidents/{ref}/updates", Need: NeedWrite, Body: updateRequest{}, handle: a.postUpdate},
		{Method: "GET", Path: "/signals", Need: NeedRead, handle: a.listSignals},
		{Method: "GET", Path: "/signals/{id}", Need: NeedRead, handle: a.getSignal},
		{Method: "POST", Path: "/signals/{id}/declare", Need: NeedWrite, Body: triageDeclareRequest{}, handle: a.declareFromSignal},
		{Method: "POST", Path: "/signals/{id}/merge", Need: NeedWrite, Body: mergeRequest{}, handle: a.mergeSignal},
		{Method: "POST", Path: "/signals/{id}/dismiss", Need: NeedWrite, Body: dismissRequest{}, handle: a.dismissSignal},
		{Method: "GET", Path: "/rejected-signals", Need: NeedAdmin, handle: a.listRejected},
		{Method: "GET", Path: "/catalog/teams", Need: NeedRead, handle: a.listTeams},
		{Method: "GET", Path: "/catalog/services", Need: NeedRead, handle: a.listServices},
		{Method: "GET", Path: "/catalog/services/{name}", Need: NeedRead, handle: a.getService},
		{Method: "GET", Path: "/tokens", Need: NeedRead, handle: a.listTokens},
		{Method: "POST", Path: "/tokens", Need: NeedWrite, Body: tokenRequest{}, handle: a.createToken},
		{Method: "DELETE", Path: "/tokens/{id}", Need: NeedWrite, handle: a.revokeToken},
		{Method: "PUT", Path: "/users/{name}/teams/{team}", Need: NeedWrite, Body: teamRoleRequest{}, handle: a.setTeamRole},
		{Method: "DELETE", Path: "/users/{name}/teams/{team}", Need: NeedWrite, handle: a.removeTeamRole},
		{Method: "PUT", Path: "/users/{name}/role", Need: NeedWrite, Body: orgRoleRequest{}, handle: a.setOrgRole},
		{Method: "GET", Path: "/audit", Need: NeedAdmin, handle: a.listAudit},
		{Method: "GET", Path: "/audit/export", Need: NeedAdmin, handle: a.exportAudit},
		{Method: "POST", Path: "/policy/preview", Need: NeedRead, Body: previewRequest{}, handle: a.previewPolicy},
		{Method: "GET", Path: "/incidents/{ref}/messages", Need: NeedRead, handle: a.incidentMessages},
	}, slices.Concat(a.reportRoutes(), a.reviewRoutes(), a.teamTargetRoutes(), a.playbookRoutes(), a.changeRoutes(),
		a.flagRoutes(), a.incidentFlagRoutes(), a.insightRoutes(), a.maintenanceRoutes())...)
}

// Handler returns the API's handler, to be mounted at Prefix.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range a.Routes() {
		mux.Handle(rt.Method+" "+Prefix+rt.Path, a.wrap(rt))
	}
	mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, a.Log, fail.New(fail.NotFound, "no API operation %s %s", r.Method, r.URL.Path))
	})
	return mux
}

func (a *API) wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u auth.User
		if !rt.Public {
			var err error
			if u, err = a.authenticate(r); err == nil {
				err = checkNeed(rt.Need, u)
			}
			if err != nil {
				writeError(w, r, a.Log, err)
				return
			}
		}
		if err := checkQueryEnums(r); err != nil {
			writeError(w, r, a.Log, err)
			return
		}
		if err := rt.handle(w, r, u); err != nil {
			writeError(w, r, a.Log, err)
		}
	})
}

func (a *API) authenticate(r *http.Request) (auth.User, error) {
	h := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || secret == "" {
		return auth.User{}, fail.New(fail.Unauthorized, "an API token is required: send Authorization: Bearer <token>")
	}
	return a.Auth.Authenticate(r.Context(), strings.TrimSpace(secret))
}

func (a *API) me(w http.ResponseWriter, r *http.Request, u auth.User) error {
	writeJSON(w, http.StatusOK, u)
	return nil
}

// checkNeed refuses a caller who lacks what the route needs.
func checkNeed(need Need, u auth.User) error {
	var scope auth.Scope
	switch need {
	case NeedRead, NeedAdmin:
		scope = auth.ScopeRead
	case NeedWrite:
		scope = auth.ScopeWrite
	case NeedIntake:
		scope = auth.ScopeIntake
	default: // a route that says nothing of its needs is served to nobody
		return fail.New(fail.Forbidden, "this operation declares no permission")
	}
	if !u.HasScope(scope) {
		return fail.New(fail.Forbidden, "this operation needs a token with the %s scope", scope)
	}
	if need == NeedAdmin && !u.IsAdmin() {
		return fail.New(fail.Forbidden, "this operation is for organisation admins")
	}
	return nil
}
