package playbook

import (
	"strings"
	"testing"
)

const goodConfig = `
playbooks:
  api:
    - kind: scale_out
      title: More pods
      steps:
        - text: "See [the runbook](https://wiki.example.com/api)."
        - action: argocd
          server: https://argocd.example.com/
          application: api-prod
          operation: sync
          revision: "{{.RollbackTo}}"
          prune: true
          token_env: ARGO_TOKEN
        - action: jenkins
          url: https://ci.example.com
          job: team/api scale
          user: bot
          params: {N: "4", WHY: "{{.Incident.Ref}} {{.Incident.Title}}"}
          idempotency_param: KEY
          token: t
        - action: webhook
          url: https://hooks.example.com/scale
          payload: {replicas: "+2"}
          secret_env: HOOK_SECRET
`

func TestParseAndBuild(t *testing.T) {
	c, err := ParseConfig("f.yaml", []byte(goodConfig), func(s string) bool { return s == "api" })
	if err != nil {
		t.Fatal(err)
	}
	pb, ok := c.Find("api", ScaleOut)
	if !ok || len(pb.Steps) != 4 || pb.Steps[0].Action != nil || pb.Steps[3].Number != 4 {
		t.Fatalf("playbook: %+v", pb)
	}
	d := Data{Incident: IncidentData{Ref: "INC-7", Title: "느림 slow"}, Service: "api", Playbook: "scale_out", RollbackTo: "v1.2.3", IdempotencyKey: "pb-k1"}
	for _, c := range []struct {
		step                int
		url, body, auth     string
		header, headerValue string
	}{
		{2, "https://argocd.example.com/api/v1/applications/api-prod/sync", `{"prune":true,"revision":"v1.2.3"}`, "bearer", "Content-Type", "application/json"},
		{3, "https://ci.example.com/job/team/job/api%20scale/buildWithParameters?KEY=pb-k1&N=4&WHY=INC-7+%EB%8A%90%EB%A6%BC+slow", "", "basic", "Idempotency-Key", "pb-k1"},
		{4, "https://hooks.example.com/scale", `{"action":"","fields":{"replicas":"+2"},"idempotency_key":"pb-k1","incident":"INC-7","playbook":"scale_out","service":"api"}`, "hmac", "Idempotency-Key", "pb-k1"},
	} {
		r, err := pb.Steps[c.step-1].Action.Build(d)
		if err != nil {
			t.Fatalf("step %d: %v", c.step, err)
		}
		if r.URL != c.url || r.Body != c.body || r.Auth != c.auth || r.Headers[c.header] != c.headerValue || r.Method != "POST" {
			t.Errorf("step %d: %+v", c.step, r)
		}
	}
	if n, a := c.Count(); n != 1 || a != 3 {
		t.Errorf("count %d %d", n, a)
	}
	if !pb.Steps[1].Action.NeedsRollbackTo() || pb.Steps[2].Action.NeedsRollbackTo() {
		t.Error("NeedsRollbackTo")
	}
	c.Rebase("https://ci.example.com", "http://127.0.0.1:9")
	if got := pb.Steps[2].Action.URL; got != "http://127.0.0.1:9" {
		t.Errorf("rebased: %s", got)
	}
}

func TestConfigErrorsNamePlaces(t *testing.T) {
	for _, c := range []struct {
		yaml, want string
	}{
		{"playbooks:\n  nope:\n    - kind: restart\n      steps: [{text: hi}]\n", `f.yaml:2:3: playbooks.nope: no service "nope" in the catalog`},
		{"playbooks:\n  api:\n    - kind: reboot\n      steps: [{text: hi}]\n", `f.yaml:3:13: playbooks.api[0].kind: must be one of rollback, restart, scale_out, hotfix; got "reboot"`},
		{"playbooks:\n  api:\n    - kind: restart\n", "f.yaml:3:7: playbooks.api[0].steps: is required"},
		{"playbooks:\n  api:\n    - kind: restart\n      steps: [{text: hi}]\n    - kind: restart\n      steps: [{text: hi}]\n", "playbooks.api[1].kind: service api has a restart playbook already (line 3)"},
		{"playbooks:\n  api:\n    - kind: restart\n      steps:\n        - {action: webhook, url: 'ftp://x', secret: s}\n", `playbooks.api[0].steps[0].url: must be an http or https URL`},
		{"playbooks:\n  api:\n    - kind: restart\n      steps:\n        - {action: webhook, url: 'https://x'}\n", "playbooks.api[0].steps[0]: needs a credential: secret or secret_env"},
		{"playbooks:\n  api:\n    - kind: restart\n      steps:\n        - {action: argocd, server: 'https://a', application: x, operation: rollback, token: t}\n", "playbooks.api[0].steps[0].history_id: is required for a argocd action"},
		{"playbooks:\n  api:\n    - kind: restart\n      steps:\n        - {action: jenkins, url: 'https://j', job: x, user: u, token: t, params: {A: '{{.Nope}}'}}\n", "playbooks.api[0].steps[0].params.A: placeholder"},
		{"playbooks:\n  api:\n    - kind: restart\n      steps:\n        - {action: jenkins, url: 'https://j', job: x, user: u, token: t, params: {A: '{{call .Service}}'}}\n", "playbooks.api[0].steps[0].params.A: placeholder"},
		{"playbooks:\n  api:\n    - kind: restart\n      steps:\n        - {action: argocd, server: 'https://a', application: x, operation: rollback, history_id: last, token: t}\n", "history_id: must be a deployment history id"},
		{"playbooks:\n  api:\n    - kind: restart\n      steps:\n        - {text: hi, action: webhook}\n", "a step is either text or an action, not both"},
		{"playbooks:\n  api:\n    - kind: restart\n      steps:\n        - {action: shell, token: t}\n", `must be github_workflow, argocd, jenkins or webhook; got "shell"`},
		{"playbooks:\n  api:\n    - kind: restart\n      steps:\n        - {action: github_workflow, repo: a/b, workflow: w.yml, ref: main, token: t, colour: red}\n", "playbooks.api[0].steps[0].colour: unknown field"},
	} {
		_, err := ParseConfig("f.yaml", []byte(c.yaml), func(s string) bool { return s == "api" })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got %v\nwant %s", c.yaml, err, c.want)
		}
	}
	if c, err := ParseConfig("f.yaml", []byte("teams: []\n"), nil); err != nil || len(c.Services) != 0 {
		t.Errorf("no section: %v %v", c, err)
	}
}
