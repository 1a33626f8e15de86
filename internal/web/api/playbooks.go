package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/playbook"
)

// playbookRoutes are the playbooks of an incident's services and their
// runs: everyone who sees the incident reads them; responders of an owning
// team (and admins) run action steps, after confirming the preview.
func (a *API) playbookRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/incidents/{ref}/playbooks", Need: NeedRead, handle: a.incidentPlaybooks},
		{Method: "GET", Path: "/incidents/{ref}/playbooks/runs", Need: NeedRead, handle: a.playbookRuns},
		{Method: "POST", Path: "/incidents/{ref}/playbooks/runs", Need: NeedWrite, Body: playbook.RunInput{}, handle: a.runPlaybook},
	}
}

// runView is a run as the API shows it: the request it sends, credential
// masked.
type runView struct {
	playbook.Run
	Request requestView `json:"request"`
}

type requestView struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body,omitempty"`
}

func viewRun(r playbook.Run) runView {
	return runView{Run: r, Request: requestView{Method: r.Request.Method, URL: r.Request.URL, Headers: r.Request.Masked(), Body: r.Request.Body}}
}

func (a *API) incidentPlaybooks(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	inc, services, canRun, err := a.Playbooks.ForIncident(r.Context(), u, id)
	if err != nil {
		return err
	}
	if services == nil {
		services = []playbook.ServicePlaybooks{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident": inc.Ref(), "can_run": canRun, "services": services})
	return nil
}

func (a *API) playbookRuns(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	runs, err := a.Playbooks.Runs(r.Context(), u, id)
	if err != nil {
		return err
	}
	items := make([]runView, len(runs))
	for i, run := range runs {
		items[i] = viewRun(run)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

// runPlaybook answers 202: the run is stored and queued; its outcome comes
// to the timeline and to GET …/runs. A missing confirmation is a problem
// that carries the preview to confirm.
func (a *API) runPlaybook(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := refParam(r)
	if err != nil {
		return err
	}
	var req playbook.RunInput
	if err := decode(w, r, &req); err != nil {
		return err
	}
	run, err := a.Playbooks.Run(r.Context(), u, id, req)
	var ce *playbook.ConfirmError
	if errors.As(err, &ce) {
		writeProblemWithPreview(w, r, ce)
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, viewRun(*run))
	return nil
}

// writeProblemWithPreview is the problem of a refused run with one more
// member, "preview": exactly what the run would send.
func writeProblemWithPreview(w http.ResponseWriter, r *http.Request, ce *playbook.ConfirmError) {
	status := statusOf[ce.Err.Code]
	body := struct {
		problem
		Preview *playbook.Preview `json:"preview"`
		// Link points at the change that makes the deploy not rollbackable.
		Link string `json:"link,omitempty"`
	}{problem: problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: ce.Error(),
		Instance: r.URL.Path, Code: string(ce.Err.Code), Field: ce.Err.Field}, Preview: ce.Preview, Link: ce.Preview.NotRollbackableLink}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body)
}
