package propagate_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/store"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// benchConfig names 100 departments told of every incident, each by e-mail
// and Slack: 200 targets.
func benchConfig(departments int) string {
	var b strings.Builder
	b.WriteString("teams:\n  - name: ops\nservices:\n  - name: api\n    team: ops\npolicy:\n  departments:\n")
	for i := 0; i < departments; i++ {
		fmt.Fprintf(&b, "    - name: dept-%d\n      from_grade: SEV5\n      email: dept-%d@example.com\n      slack: \"#dept-%d\"\n", i, i, i)
	}
	return b.String()
}

// BenchmarkDeclareTo200Targets measures, per declaration, the time from the
// declare call until the last of its 200 messages has been handed to its
// channel (accepted by the SMTP server or the Slack API), and reports the
// median and p99.
func BenchmarkDeclareTo200Targets(b *testing.B) {
	for _, db := range []struct {
		name string
		url  func(testing.TB) string
	}{{"sqlite", testutil.SQLiteURL}, {"postgres", testutil.PostgresURL}} {
		b.Run(db.name, func(b *testing.B) { benchDeclare(b, db.url(b)) })
	}
}

func benchDeclare(b *testing.B, dbURL string) {
	const departments = 100
	ctx := context.Background()
	mail := testutil.StartMailSink(b)
	api := testutil.StartSlackAPI(b, "xoxb-bench")
	yaml := []byte(benchConfig(departments))
	cat, pol := parseConfig(b, yaml)
	run := testutil.StartServer(b, server.Options{DatabaseURL: dbURL, Catalog: cat, Policy: pol,
		Notify: &notify.Config{
			Email: &notify.EmailConfig{Host: mail.Host, Port: mail.Port, From: "Firebreak <fb@example.com>", TLS: "none"},
			Slack: &notify.SlackConfig{Token: api.Token, APIURL: api.URL},
		},
		// Jobs: the defaults of serve; its connections opened at start, as serve does.
		WarmConnections: store.WarmConnections,
	})
	alice := auth.User{Name: "alice", Role: auth.Responder}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// Each department's channel takes one message a second; start
		// every round with the slots free, as a real declaration would.
		time.Sleep(benchGap(b))
		mails, posts := len(mail.Messages()), len(api.Calls())
		b.StartTimer()
		start := time.Now()
		if _, err := run.Server.Incidents.Declare(ctx, alice, incident.Declaration{Title: fmt.Sprintf("bench %d", i),
			Grade: incident.SEV2, Services: []string{"api"}}); err != nil {
			b.Fatal(err)
		}
		deadline := start.Add(60 * time.Second)
		for len(mail.Messages()) < mails+departments || len(api.Calls()) < posts+departments {
			if time.Now().After(deadline) {
				b.Fatalf("round %d: %d mails and %d posts of %d each after 60 s", i, len(mail.Messages())-mails,
					len(api.Calls())-posts, departments)
			}
			time.Sleep(2 * time.Millisecond)
		}
		last := time.Time{}
		for _, m := range mail.Messages()[mails:] {
			last = later(last, m.At)
		}
		for _, c := range api.Calls()[posts:] {
			last = later(last, c.At)
		}
		lat = append(lat, last.Sub(start))
		if testing.Verbose() {
			var created, firstSent string
			_ = run.Server.DB.SQL.QueryRowContext(ctx, `SELECT CAST(MIN(created_at) AS TEXT), CAST(MIN(sent_at) AS TEXT)
				FROM outbound_messages WHERE incident_id = (SELECT MAX(id) FROM incidents)`).Scan(&created, &firstSent)
			b.Logf("round %d: declared %s, stored %s, first sent %s, last handed over %s", i,
				start.UTC().Format("15:04:05.000"), created, firstSent, last.UTC().Format("15:04:05.000"))
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(lat[(len(lat)*99-1)/100].Milliseconds()), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Milliseconds()), "max-ms")
}

// benchGap is the pause before each round: 1.1 s, or FIREBREAK_BENCH_GAP
// (e.g. 4s: longer than the job queue's idle pause, so every round starts
// from a paused queue, the case of a declaration after a quiet spell; the
// declaration is made in process, with no request to start the queue early).
func benchGap(b *testing.B) time.Duration {
	if v := os.Getenv("FIREBREAK_BENCH_GAP"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("FIREBREAK_BENCH_GAP: %v", err)
		}
		return d
	}
	return 1100 * time.Millisecond
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
