package playbook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/template"
)

// Data is what placeholders in action fields may use, and nothing else:
// {{.Incident.Ref}}, {{.Incident.Title}}, {{.Incident.Grade}},
// {{.Incident.URL}}, {{.Service}}, {{.Playbook}}, {{.RollbackTo}} (given
// when the run is asked for) and {{.IdempotencyKey}}.
type Data struct {
	Incident       IncidentData
	Service        string
	Playbook       string
	RollbackTo     string
	IdempotencyKey string
}

// IncidentData is the incident as placeholders see it.
type IncidentData struct {
	Ref   string
	Title string
	Grade string
	URL   string
}

// sampleData fills every field, so that executing a template against it at
// config load finds a misspelt field.
var sampleData = Data{Incident: IncidentData{Ref: "INC-1", Title: "t", Grade: "SEV1", URL: "http://x"}, Service: "s",
	Playbook: "rollback", RollbackTo: "1", IdempotencyKey: "pb-0"}

func parseTemplate(text string) (*template.Template, error) {
	// No functions beyond the built-ins: the templates come from the config
	// file, and the data is fixed, so a template can do nothing but print.
	return template.New("").Option("missingkey=error").Parse(text)
}

func checkTemplate(text string) error {
	t, err := parseTemplate(text)
	if err == nil {
		err = t.Execute(new(bytes.Buffer), sampleData)
	}
	if err != nil {
		return fmt.Errorf("placeholder: %v (known: .Incident.Ref, .Incident.Title, .Incident.Grade, .Incident.URL, .Service, .Playbook, .RollbackTo, .IdempotencyKey)", err)
	}
	return nil
}

func expand(text string, d Data) (string, error) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	t, err := parseTemplate(text)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", err
	}
	return b.String(), nil
}

// templates lists the action's fields that may hold placeholders, by the
// name the config file gives them.
func (a *Action) templates() map[string]string {
	out := map[string]string{"ref": a.Ref, "history_id": a.HistoryID, "revision": a.Revision}
	for k, v := range a.Inputs {
		out["inputs."+k] = v
	}
	for k, v := range a.Params {
		out["params."+k] = v
	}
	for k, v := range a.Payload {
		out["payload."+k] = v
	}
	return out
}

// NeedsRollbackTo reports whether the action's placeholders use
// {{.RollbackTo}}, which the person running it must then give.
func (a *Action) NeedsRollbackTo() bool {
	for _, v := range a.templates() {
		if strings.Contains(v, ".RollbackTo") {
			return true
		}
	}
	return false
}

// Request is exactly what an action sends, without its credential: the
// preview shows it, the run stores it, the worker sends it. Headers holds
// only headers that carry no secret; Auth says which credential the worker
// adds (it is shown masked).
type Request struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body,omitempty"`
	// Auth is bearer, basic or hmac: how the worker adds the credential.
	Auth string `json:"auth"`
	// AuthUser is the basic-auth user name (Jenkins).
	AuthUser string `json:"auth_user,omitempty"`
}

// Masked returns the headers as the preview shows them: the credential's
// header is there, with its value hidden.
func (r Request) Masked() map[string]string {
	out := maps.Clone(r.Headers)
	if out == nil {
		out = map[string]string{}
	}
	switch r.Auth {
	case "bearer":
		out["Authorization"] = "Bearer ••••••"
	case "basic":
		out["Authorization"] = "Basic " + r.AuthUser + ":•••••• (base64)"
	case "hmac":
		out["X-Firebreak-Timestamp"] = "(Unix seconds at sending)"
		out["X-Firebreak-Signature"] = "sha256=•••••• (HMAC-SHA256 of timestamp.body)"
	}
	return out
}

// HeaderNames returns the masked headers' names in order, for pages.
func (r Request) HeaderNames() []string {
	return slices.Sorted(maps.Keys(r.Masked()))
}

// Build makes the request the action sends for d. Errors name the field of
// the action whose placeholder could not be filled.
func (a *Action) Build(d Data) (Request, error) {
	var firstErr error
	x := func(field, v string) string {
		s, err := expand(v, d)
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("%s: %w", field, err)
		}
		return s
	}
	xmap := func(prefix string, m map[string]string) map[string]string {
		out := make(map[string]string, len(m))
		for k, v := range m {
			out[k] = x(prefix+"."+k, v)
		}
		return out
	}
	jsonHeaders := map[string]string{"Content-Type": "application/json", "Idempotency-Key": d.IdempotencyKey}
	var r Request
	switch a.Kind {
	case GitHubWorkflow:
		inputs := xmap("inputs", a.Inputs)
		if a.IdempotencyInput != "" {
			inputs[a.IdempotencyInput] = d.IdempotencyKey
		}
		body := map[string]any{"ref": x("ref", a.Ref)}
		if len(inputs) > 0 {
			body["inputs"] = inputs
		}
		owner, repo, _ := strings.Cut(a.Repo, "/")
		r = Request{Method: "POST", Auth: "bearer",
			URL: a.APIURL + "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(repo) + "/actions/workflows/" +
				url.PathEscape(a.Workflow) + "/dispatches",
			Headers: map[string]string{"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
				"Content-Type": "application/json"},
			Body: encode(body)}
	case ArgoCD:
		body := map[string]any{"prune": a.Prune}
		path := "/sync"
		if a.Operation == "rollback" {
			path = "/rollback"
			idText := x("history_id", a.HistoryID)
			id, err := strconv.ParseInt(strings.TrimSpace(idText), 10, 64)
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("history_id: must be a deployment history id (a whole number); got %q", idText)
			}
			body["id"] = id
		} else if rev := x("revision", a.Revision); rev != "" {
			body["revision"] = rev
		}
		r = Request{Method: "POST", Auth: "bearer", URL: a.Server + "/api/v1/applications/" + url.PathEscape(a.Application) + path,
			Headers: map[string]string{"Content-Type": "application/json"}, Body: encode(body)}
	case Jenkins:
		params := xmap("params", a.Params)
		if a.IdempotencyParam != "" {
			params[a.IdempotencyParam] = d.IdempotencyKey
		}
		q := url.Values{}
		for k, v := range params {
			q.Set(k, v)
		}
		u := a.URL
		for _, seg := range strings.Split(a.Job, "/") {
			u += "/job/" + url.PathEscape(seg)
		}
		u += "/buildWithParameters"
		if len(q) > 0 {
			u += "?" + q.Encode()
		}
		r = Request{Method: "POST", Auth: "basic", AuthUser: a.User, URL: u, Headers: map[string]string{}}
	case Webhook:
		body := map[string]any{"incident": d.Incident.Ref, "service": d.Service, "playbook": d.Playbook,
			"action": a.Title, "idempotency_key": d.IdempotencyKey, "fields": xmap("payload", a.Payload)}
		r = Request{Method: "POST", Auth: "hmac", URL: a.URL, Headers: jsonHeaders, Body: encode(body)}
	default:
		return Request{}, fmt.Errorf("unknown action %q", a.Kind)
	}
	if a.Kind != Webhook && d.IdempotencyKey != "" {
		// GitHub, Argo CD and Jenkins ignore it; it costs nothing and lets
		// a proxy in front of them drop a repeat.
		r.Headers["Idempotency-Key"] = d.IdempotencyKey
	}
	return r, firstErr
}

func encode(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}
