package insight_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/confyaml"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/insight"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

func TestConfig(t *testing.T) {
	teams := func(n string) bool { return n == "pay" || n == "web" }
	cfg, err := insight.ParseConfig("fb.yaml", []byte(`
insights:
  review_within: 7d
  digest:
    day: 2
    hour: 8
    language: ko
    teams: [pay]
    cc: [leads@example.com]
`), teams)
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Digest
	if cfg.ReviewWithin != 7*24*time.Hour || !d.Enabled || d.Day != 2 || d.Hour != 8 || d.Language != "ko" ||
		len(d.Teams) != 1 || len(d.Cc) != 1 {
		t.Errorf("config %+v", cfg)
	}
	if cfg, err := insight.ParseConfig("fb.yaml", []byte("teams: []\n"), teams); err != nil || cfg.Digest.Enabled {
		t.Errorf("no section: %+v %v, want the digest off", cfg, err)
	}
	_, err = insight.ParseConfig("fb.yaml", []byte(`insights:
  review_within: soon
  digest:
    day: 31
    hour: 24
    language: fr
    teams: [nobody]
    cc: ["not an address"]
    colour: red
`), teams)
	es, ok := err.(confyaml.Errors)
	if !ok {
		t.Fatalf("error %v, want confyaml.Errors", err)
	}
	want := []string{"insights.review_within", "insights.digest.day", "insights.digest.hour", "insights.digest.language",
		"insights.digest.teams[0]", "insights.digest.cc[0]", "insights.digest.colour"}
	if len(es) != len(want) {
		t.Fatalf("errors %v, want %d", es, len(want))
	}
	for i, e := range es {
		line := i + 3 // the digest: key takes a line
		if i == 0 {
			line = 2
		}
		if e.Field != want[i] || e.File != "fb.yaml" || e.Line != line {
			t.Errorf("error %d = %s:%d %s, want line %d field %s", i, e.File, e.Line, e.Field, line, want[i])
		}
	}
}

func TestDueMonth(t *testing.T) {
	c := insight.DigestConfig{Day: 1, Hour: 9}
	cases := []struct {
		now   string
		month string
		due   bool
	}{
		{"2026-09-30T23:59:00Z", "", false},       // 08:59 KST on October 1st
		{"2026-10-01T00:00:00Z", "2026-09", true}, // 09:00 KST
		{"2026-10-20T00:00:00Z", "2026-09", true}, // a missed run catches up later in the month
		{"2026-12-31T15:30:00Z", "", false},       // 00:30 KST on January 1st, before 09:00
		{"2027-01-01T00:00:00Z", "2026-12", true}, // 09:00 KST: December's, across the year
	}
	for _, tc := range cases {
		month, due := c.DueMonth(at(tc.now), seoul)
		if month != tc.month || due != tc.due {
			t.Errorf("at %s: %q %v, want %q %v", tc.now, month, due, tc.month, tc.due)
		}
	}
}

// TestDigestThroughOutbox: the leads of both teams get September's digest
// once, through the outbox and a real SMTP server, on both databases; the
// pay lead's numbers leave out a restricted incident he is no member of,
// and list his team's overdue item; building the digests again stores
// nothing new.
func TestDigestThroughOutbox(t *testing.T) {
	testutil.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		cat, err := catalog.Parse("c.yaml", []byte(testCatalog))
		if err != nil {
			t.Fatal(err)
		}
		sink := testutil.StartMailSink(t)
		pol := policy.DefaultPolicy()
		pol.Zone = seoul
		cfg := insight.DefaultConfig()
		// Off at start, so no periodic run on the real clock joins in; the
		// test runs the pass itself at 10:00 KST on October 1st.
		cfg.Digest = insight.DigestConfig{Enabled: false, Day: 1, Hour: 9, Language: "ko", Cc: []string{"leads@example.com"}}
		run := testutil.StartServer(t, server.Options{DatabaseURL: dbURL, Catalog: cat, Policy: pol, Insights: cfg,
			Notify: &notify.Config{Email: &notify.EmailConfig{Host: sink.Host, Port: sink.Port, From: "Firebreak <fb@example.com>", TLS: "none"}}})
		if _, err := run.Server.Users.AddUser(ctx, "lena", "lena@example.com", auth.Responder); err != nil {
			t.Fatal(err)
		}
		db := run.Server.DB
		mk := func(vis incident.Visibility, start time.Time, members ...string) *incident.Incident {
			resolved := start.Add(time.Hour)
			inc := &incident.Incident{Title: "결제 오류", Grade: incident.SEV2, Status: incident.Resolved, Source: "manual", Visibility: vis,
				Services: []string{"checkout"}, Labels: map[string]string{}, Roles: map[incident.Role]string{}, Members: members,
				CreatedBy: "root", StartedAt: start, DetectedAt: start.Add(4 * time.Minute), ResolvedAt: &resolved,
				CreatedAt: start, UpdatedAt: start}
			if err := db.Incidents().CreateIncident(ctx, inc, nil); err != nil {
				t.Fatal(err)
			}
			return inc
		}
		open := mk(incident.Internal, at("2026-09-10T00:00:00Z"))
		mk(incident.Restricted, at("2026-09-12T00:00:00Z"), "carol")
		due := at("2026-09-20T00:00:00Z")
		it := &review.ActionItem{IncidentID: open.ID, Title: "결제 타임아웃 알림 추가", Category: review.Detect, Term: review.Short,
			Owner: "lena", DueAt: &due, Status: review.ItemOpen, CreatedBy: "root", CreatedAt: at("2026-09-11T00:00:00Z"), UpdatedAt: at("2026-09-11T00:00:00Z")}
		if err := db.Reviews().CreateItem(ctx, it, incident.Event{At: it.CreatedAt, Actor: "root", Kind: incident.EventNote, Data: map[string]any{"text": "item"}}); err != nil {
			t.Fatal(err)
		}
		cfg.Digest.Enabled = true
		run.Server.Insights.Now = func() time.Time { return at("2026-10-01T01:00:00Z") }
		for range 2 {
			if n, err := run.Server.SendDigests(ctx); err != nil || n != 2 {
				t.Fatalf("digests: %d %v, want 2 (pay to lena and cc, web to cc only)", n, err)
			}
		}
		for _, team := range []string{"pay", "web"} {
			var n int
			if err := db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM outbound_messages WHERE msg_key = $1",
				insight.DigestKey(team, "2026-09")).Scan(&n); err != nil || n != 1 {
				t.Errorf("team %s: %d stored digests (%v), want 1", team, n, err)
			}
		}
		mails := sink.WaitForMatching(t, 2, 30*time.Second, func(m testutil.ReceivedMail) bool {
			return strings.Contains(m.Subject(), "2026-09")
		})
		var m testutil.ReceivedMail
		for _, x := range mails {
			switch to := strings.Join(x.To, ","); to {
			case "lena@example.com,leads@example.com":
				m = x
			case "leads@example.com": // web's lead has no account: the cc only
			default:
				t.Errorf("a digest went to %s", to)
			}
		}
		if !strings.Contains(m.Subject(), "2026-09") || !strings.Contains(m.Text, "1건") ||
			!strings.Contains(m.Text, "결제 타임아웃 알림 추가") || !strings.Contains(m.Text, "현재 기한 초과: 1건") {
			t.Errorf("pay digest %q:\n%s", m.Subject(), m.Text)
		}
		// One message, two parts with the same content: plain text for
		// any mail reader, HTML for those that show it, both in Korean.
		if ct := m.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
			t.Errorf("digest Content-Type %q, want multipart/alternative", ct)
		}
		if !strings.Contains(m.HTML, `lang="ko"`) || !strings.Contains(m.HTML, "결제 타임아웃 알림 추가") ||
			!strings.Contains(m.HTML, "현재 기한 초과: 1건") || !strings.Contains(m.HTML, "<th scope=\"row\"") {
			t.Errorf("pay digest HTML part:\n%s", m.HTML)
		}
		if strings.Contains(m.Text, "<") {
			t.Errorf("the text part holds markup:\n%s", m.Text)
		}
	})
}

// TestDigestEnglish: a digest configured in English is written in English in
// both parts (July for team pay: A and B, three items opened, two done, one
// of them by its due date), and the HTML part escapes its text.
func TestDigestEnglish(t *testing.T) {
	eachDB(t, func(t *testing.T, f fixture) {
		f.svc.Now = func() time.Time { return at("2026-08-01T00:00:00Z") } // 09:00 KST: July's digest is due
		cfg := insight.DigestConfig{Enabled: true, Day: 1, Hour: 9, Language: "en", Teams: []string{"pay"}}
		ds, err := f.svc.Digests(context.Background(), cfg, func(context.Context, string) (string, error) { return "lena@example.com", nil })
		if err != nil || len(ds) != 1 {
			t.Fatalf("digests %+v, %v; want one for pay", ds, err)
		}
		d := ds[0]
		if d.Lang != "en" || d.Month != "2026-07" || !strings.Contains(d.Subject, "incidents in 2026-07") {
			t.Errorf("digest %s %s %q", d.Lang, d.Month, d.Subject)
		}
		for _, part := range []string{d.Text, d.HTML} {
			if !strings.Contains(part, "Time to detect") || !strings.Contains(part, "Action items: 3 opened, 2 done (1 of 2 by the due date)") || strings.Contains(part, "중앙값") {
				t.Errorf("English digest part:\n%s", part)
			}
		}
		if !strings.Contains(d.HTML, `<html lang="en">`) || !strings.Contains(d.HTML, "long-term open &gt; 90 days") {
			t.Errorf("HTML part without lang=en:\n%s", d.HTML)
		}
	})
}
