package warroom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DemoSlack is the Slack workspace of `serve --demo`: a client whose calls
// are answered in process, the way Slack answers them, without leaving the
// machine. Channels get made, topics set and summaries pinned, so the demo
// shows a war room on its serious incidents; the timeline's news to the
// channel goes through the outbox like any message, to the demo outbox.
func DemoSlack() *SlackAPI {
	ws := &demoWorkspace{names: map[string]string{}}
	return &SlackAPI{URL: "https://slack.demo.invalid/api", Token: "xoxb-demo",
		Client: &http.Client{Transport: ws, Timeout: 5 * time.Second}}
}

type demoWorkspace struct {
	mu    sync.Mutex
	n     int
	names map[string]string // channel name → id
}

func (d *demoWorkspace) RoundTrip(r *http.Request) (*http.Response, error) {
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	var args map[string]any
	if r.Body != nil {
		data, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(data, &args)
	}
	d.mu.Lock()
	d.n++
	n := d.n
	answer := map[string]any{"ok": true}
	switch method {
	case "conversations.create":
		name, _ := args["name"].(string)
		id, taken := d.names[name]
		if !taken {
			id = fmt.Sprintf("CDEMO%04d", n)
			d.names[name] = id
		}
		answer["channel"] = map[string]any{"id": id, "name": name}
	case "conversations.list":
		var chans []map[string]any
		for name, id := range d.names {
			chans = append(chans, map[string]any{"id": id, "name": name})
		}
		answer["channels"] = chans
	case "chat.postMessage":
		answer["ts"] = fmt.Sprintf("%d.%06d", time.Now().Unix(), n)
	case "conversations.history", "conversations.replies":
		answer["messages"] = []any{}
	case "users.info":
		answer["user"] = map[string]any{"name": "demo"}
	}
	d.mu.Unlock()
	body, _ := json.Marshal(answer)
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
}
