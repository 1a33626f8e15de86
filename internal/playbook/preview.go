package playbook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"slices"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/report"
)

// ServicePlaybooks are one affected service's playbooks.
type ServicePlaybooks struct {
	Service   string         `json:"service"`
	Playbooks []PlaybookView `json:"playbooks"`
}

// PlaybookView is a playbook as people see it, action steps previewed.
type PlaybookView struct {
	Kind  Kind       `json:"kind"`
	Title string     `json:"title,omitempty"`
	Steps []StepView `json:"steps"`
}

// StepView is a text step rendered, or an action step with its preview.
type StepView struct {
	Number int           `json:"number"`
	Text   string        `json:"text,omitempty"`
	HTML   template.HTML `json:"html,omitempty"`
	Action *Preview      `json:"action,omitempty"`
}

// Preview is exactly what running an action step would send, credential
// masked.
type Preview struct {
	Service  string            `json:"service"`
	Playbook Kind              `json:"playbook"`
	Step     int               `json:"step"`
	Action   ActionKind        `json:"action"`
	Title    string            `json:"title,omitempty"`
	Method   string            `json:"method"`
	URL      string            `json:"url"`
	Headers  map[string]string `json:"headers"`
	Body     string            `json:"body,omitempty"`
	// IdempotencyKey is the key the run will carry; confirming with it
	// makes a repeated confirmation find the same run.
	IdempotencyKey string `json:"idempotency_key"`
	// NeedsRollbackTo says the step uses {{.RollbackTo}}: the run must name
	// it.
	NeedsRollbackTo bool   `json:"needs_rollback_to,omitempty"`
	RollbackTo      string `json:"rollback_to,omitempty"`
	// NotRollbackable is why the service's newest deploy may not be rolled
	// back, for a rollback playbook's action: running it needs a second
	// confirmation naming it.
	NotRollbackable     string `json:"not_rollbackable,omitempty"`
	NotRollbackableLink string `json:"not_rollbackable_link,omitempty"`
	// Problem says why the request cannot be built yet (say, no rollback
	// target given).
	Problem string `json:"problem,omitempty"`
}

// HeaderNames lists the preview's headers in order, for pages.
func (p *Preview) HeaderNames() []string {
	names := make([]string, 0, len(p.Headers))
	for k := range p.Headers {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// ForIncident returns the playbooks of the incident's services that have
// any, each action step previewed, and whether by may run them.
func (s *Service) ForIncident(ctx context.Context, by auth.User, id int64) (*incident.Incident, []ServicePlaybooks, bool, error) {
	inc, err := s.Incidents.Get(ctx, by, id)
	if err != nil {
		return nil, nil, false, err
	}
	var out []ServicePlaybooks
	for _, svc := range inc.Services {
		pbs := s.Config.Playbooks(svc)
		if len(pbs) == 0 {
			continue
		}
		sp := ServicePlaybooks{Service: svc}
		for _, pb := range pbs {
			v := PlaybookView{Kind: pb.Kind, Title: pb.Title}
			for _, st := range pb.Steps {
				sv := StepView{Number: st.Number}
				if st.Action == nil {
					sv.Text, sv.HTML = st.Text, report.RenderMarkdown(st.Text)
				} else {
					p, err := s.preview(ctx, inc, pb, st, "", "")
					if err != nil {
						return nil, nil, false, err
					}
					sv.Action = p
				}
				v.Steps = append(v.Steps, sv)
			}
			sp.Playbooks = append(sp.Playbooks, v)
		}
		out = append(out, sp)
	}
	return inc, out, MayRun(by, inc, s.Owners), nil
}

// Preview returns what running the step would send.
func (s *Service) Preview(ctx context.Context, by auth.User, id int64, in RunInput) (*Preview, error) {
	inc, err := s.Incidents.Get(ctx, by, id)
	if err != nil {
		return nil, err
	}
	pb, st, err := s.step(inc, in)
	if err != nil {
		return nil, err
	}
	return s.preview(ctx, inc, pb, st, in.RollbackTo, in.IdempotencyKey)
}

func (s *Service) data(inc *incident.Incident, pb Playbook, rollbackTo, key string) Data {
	return Data{
		Incident: IncidentData{Ref: inc.Ref(), Title: inc.Title, Grade: inc.Grade.String(),
			URL: strings.TrimRight(s.BaseURL, "/") + "/incidents/" + inc.Ref()},
		Service:        pb.Service,
		Playbook:       string(pb.Kind),
		RollbackTo:     strings.TrimSpace(rollbackTo),
		IdempotencyKey: key,
	}
}

func (s *Service) preview(ctx context.Context, inc *incident.Incident, pb Playbook, st Step, rollbackTo, key string) (*Preview, error) {
	if key == "" {
		key = NewKey()
	}
	a := st.Action
	p := &Preview{Service: pb.Service, Playbook: pb.Kind, Step: st.Number, Action: a.Kind, Title: a.Title,
		IdempotencyKey: key, NeedsRollbackTo: a.NeedsRollbackTo(), RollbackTo: strings.TrimSpace(rollbackTo)}
	d := s.data(inc, pb, rollbackTo, key)
	if p.NeedsRollbackTo && d.RollbackTo == "" {
		d.RollbackTo = "<rollback_to>" // shown as what the run will fill in
	}
	req, err := a.Build(d)
	if err != nil {
		p.Problem = err.Error()
	}
	p.Method, p.URL, p.Headers, p.Body = req.Method, req.URL, req.Masked(), req.Body
	if pb.Kind == Rollback && s.Blocker != nil {
		reason, link, err := s.Blocker.RollbackBlocker(ctx, pb.Service)
		if err != nil {
			// Not knowing is no licence: ask for the second confirmation,
			// saying why, rather than fail the page or wave it through.
			reason = fmt.Sprintf("whether the newest deploy may be rolled back could not be checked (%v)", err)
		}
		p.NotRollbackable, p.NotRollbackableLink = reason, link
	}
	return p, nil
}

// NewKey returns a fresh idempotency key.
func NewKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "pb-" + hex.EncodeToString(b)
}
