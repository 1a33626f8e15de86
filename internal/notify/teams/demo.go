package teams

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/firebreak-oss/firebreak/internal/notify"
)

// Demo is the Teams notifier of `serve --demo`: the real Notifier, whose
// calls are answered in process the way a Workflows webhook answers them,
// so the demo builds and posts real Adaptive Cards without leaving the
// machine. Each channel of cfg keeps its name; its URL is never dialled.
func Demo(cfg *notify.TeamsConfig) *Notifier {
	return &Notifier{cfg: cfg, client: &http.Client{Transport: &demoFlow{}, Timeout: 5 * time.Second}}
}

// demoFlow answers as the "Post to a channel when a webhook request is
// received" flow does: 202 Accepted with the run's ID for a well-formed
// message with an Adaptive Card, 400 for anything else, so a card the flow
// would refuse fails in the demo too.
type demoFlow struct{ runs atomic.Int64 }

func (d *demoFlow) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	if err := checkWorkflowsMessage(r, body); err != nil {
		return demoAnswer(r, http.StatusBadRequest, "400 Bad Request", nil, err.Error()), nil
	}
	run := fmt.Sprintf("demo-teams-run-%06d", d.runs.Add(1))
	return demoAnswer(r, http.StatusAccepted, "202 Accepted", http.Header{"X-Ms-Workflow-Run-Id": {run}}, ""), nil
}

// checkWorkflowsMessage checks a request the way the flow's trigger does:
// a JSON POST of type "message" whose attachments are Adaptive Cards.
func checkWorkflowsMessage(r *http.Request, body []byte) error {
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		return fmt.Errorf("the flow takes a POST of application/json")
	}
	var msg struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string `json:"contentType"`
			Content     struct {
				Type string            `json:"type"`
				Body []json.RawMessage `json:"body"`
			} `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	if msg.Type != "message" || len(msg.Attachments) == 0 {
		return fmt.Errorf(`want {"type":"message","attachments":[…]}`)
	}
	for _, a := range msg.Attachments {
		if a.ContentType != "application/vnd.microsoft.card.adaptive" || a.Content.Type != "AdaptiveCard" || len(a.Content.Body) == 0 {
			return fmt.Errorf("each attachment must be an Adaptive Card with a body")
		}
	}
	return nil
}

func demoAnswer(r *http.Request, code int, status string, h http.Header, body string) *http.Response {
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: code, Status: status, Header: h, Body: io.NopCloser(bytes.NewReader([]byte(body))),
		ContentLength: int64(len(body)), Request: r}
}
