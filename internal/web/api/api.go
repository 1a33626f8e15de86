// Package api serves Firebreak's JSON API under /api/v1: it parses and
// validates requests, authenticates them by API token, calls the core and
// renders its answers. Errors are RFC 9457 problem+json. No rule lives here.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/propagate"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/review"
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
	Catalog   *catalog.Catalog
	Inbox     *intake.Inbox
	Signals   SignalReader
	Log       *slog.Logger
	Propagate *propagate.Propagator
	Messages  MessageReader
	Reports   *report.Service
	Library   *report.Library
	Review    *review.Service
}

// Route is one API operation. The OpenAPI document is checked against this
// table, so a route cannot be added without documenting it.
type Route struct {
	Method string
	Path   string // relative to Prefix, in OpenAPI form: /incidents/{ref}
	Public bool   // served without a token
	Body   any    // the request body type, if the operation takes one
	handle func(w http.ResponseWriter, r *http.Request, u auth.User) error
}

// Routes lists every API operation.
func (a *API) Routes() []Route {
	return append([]Route{
		{Method: "GET", Path: "/openapi.json", Public: true, handle: a.openAPI},
		{Method: "GET", Path: "/me", handle: a.me},
		{Method: "GET", Path: "/incidents", handle: a.listIncidents},
		{Method: "POST", Path: "/incidents", Body: declareRequest{}, handle: a.declare},
		{Method: "GET", Path: "/incidents/{ref}", handle: a.getIncident},
		{Method: "PATCH", Path: "/incidents/{ref}", Body: patchRequest{}, handle: a.updateIncident},
		{Method: "POST", Path: "/incidents/{ref}/status", Body: statusRequest{}, handle: a.setStatus},
		{Method: "POST", Path: "/incidents/{ref}/roles", Body: roleRequest{}, handle: a.assignRole},
		{Method: "GET", Path: "/incidents/{ref}/timeline", handle: a.timeline},
		{Method: "POST", Path: "/incidents/{ref}/notes", Body: noteRequest{}, handle: a.addNote},
		{Method: "POST", Path: "/incidents/{ref}/updates", Body: updateRequest{}, handle: a.postUpdate},
		{Method: "GET", Path: "/signals", handle: a.listSignals},
		{Method: "GET", Path: "/signals/{id}", handle: a.getSignal},
		{Method: "POST", Path: "/signals/{id}/declare", Body: triageDeclareRequest{}, handle: a.declareFromSignal},
		{Method: "POST", Path: "/signals/{id}/merge", Body: mergeRequest{}, handle: a.mergeSignal},
		{Method: "POST", Path: "/signals/{id}/dismiss", Body: dismissRequest{}, handle: a.dismissSignal},
		{Method: "GET", Path: "/rejected-signals", handle: a.listRejected},
		{Method: "GET", Path: "/catalog/teams", handle: a.listTeams},
		{Method: "GET", Path: "/catalog/services", handle: a.listServices},
		{Method: "GET", Path: "/catalog/services/{name}", handle: a.getService},
		{Method: "POST", Path: "/policy/preview", Body: previewRequest{}, handle: a.previewPolicy},
		{Method: "GET", Path: "/incidents/{ref}/messages", handle: a.incidentMessages},
	}, append(a.reportRoutes(), a.reviewRoutes()...)...)
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
			if u, err = a.authenticate(r); err != nil {
				writeError(w, r, a.Log, err)
				return
			}
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
