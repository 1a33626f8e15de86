package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/jobs"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/testutil"
)

const reportCatalogYAML = `
teams:
  - name: payments
    email: payments@example.com
services:
  - name: checkout-api
    team: payments
  - name: member-api
    team: payments
`

// reportSite is a running Firebreak with a real SMTP server behind it, and
// a token for bob, a responder.
type reportSite struct {
	run    *testutil.Running
	sink   *testutil.MailSink
	token  string
	offset *atomic.Int64 // how far the server's clock is moved ahead
}

func startReportSite(t *testing.T) *reportSite {
	t.Helper()
	ctx := context.Background()
	t.Setenv("LANG", "C") // section titles in English
	sink := testutil.StartMailSink(t)
	cat, err := catalog.Parse("test.yaml", []byte(reportCatalogYAML))
	if err != nil {
		t.Fatal(err)
	}
	pol := policy.DefaultPolicy()
	pol.Zone, _ = time.LoadLocation("Asia/Seoul")
	start := testutil.StartAwayFromMidnight(time.Now(), pol.Zone)
	offset := &atomic.Int64{}
	run := testutil.StartServer(t, server.Options{DatabaseURL: testutil.SQLiteURL(t), Catalog: cat, Policy: pol,
		BaseURL: "https://fb.example.com", Now: func() time.Time { return start.Add(time.Duration(offset.Load())) },
		Notify: &notify.Config{Email: &notify.EmailConfig{Host: sink.Host, Port: sink.Port, From: "Firebreak <fb@example.com>", TLS: "none"}},
		Jobs:   jobs.Config{PollInterval: 100 * time.Millisecond, Logger: testutil.TestLogger()},
	})
	if _, err := run.Server.Users.AddUser(ctx, "bob", "bob@example.com", auth.Responder); err != nil {
		t.Fatal(err)
	}
	token, _, err := run.Server.Users.CreateToken(ctx, "bob", "cli test", 0)
	if err != nil {
		t.Fatal(err)
	}
	return &reportSite{run: run, sink: sink, token: token, offset: offset}
}

// cli runs `firebreak ARGS... --server <site> --token <bob's>` and returns
// standard output and standard error.
func (s *reportSite) cli(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := NewRoot(&out, &errOut)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(append(args, "--server", s.run.Base, "--token", s.token))
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func (s *reportSite) mustCLI(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, errOut, err := s.cli(t, stdin, args...)
	if err != nil {
		t.Fatalf("firebreak %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// TestReportCommands drives every report command and search against a real
// server: start, show, set, revisions and diff, export, import, pending,
// share (read back from the SMTP server) and search, with bad input named.
func TestReportCommands(t *testing.T) {
	s := startReportSite(t)
	ctx := context.Background()
	bob := auth.User{Name: "bob", Role: auth.Responder}
	inc, err := s.run.Server.Incidents.Declare(ctx, bob, incident.Declaration{Title: "결제 승인 지연 Payment approvals slow", Grade: incident.SEV2,
		Services: []string{"checkout-api"}, Summary: "카드 결제가 3초 넘게 걸립니다.", CauseTags: []string{"timeout"}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.run.Server.Incidents.Declare(ctx, bob, incident.Declaration{Title: "Member sign-up errors", Grade: incident.SEV3,
		Services: []string{"member-api"}, Roles: map[incident.Role]string{incident.Resolver: "bob"}})
	if err != nil {
		t.Fatal(err)
	}
	ref := inc.Ref()

	// show before start: the server's 404 comes through.
	if _, _, err := s.cli(t, "", "report", "show", ref); err == nil || !strings.Contains(err.Error(), "no report") {
		t.Errorf("show before start: %v", err)
	}
	if _, _, err := s.cli(t, "", "report", "start", ref, "--lang", "fr"); err == nil || !strings.Contains(err.Error(), "lang") {
		t.Errorf("start with a bad language: %v", err)
	}
	out := s.mustCLI(t, "", "report", "start", ref, "--lang", "en")
	for _, want := range []string{ref + " report, revision 1, owner bob", "TBD: cause, resolution", "## Summary\n\n카드 결제가 3초 넘게 걸립니다.", "- checkout-api"} {
		if !strings.Contains(out, want) {
			t.Errorf("start output lacks %q:\n%s", want, out)
		}
	}
	out = s.mustCLI(t, "", "report", "show", ref)
	if !strings.Contains(out, "## Cause\n\nTBD") || !strings.Contains(out, "due 20") {
		t.Errorf("show:\n%s", out)
	}

	// set from standard input and from a file; an unknown section is named.
	out = s.mustCLI(t, "The gateway pool shrank to 20 connections.\n", "report", "set", ref, "cause", "-")
	if !strings.Contains(out, "revision 2") || !strings.Contains(out, "TBD: resolution") || !strings.Contains(out, "The gateway pool shrank") {
		t.Errorf("set cause:\n%s", out)
	}
	if _, _, err := s.cli(t, "x", "report", "set", ref, "kause", "-"); err == nil || !strings.Contains(err.Error(), "sections.kause") {
		t.Errorf("set of an unknown section: %v", err)
	}
	if _, _, err := s.cli(t, "", "report", "set", ref, "cause", filepath.Join(t.TempDir(), "missing.md")); err == nil {
		t.Error("set from a missing file succeeded")
	}

	// revisions and a diff.
	out = s.mustCLI(t, "", "report", "revisions", ref)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[1], "2 ") || !strings.Contains(lines[1], "bob") {
		t.Errorf("revisions:\n%s", out)
	}
	out = s.mustCLI(t, "", "report", "revisions", ref, "--diff", "1:2")
	if !strings.Contains(out, "## Cause") || !strings.Contains(out, "+ The gateway pool shrank to 20 connections.") || !strings.Contains(out, "- TBD") {
		t.Errorf("diff:\n%s", out)
	}
	if _, _, err := s.cli(t, "", "report", "revisions", ref, "--diff", "two"); err == nil || !strings.Contains(err.Error(), "--diff") {
		t.Errorf("a bad --diff: %v", err)
	}

	// export to files, then import the Markdown back with one change.
	dir := t.TempDir()
	md, html := filepath.Join(dir, ref+".md"), filepath.Join(dir, ref+".html")
	s.mustCLI(t, "", "report", "export", ref, "-o", md)
	s.mustCLI(t, "", "report", "export", ref, "--format", "html", "-o", html)
	mdText, _ := os.ReadFile(md)
	htmlText, _ := os.ReadFile(html)
	if !strings.HasPrefix(string(mdText), "# "+ref+": 결제 승인 지연") || !strings.Contains(string(mdText), "## Cause\n\nThe gateway pool shrank") {
		t.Errorf("Markdown export:\n%s", mdText)
	}
	if !strings.Contains(string(htmlText), "<!doctype html>") || strings.Contains(string(htmlText), "<script") {
		t.Errorf("HTML export:\n%s", htmlText)
	}
	if _, _, err := s.cli(t, "", "report", "export", ref, "--format", "pdf"); err == nil || !strings.Contains(err.Error(), "--format") {
		t.Errorf("export as pdf: %v", err)
	}
	edited := strings.Replace(string(mdText), "## Resolution and prevention\n\nTBD", "## Resolution and prevention\n\nRolled back to v2.30.", 1) +
		"\n## Lessons\n\nSay pool sizes in the config.\n"
	if err := os.WriteFile(md, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := s.cli(t, "", "report", "import", ref, md)
	if err != nil || !strings.Contains(out, "revision 3") || strings.Contains(out, "TBD:") || !strings.Contains(errOut, "Lessons") {
		t.Errorf("import: %v\n%s\nstderr: %s", err, out, errOut)
	}
	if _, _, err := s.cli(t, "   ", "report", "import", ref, "-"); err == nil || !strings.Contains(err.Error(), "markdown") {
		t.Errorf("an empty import: %v", err)
	}

	// pending: the unshared report; the unstarted one only once it is late.
	out = s.mustCLI(t, "", "report", "pending")
	if !strings.Contains(out, ref) || !regexp.MustCompile(ref+`\s+bob\s+due `).MatchString(out) || strings.Contains(out, other.Ref()) {
		t.Errorf("pending:\n%s", out)
	}

	// share: the mail arrives at the grade's recipients.
	out = s.mustCLI(t, "", "report", "share", ref)
	if !strings.Contains(out, "Queued revision 3 (7 sections) for payments@example.com; see each delivery with: firebreak report shares "+ref) {
		t.Errorf("share: %s", out)
	}
	// The team hears of declarations too; the report is the mail so titled.
	mail := s.sink.WaitForMatching(t, 1, 30*time.Second, func(m testutil.ReceivedMail) bool {
		return len(m.To) == 1 && m.To[0] == "payments@example.com" && strings.HasPrefix(m.Subject(), "["+ref+"] Incident report:")
	})[0]
	if !strings.Contains(mail.Text, "Rolled back to v2.30.") || !strings.Contains(mail.Text, "## Cause") {
		t.Errorf("shared mail: %q\n%s", mail.Subject(), mail.Text)
	}
	if _, _, err := s.cli(t, "", "report", "share", ref); err == nil || !strings.Contains(err.Error(), "shared already") {
		t.Errorf("sharing an unchanged report: %v", err)
	}
	// Each recipient's delivery, as the outbox knows it (#16).
	deadline := time.Now().Add(30 * time.Second)
	for out = s.mustCLI(t, "", "report", "shares", ref); !regexp.MustCompile(`payments@example\.com\s+delivered`).MatchString(out); out = s.mustCLI(t, "", "report", "shares", ref) {
		if time.Now().After(deadline) {
			t.Fatalf("shares never showed the delivery:\n%s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// A day later the other incident's first report is late and nobody
	// started it: pending lists it, with its resolver as owner.
	s.offset.Store(int64(25 * time.Hour))
	out = s.mustCLI(t, "", "report", "pending")
	if !regexp.MustCompile(other.Ref() + `\s+bob\s+NOT STARTED, OVERDUE`).MatchString(out) {
		t.Errorf("pending a day later:\n%s", out)
	}
	out = s.mustCLI(t, "", "report", "pending", "--json")
	var p struct {
		Items []struct {
			Incident string `json:"incident"`
			Started  bool   `json:"started"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil || len(p.Items) != 1 || p.Items[0].Incident != other.Ref() || p.Items[0].Started {
		t.Errorf("pending --json: %v\n%s", err, out)
	}

	// search in Korean and English, with filters; bad filters are named.
	out = s.mustCLI(t, "", "search", "결제가", "gateway")
	if !regexp.MustCompile(ref + `\s+SEV2\s+\S+\s+yes\s+결제 승인 지연`).MatchString(out) {
		t.Errorf("search:\n%s", out)
	}
	if out = s.mustCLI(t, "", "search", "pool", "--service", "member-api"); strings.TrimSpace(out) != "Nothing found." {
		t.Errorf("search with another service's filter:\n%s", out)
	}
	out = s.mustCLI(t, "", "search", "sign-up", "--json")
	if !strings.Contains(out, `"id": "`+other.Ref()+`"`) {
		t.Errorf("search --json:\n%s", out)
	}
	out = s.mustCLI(t, "", "search", "--service", "member-api")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], other.Ref()) {
		t.Errorf("browse by service:\n%s", out)
	}
	if _, _, err := s.cli(t, "", "search"); err == nil || !strings.Contains(err.Error(), "a filter") {
		t.Errorf("search with nothing asked: %v", err)
	}
	if _, _, err := s.cli(t, "", "search", "--service", "nosuch-api"); err == nil || !strings.Contains(err.Error(), "service") {
		t.Errorf("search of an unknown service: %v", err)
	}
	if _, _, err := s.cli(t, "", "search", "pool", "--since", "yesterday"); err == nil || !strings.Contains(err.Error(), "since") {
		t.Errorf("search with a bad date: %v", err)
	}
	if _, _, err := s.cli(t, "", "search", "pool", "--grade", "SEV9"); err == nil || !strings.Contains(err.Error(), "grade") {
		t.Errorf("search with a bad grade: %v", err)
	}
}
