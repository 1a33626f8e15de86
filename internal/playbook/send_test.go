package playbook

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/intake"
)

// TestWebhookIsSigned: the webhook receiver can check the signature with
// the shared secret, sees the run's Idempotency-Key, and a 429 with
// Retry-After is retried after the wait asked for; a missing credential
// fails before anything is sent.
func TestWebhookIsSigned(t *testing.T) {
	var got http.Header
	var verr error
	status := http.StatusTooManyRequests
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = r.Header.Clone()
		verr = intake.VerifySignature("s3cret", r.Header.Get(intake.HeaderTimestamp), r.Header.Get(intake.HeaderSignature), body, time.Now(), time.Minute)
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "30")
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	a := &Action{Kind: Webhook, URL: srv.URL, TokenEnv: "HOOK_SECRET", Title: "Scale"}
	req, err := a.Build(Data{Incident: IncidentData{Ref: "INC-3"}, IdempotencyKey: "pb-abc12345"})
	if err != nil {
		t.Fatal(err)
	}
	s := &Sender{Getenv: func(k string) string { return map[string]string{"HOOK_SECRET": "s3cret"}[k] }, Now: time.Now}
	res := s.Send(context.Background(), a, req)
	if res.Outcome != Retry || res.RetryAfter != 30*time.Second || !res.Written {
		t.Fatalf("429: %+v", res)
	}
	status = http.StatusOK
	res = s.Send(context.Background(), a, req)
	if res.Outcome != Accepted || verr != nil || got.Get("Idempotency-Key") != "pb-abc12345" {
		t.Fatalf("sent: %+v, signature %v, headers %v", res, verr, got)
	}
	srv.Close()
	res = s.Send(context.Background(), a, req)
	if res.Outcome != Retry || res.Written {
		t.Fatalf("peer down: %+v", res)
	}
	got = nil
	res = (&Sender{Getenv: func(string) string { return "" }, Now: time.Now}).Send(context.Background(), a, req)
	if res.Outcome != Refused || got != nil || res.Reason != "no credential: environment variable HOOK_SECRET is empty" {
		t.Fatalf("no secret: %+v (peer saw %v)", res, got)
	}
}
