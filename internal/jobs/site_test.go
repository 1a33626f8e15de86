package jobs_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// mailedSite is a whole Firebreak on the demo catalog with a real SMTP
// server and a clock the test moves; cora and rae are responders with
// e-mail addresses.
type mailedSite struct {
	run    *testutil.Running
	sink   *testutil.MailSink
	offset *atomic.Int64 // how far the clock has been moved
}

func startMailedSite(t *testing.T, dbURL string, pol *policy.Policy, jc jobs.Config) mailedSite {
	t.Helper()
	sink := testutil.StartMailSink(t)
	start := testutil.StartAwayFromMidnight(time.Now(), pol.Zone)
	offset := new(atomic.Int64)
	clock := func() time.Time { return start.Add(time.Duration(offset.Load())) }
	cat, err := catalog.Parse("demo.yaml", catalog.DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	run := testutil.StartServer(t, server.Options{
		DatabaseURL: dbURL, Catalog: cat, Now: clock, Policy: pol, BaseURL: "https://firebreak.example.com",
		Notify: &notify.Config{Email: &notify.EmailConfig{Host: sink.Host, Port: sink.Port, From: "Firebreak <firebreak@example.com>", TLS: "none"}},
		Jobs:   jc,
	})
	for name, email := range map[string]string{"cora": "cora@example.com", "rae": "rae@example.com"} {
		if _, err := run.Server.Users.AddUser(context.Background(), name, email, auth.Responder); err != nil {
			t.Fatal(err)
		}
	}
	return mailedSite{run: run, sink: sink, offset: offset}
}
