package web_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/firebreak-oss/firebreak/internal/web/api"
)

// outcome is what a caller gets from a route.
type outcome int

const (
	allow  outcome = iota // past every permission check (2xx, or 4xx about the input or state)
	deny                  // 403
	hidden                // 404, exactly as for what does not exist
	unauth                // 401: no token
)

func (o outcome) String() string {
	return [...]string{"allow", "deny (403)", "hidden (404)", "unauthenticated (401)"}[o]
}

// classify turns a status into an outcome.
func classify(status int) outcome {
	switch status {
	case 401:
		return unauth
	case 403:
		return deny
	case 404:
		return hidden
	}
	return allow
}

// rule says what each caller gets; vis is the visibility of the incident
// the request is about ("" for a route about no incident).
type rule func(c caller, vis incident.Visibility) outcome

// signedIn wraps a rule with what every token route does first.
func signedIn(r rule) rule {
	return func(c caller, vis incident.Visibility) outcome {
		if c == anon {
			return unauth
		}
		return r(c, vis)
	}
}

func is(c caller, set ...caller) bool { return slices.Contains(set, c) }

var (
	public = func(caller, incident.Visibility) outcome { return allow }

	anyReader = signedIn(func(caller, incident.Visibility) outcome { return allow })

	// canSee: restricted incidents only for their members and admins.
	canSee = func(c caller, vis incident.Visibility) bool {
		return vis != incident.Restricted || is(c, member, admin)
	}

	readIncident = signedIn(func(c caller, vis incident.Visibility) outcome {
		if !canSee(c, vis) {
			return hidden
		}
		return allow
	})

	// changeIncident: the incident is on checkout-api, owned by payments. A
	// token without the write scope is refused before the incident is looked
	// up, so its 403 says nothing about whether the incident exists.
	changeIncident = signedIn(func(c caller, vis incident.Visibility) outcome {
		switch {
		case c == payReadOnly:
			return deny
		case !canSee(c, vis):
			return hidden
		case is(c, payResponder, payManager, orgResponder, member, admin, payBot):
			return allow
		}
		return deny
	})

	// respondAnywhere: declaring and triage need a responder role somewhere.
	respondAnywhere = signedIn(func(c caller, _ incident.Visibility) outcome {
		if is(c, viewer, payViewer, payReadOnly) {
			return deny
		}
		return allow
	})

	adminOnly = signedIn(func(c caller, _ incident.Visibility) outcome {
		if c == admin {
			return allow
		}
		return deny
	})

	// writer: anyone whose token may write, acting as a person.
	writer = signedIn(func(c caller, _ incident.Visibility) outcome {
		if is(c, payReadOnly, payBot) {
			return deny
		}
		return allow
	})

	// payManagers: the managers of payments and admins.
	payManagers = signedIn(func(c caller, _ incident.Visibility) outcome {
		if is(c, payManager, admin) {
			return allow
		}
		return deny
	})

	// payTargets: who changes the payments team's notification targets.
	payTargets = signedIn(func(c caller, _ incident.Visibility) outcome {
		if is(c, payResponder, payManager, payBot, admin) {
			return allow
		}
		return deny
	})

	// runPlaybook: running a playbook action needs a responder or manager
	// role in a team that owns one of the incident's services (payments
	// here), or the admin role; membership or an org-wide role is not enough.
	runPlaybook = signedIn(func(c caller, vis incident.Visibility) outcome {
		switch {
		case c == payReadOnly:
			return deny
		case !canSee(c, vis):
			return hidden
		case is(c, payResponder, payManager, payBot, admin):
			return allow
		}
		return deny
	})

	// revokeSpare: a payments team token, which others may not know exists.
	revokeSpare = signedIn(func(c caller, _ incident.Visibility) outcome {
		switch {
		case c == payReadOnly:
			return deny // no write scope: refused before the token is looked up
		case is(c, payManager, admin):
			return allow
		}
		return hidden
	})
)

// row is the permission matrix's entry for one route: who may call it, and
// how to call it. perIncident rows are tried once per visibility.
type row struct {
	rule        rule
	perIncident bool
	path        func(f *fixture, vis incident.Visibility) string // "" params: the route's path as is
	body        func(f *fixture, vis incident.Visibility) any
}

func incidentPath(suffix string) func(*fixture, incident.Visibility) string {
	return func(f *fixture, v incident.Visibility) string { return "/incidents/" + f.incident[v] + suffix }
}

func fixed(p string) func(*fixture, incident.Visibility) string {
	return func(*fixture, incident.Visibility) string { return p }
}

func jsonBody(v any) func(*fixture, incident.Visibility) any {
	return func(*fixture, incident.Visibility) any { return v }
}

// pendingSignal takes turns over the triage signals, so each triage route
// meets one still pending before the first allowed caller settles it.
func pendingSignal(n int, action string) func(*fixture, incident.Visibility) string {
	return func(f *fixture, _ incident.Visibility) string { return "/signals/" + f.pending[n] + "/" + action }
}

// matrix has one row per API route, keyed "METHOD /path" as in Routes. A
// route added without a row fails TestPermissionMatrix, naming it.
var matrix = map[string]row{
	"GET /openapi.json":             {rule: public},
	"GET /me":                       {rule: anyReader},
	"GET /incidents":                {rule: anyReader},
	"POST /incidents":               {rule: respondAnywhere, body: jsonBody(map[string]any{"title": "matrix", "grade": "SEV4", "services": []string{"auth"}})},
	"GET /incidents/{ref}":          {rule: readIncident, perIncident: true, path: incidentPath("")},
	"PATCH /incidents/{ref}":        {rule: changeIncident, perIncident: true, path: incidentPath(""), body: jsonBody(map[string]any{"summary": "updated"})},
	"POST /incidents/{ref}/status":  {rule: changeIncident, perIncident: true, path: incidentPath("/status"), body: jsonBody(map[string]any{"status": "identified"})},
	"POST /incidents/{ref}/roles":   {rule: changeIncident, perIncident: true, path: incidentPath("/roles"), body: jsonBody(map[string]any{"role": "resolver", "user": "member"})},
	"GET /incidents/{ref}/timeline": {rule: readIncident, perIncident: true, path: incidentPath("/timeline")},
	"POST /incidents/{ref}/notes":   {rule: changeIncident, perIncident: true, path: incidentPath("/notes"), body: jsonBody(map[string]any{"text": "note"})},
	"GET /signals":                  {rule: anyReader},
	"GET /signals/{id}": {rule: readIncident, perIncident: true,
		path: func(f *fixture, v incident.Visibility) string { return "/signals/" + f.signal[v] }},
	"POST /signals/{id}/declare": {rule: respondAnywhere, path: pendingSignal(0, "declare"), body: jsonBody(map[string]any{"grade": "SEV4"})},
	"POST /signals/{id}/merge": {rule: respondAnywhere, path: pendingSignal(1, "merge"),
		body: func(f *fixture, _ incident.Visibility) any {
			return map[string]any{"incident": f.incident[incident.Public]}
		}},
	"POST /signals/{id}/dismiss":        {rule: respondAnywhere, path: pendingSignal(2, "dismiss"), body: jsonBody(map[string]any{"reason": "noise"})},
	"GET /rejected-signals":             {rule: adminOnly},
	"GET /catalog/teams":                {rule: anyReader},
	"GET /catalog/services":             {rule: anyReader},
	"GET /catalog/services/{name}":      {rule: anyReader, path: fixed("/catalog/services/checkout-api")},
	"GET /tokens":                       {rule: anyReader},
	"POST /tokens":                      {rule: writer, body: jsonBody(map[string]any{"scopes": []string{"read"}, "label": "matrix"})},
	"DELETE /tokens/{id}":               {rule: revokeSpare, path: func(f *fixture, _ incident.Visibility) string { return "/tokens/" + f.spare }},
	"PUT /users/{name}/teams/{team}":    {rule: payManagers, path: fixed("/users/target/teams/payments"), body: jsonBody(map[string]any{"role": "viewer"})},
	"DELETE /users/{name}/teams/{team}": {rule: payManagers, path: fixed("/users/target/teams/payments")},
	"PUT /users/{name}/role":            {rule: adminOnly, path: fixed("/users/target/role"), body: jsonBody(map[string]any{"role": "viewer"})},
	"GET /audit":                        {rule: adminOnly},
	"GET /audit/export":                 {rule: adminOnly},

	"POST /incidents/{ref}/updates":         {rule: changeIncident, perIncident: true, path: incidentPath("/updates"), body: jsonBody(map[string]any{"text": "matrix update"})},
	"POST /policy/preview":                  {rule: anyReader, body: jsonBody(map[string]any{"grade": "SEV3", "services": []string{"checkout-api"}})},
	"GET /incidents/{ref}/messages":         {rule: readIncident, perIncident: true, path: incidentPath("/messages")},
	"GET /report-template":                  {rule: anyReader},
	"POST /report-preview":                  {rule: anyReader, body: jsonBody(map[string]any{"markdown": "*x*"})},
	"GET /reports":                          {rule: anyReader},
	"GET /insights":                         {rule: anyReader},
	"GET /insights/{part}":                  {rule: anyReader, path: fixed("/insights/counts")},
	"GET /search":                           {rule: anyReader, path: fixed("/search?q=checkout")},
	"GET /incidents/{ref}/similar":          {rule: readIncident, perIncident: true, path: incidentPath("/similar")},
	"GET /incidents/{ref}/report":           {rule: readIncident, perIncident: true, path: incidentPath("/report")},
	"POST /incidents/{ref}/report":          {rule: changeIncident, perIncident: true, path: incidentPath("/report"), body: jsonBody(map[string]any{})}, // 409: the fixture started it
	"PUT /incidents/{ref}/report":           {rule: changeIncident, perIncident: true, path: incidentPath("/report"), body: jsonBody(map[string]any{"sections": map[string]string{"summary": "matrix"}})},
	"GET /incidents/{ref}/report/revisions": {rule: readIncident, perIncident: true, path: incidentPath("/report/revisions")},
	"GET /incidents/{ref}/report/diff":      {rule: readIncident, perIncident: true, path: incidentPath("/report/diff?from=1&to=1")},
	"POST /incidents/{ref}/report/share":    {rule: changeIncident, perIncident: true, path: incidentPath("/report/share")},
	"GET /incidents/{ref}/report/shares":    {rule: readIncident, perIncident: true, path: incidentPath("/report/shares")},
	"GET /incidents/{ref}/report/export":    {rule: readIncident, perIncident: true, path: incidentPath("/report/export?format=md")},
	"POST /incidents/{ref}/report/import":   {rule: changeIncident, perIncident: true, path: incidentPath("/report/import"), body: jsonBody(map[string]any{"markdown": "## Summary\n\nimported"})},
	"GET /incidents/{ref}/review":           {rule: readIncident, perIncident: true, path: incidentPath("/review")},
	"PUT /incidents/{ref}/review/{stage}":   {rule: changeIncident, perIncident: true, path: incidentPath("/review/team"), body: jsonBody(map[string]any{"notes": "matrix"})},
	// An empty reason: the admin gets past the check (400) without closing.
	"POST /incidents/{ref}/close-override": {rule: adminOnly, perIncident: true, path: incidentPath("/close-override"), body: jsonBody(map[string]any{"reason": ""})},
	"POST /incidents/{ref}/action-items": {rule: changeIncident, perIncident: true, path: incidentPath("/action-items"),
		body: jsonBody(map[string]any{"title": "Alert on checkout errors", "category": "detect", "term": "short", "owner": "member", "due_at": "2030-01-01", "tracker": "none"})},
	"GET /action-items":             {rule: anyReader},
	"GET /action-items/{id}":        {rule: readIncident, perIncident: true, path: actionItem},
	"PATCH /action-items/{id}":      {rule: changeIncident, perIncident: true, path: actionItem, body: jsonBody(map[string]any{"status": "in_progress"})},
	"POST /action-items/check":      {rule: anyReader, body: jsonBody(map[string]any{"title": "Improve monitoring"})},
	"GET /action-items/suggestions": {rule: anyReader},
	"GET /action-items/board":       {rule: anyReader},
	// The change registry: everyone reads; responders record; admins map
	// (an empty list gets the admin past the check to a 400). An incident's
	// changes follow the incident; suspecting change 0 is a 400 past it.
	"GET /changes":                               {rule: anyReader},
	"POST /changes":                              {rule: respondAnywhere, body: jsonBody(map[string]any{"kind": "deploy", "services": []string{"checkout-api"}, "version": "v1"})},
	"GET /changes/unmapped":                      {rule: adminOnly},
	"POST /changes/{id}/map":                     {rule: adminOnly, path: fixed("/changes/1/map"), body: jsonBody(map[string]any{"services": []string{}})},
	"GET /incidents/{ref}/changes":               {rule: readIncident, perIncident: true, path: incidentPath("/changes")},
	"POST /incidents/{ref}/changes/{id}/suspect": {rule: changeIncident, perIncident: true, path: incidentPath("/changes/0/suspect")},
	"POST /incidents/{ref}/mitigate":             {rule: changeIncident, perIncident: true, path: incidentPath("/mitigate"), body: jsonBody(map[string]any{})},
	// Team targets: everyone reads; payments' responders, managers, its
	// writing team token and admins change (a second add of the same
	// address is a 409, a second removal too: both past the check).
	"GET /teams/{team}/targets":           {rule: anyReader, path: fixed("/teams/payments/targets")},
	"POST /teams/{team}/targets":          {rule: payTargets, path: fixed("/teams/payments/targets"), body: jsonBody(map[string]any{"channel": "email", "address": "matrix@example.com"})},
	"DELETE /teams/{team}/targets/{id}":   {rule: payTargets, path: spareTarget},
	"GET /incidents/{ref}/playbooks":      {rule: readIncident, perIncident: true, path: incidentPath("/playbooks")},
	"GET /incidents/{ref}/playbooks/runs": {rule: readIncident, perIncident: true, path: incidentPath("/playbooks/runs")},
	"POST /incidents/{ref}/playbooks/runs": {rule: runPlaybook, perIncident: true, path: incidentPath("/playbooks/runs"),
		body: jsonBody(map[string]any{"service": "checkout-api", "playbook": "rollback", "step": 1, "confirm": true})},
	// A task force of the public incident's item: those who may change it.
	"POST /task-forces": {rule: func(c caller, _ incident.Visibility) outcome { return changeIncident(c, incident.Public) },
		body: func(f *fixture, _ incident.Visibility) any {
			return map[string]any{"name": "matrix", "items": []int64{atoi(f.item[incident.Public])}}
		}},
}

func actionItem(f *fixture, v incident.Visibility) string { return "/action-items/" + f.item[v] }

// TestRoutesDeclareNeeds fails, naming the route, when a route declares no
// Need or has no row in the matrix; it needs no database.
func TestRoutesDeclareNeeds(t *testing.T) {
	known := map[api.Need]bool{api.NeedNothing: true, api.NeedRead: true, api.NeedWrite: true, api.NeedIntake: true, api.NeedAdmin: true}
	seen := map[string]bool{}
	for _, rt := range (&api.API{}).Routes() {
		key := rt.Method + " " + rt.Path
		seen[key] = true
		if !known[rt.Need] {
			t.Errorf("route %s declares no Need (got %q): say what a caller must have", key, rt.Need)
		}
		if rt.Public != (rt.Need == api.NeedNothing) {
			t.Errorf("route %s: Public is %v but Need is %q", key, rt.Public, rt.Need)
		}
		if _, ok := matrix[key]; !ok {
			t.Errorf("route %s has no row in the permission matrix (matrix in matrix_test.go): say who may call it", key)
		}
	}
	for key := range matrix {
		if !seen[key] {
			t.Errorf("matrix row %s names no route", key)
		}
	}
}

// TestPermissionMatrix calls every API route as every caller, about an
// incident of every visibility where the route concerns one, and checks
// each answer against the matrix.
func TestPermissionMatrix(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		f := startFixture(t, dbURL)
		for _, rt := range (&api.API{}).Routes() {
			key := rt.Method + " " + rt.Path
			r, ok := matrix[key]
			if !ok {
				continue // TestRoutesDeclareNeeds reports it
			}
			vis := []incident.Visibility{""}
			if r.perIncident {
				vis = visibilities
			}
			for _, v := range vis {
				path := rt.Path
				if r.path != nil {
					path = r.path(f, v)
				}
				var body any
				if r.body != nil {
					body = r.body(f, v)
				}
				for _, c := range callers {
					got := f.call(t, c, rt.Method, api.Prefix+path, body)
					if want := r.rule(c, v); classify(got.status) != want {
						t.Errorf("%s as %s (incident %s): got %d (%s), want %s: %s", key, c, orAny(v), got.status, classify(got.status), want, clip(got.body))
					}
				}
			}
		}
	})
}

func orAny(v incident.Visibility) string {
	if v == "" {
		return "-"
	}
	return string(v)
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
