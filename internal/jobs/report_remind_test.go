package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/testutil"
	"github.com/riverqueue/river/rivertype"
)

// TestReportRemindWorkerMailsOwners runs a whole Firebreak with a real SMTP
// server and a clock the test moves, and runs the report.remind job through
// the queue: a day later, the owner of a report whose sections are still
// TBD (but not yet due) hears of the TBD sections, and the communicator of
// an incident whose first report nobody started hears that it is late.
func TestReportRemindWorkerMailsOwners(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		pol := policy.DefaultPolicy()
		pol.Zone, _ = time.LoadLocation("Asia/Seoul")
		sev4 := pol.Grades[incident.SEV4]
		sev4.FirstReport = policy.FirstReport{Within: 72 * time.Hour}
		pol.Grades[incident.SEV4] = sev4
		site := startMailedSite(t, dbURL, pol, jobs.Config{PollInterval: 100 * time.Millisecond, Logger: testutil.TestLogger()})
		run, sink, offset := site.run, site.sink, site.offset
		rae := auth.User{Name: "rae", Role: auth.Responder}
		unstarted, err := run.Server.Incidents.Declare(ctx, rae, incident.Declaration{Title: "결제 실패", Grade: incident.SEV3,
			Services: []string{"checkout-api"}, Roles: map[incident.Role]string{incident.Resolver: "rae", incident.Communicator: "cora"}})
		if err != nil {
			t.Fatal(err)
		}
		tbd, err := run.Server.Incidents.Declare(ctx, rae, incident.Declaration{Title: "Slow exports", Grade: incident.SEV4, Summary: "CSV exports take minutes.",
			Services: []string{"checkout-api"}, Roles: map[incident.Role]string{incident.Resolver: "rae"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := run.Server.Reports.Start(ctx, rae, tbd.ID, report.StartOptions{Lang: "en"}); err != nil {
			t.Fatal(err)
		}

		isReminder := func(m testutil.ReceivedMail) bool {
			return strings.Contains(m.Subject(), "Your incident report needs you") || strings.Contains(m.Subject(), "장애 보고서 작성이 필요합니다")
		}
		// remind runs the job through the queue and waits until it is done.
		remind := func() {
			t.Helper()
			res, err := run.Server.Jobs.Insert(ctx, jobs.ReportRemindArgs{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the report.remind job", func() bool {
				j, err := run.Server.Jobs.JobGet(ctx, res.Job.ID)
				if err != nil {
					t.Fatal(err)
				}
				if j.State == rivertype.JobStateRetryable || j.State == rivertype.JobStateDiscarded {
					t.Fatalf("report.remind failed: %v", j.Errors)
				}
				return j.State == rivertype.JobStateCompleted
			})
		}
		reminded := func(id int64) int {
			return len(testutil.EventsOfKind(t, run.Server.DB, id, report.EventReminded))
		}
		// Now: nothing is late and the TBD sections are fresh.
		remind()
		if n := reminded(unstarted.ID) + reminded(tbd.ID); n != 0 {
			t.Fatalf("reminded at once: %d", n)
		}

		offset.Store(int64(25 * time.Hour))
		remind()
		got := sink.WaitForMatching(t, 2, 30*time.Second, isReminder)
		byTo := map[string]testutil.ReceivedMail{}
		for _, m := range got {
			m.Text = strings.ReplaceAll(m.Text, "\r\n", "\n")
			byTo[m.To[0]] = m
		}
		cora, raeMail := byTo["cora@example.com"], byTo["rae@example.com"]
		if !strings.Contains(cora.Subject(), unstarted.Ref()) || !strings.Contains(cora.Text, "nobody has started it") ||
			!strings.Contains(cora.Text, "https://firebreak.example.com/incidents/"+unstarted.Ref()+"/report") {
			t.Errorf("the unstarted report's reminder: %q\n%s", cora.Subject(), cora.Text)
		}
		if !strings.Contains(raeMail.Subject(), tbd.Ref()) || !strings.Contains(raeMail.Text, "These sections are still TBD: Cause, Resolution and prevention.") ||
			strings.Contains(raeMail.Text, "was due") {
			t.Errorf("the TBD reminder: %q\n%s", raeMail.Subject(), raeMail.Text)
		}
		if n := len(testutil.EventsOfKind(t, run.Server.DB, unstarted.ID, report.EventOverdue)); n != 1 {
			t.Errorf("%d report_overdue events on the unstarted incident, want 1", n)
		}
		if n := len(testutil.EventsOfKind(t, run.Server.DB, tbd.ID, report.EventOverdue)); n != 0 {
			t.Errorf("the report not yet due was flagged overdue")
		}

		// Another run at once tells nobody again.
		remind()
		if a, b := reminded(unstarted.ID), reminded(tbd.ID); a != 1 || b != 1 {
			t.Errorf("after a second run: %d and %d reminders, want 1 each", a, b)
		}
	})
}
