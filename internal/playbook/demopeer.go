package playbook

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/firebreak-oss/firebreak/internal/intake"
)

// DemoPeerPath is where `serve --demo` mounts the demo peer. Nothing real is
// behind it: it stands in for GitHub, Argo CD, Jenkins and a webhook so that
// the demo's playbook actions have somewhere to go.
const DemoPeerPath = "/demo/peer/"

// DemoToken is the credential of the demo playbooks and the demo peer.
const DemoToken = "demo-peer-token"

// DemoPeer answers the demo's playbook actions the way the real APIs do,
// checking the credential as they would: GitHub's workflow_dispatch (204),
// Argo CD's rollback and sync (200 with the application), Jenkins'
// buildWithParameters (201 with a queue item in Location) and a signed
// webhook (200). Mount it at DemoPeerPath, only in demo mode.
func DemoPeer(token string) http.Handler {
	var queue atomic.Int64
	mux := http.NewServeMux()
	bearer := func(w http.ResponseWriter, r *http.Request) bool {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+token)) != 1 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"message":"Bad credentials (demo peer)"}`)
			return false
		}
		return true
	}
	mux.HandleFunc("POST "+DemoPeerPath+"github/repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches", func(w http.ResponseWriter, r *http.Request) {
		if !bearer(w, r) {
			return
		}
		var body struct {
			Ref string `json:"ref"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Ref == "" {
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = io.WriteString(w, `{"message":"Invalid request: ref is required (demo peer)"}`)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST "+DemoPeerPath+"argocd/api/v1/applications/{name}/{op}", func(w http.ResponseWriter, r *http.Request) {
		if !bearer(w, r) {
			return
		}
		if op := r.PathValue("op"); op != "rollback" && op != "sync" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"metadata":{"name":%q},"status":{"operationState":{"phase":"Running","message":"demo peer: nothing is deployed"}}}`, r.PathValue("name"))
	})
	mux.HandleFunc("POST "+DemoPeerPath+"jenkins/", func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user == "" || subtle.ConstantTimeCompare([]byte(pass), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="Jenkins"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		n := queue.Add(1)
		w.Header().Set("Location", "http://"+r.Host+DemoPeerPath+"jenkins/queue/item/"+strconv.FormatInt(n, 10)+"/")
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("POST "+DemoPeerPath+"webhook", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err := intake.VerifySignature(token, r.Header.Get(intake.HeaderTimestamp), r.Header.Get(intake.HeaderSignature), body, time.Now(), 5*time.Minute); err != nil {
			http.Error(w, "bad signature (demo peer): "+err.Error(), http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true,"note":"demo peer"}`)
	})
	return mux
}
