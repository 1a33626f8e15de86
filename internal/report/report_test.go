package report

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/confyaml"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/policy"
)

func TestSanitising(t *testing.T) {
	cases := []struct {
		md       string
		mustNot  []string
		mustHave []string
	}{
		{"<script>alert(1)</script>\n\nhello", []string{"<script", "alert(1)"}, []string{"hello"}},
		{"[click](javascript:alert(1))", []string{"javascript:"}, []string{"click"}},
		{`<img src=x onerror="alert(1)">`, []string{"onerror", "<img"}, nil},
		{`<a href="https://example.com" onclick="steal()">x</a>`, []string{"onclick", "steal"}, nil},
		{"[docs](https://wiki.example.com/x)", nil, []string{`href="https://wiki.example.com/x"`, `rel="nofollow"`}},
		{"[data](data:text/html;base64,PHNjcmlwdD4=)", []string{"data:text/html"}, nil},
		{"<iframe src=https://evil.example></iframe>", []string{"<iframe"}, nil},
		{"| a | b |\n|---|---|\n| 1 | 2 |", nil, []string{"<table>", "<td>1</td>"}},
		{"- [x] PAY-1432 done\n- [ ] PAY-1433", nil, []string{`type="checkbox"`, "PAY-1433"}},
		{"`<b>code</b>`", []string{"<b>"}, []string{"&lt;b&gt;"}},
	}
	for _, c := range cases {
		got := string(RenderMarkdown(c.md))
		for _, bad := range c.mustNot {
			if strings.Contains(got, bad) {
				t.Errorf("RenderMarkdown(%q) = %q; still contains %q", c.md, got, bad)
			}
		}
		for _, good := range c.mustHave {
			if !strings.Contains(got, good) {
				t.Errorf("RenderMarkdown(%q) = %q; lacks %q", c.md, got, good)
			}
		}
	}
}

func TestIsTBD(t *testing.T) {
	for _, s := range []string{"", "  ", "TBD", "tbd", " TBD \n"} {
		if !IsTBD(s) {
			t.Errorf("IsTBD(%q) = false", s)
		}
	}
	for _, s := range []string{"TBD: the vendor answers Monday", "x", "원인 조사 중"} {
		if IsTBD(s) {
			t.Errorf("IsTBD(%q) = true", s)
		}
	}
}

func TestTrackTBDKeepsAge(t *testing.T) {
	tmpl := DefaultTemplate()
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	r := &Report{Sections: map[string]string{KeySummary: "x", KeyCause: "TBD", KeyResolution: "", KeyRelated: ""}}
	tmpl.trackTBD(r, t0)
	// Every required section but the summary is TBD; the optional one is never tracked.
	if _, ok := r.TBDSince[KeyRelated]; ok {
		t.Error("an optional section is tracked as TBD")
	}
	if got := r.TBDSince[KeyCause]; !got.Equal(t0) {
		t.Errorf("cause TBD since %v, want %v", got, t0)
	}
	r.Sections[KeyResolution] = "rolled back"
	tmpl.trackTBD(r, t0.Add(time.Hour))
	if got := r.TBDSince[KeyCause]; !got.Equal(t0) {
		t.Errorf("cause TBD since %v after a later save, want it kept at %v", got, t0)
	}
	if _, ok := r.TBDSince[KeyResolution]; ok {
		t.Error("a filled section is still TBD")
	}
	if got := tmpl.TBDKeys(r); strings.Join(got, ",") != "detection,services,cause,timeline" {
		t.Errorf("TBDKeys = %v", got)
	}
}

func TestDiffLines(t *testing.T) {
	got := DiffLines("a\nb\nc\n", "a\nc\nd")
	want := []DiffLine{{Same, "a"}, {Removed, "b"}, {Same, "c"}, {Added, "d"}}
	if len(got) != len(want) {
		t.Fatalf("DiffLines = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("DiffLines = %v, want %v", got, want)
		}
	}
	d := DefaultTemplate().Diff(map[string]string{KeyCause: "TBD", KeySummary: "s"}, map[string]string{KeyCause: "디스크 부족", KeySummary: "s"}, "ko")
	if len(d) != 1 || d[0].Key != KeyCause || d[0].Title != "원인" {
		t.Errorf("Template.Diff = %+v", d)
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	tmpl := DefaultTemplate()
	for _, lang := range []string{"en", "ko"} {
		sections := Example(lang)
		sections[KeyCause] = "TBD"
		sections[KeySummary] += "\n\n```\n## not a heading inside code\n```"
		md := tmpl.ExportMarkdown(Header{Ref: "INC-7", Title: "결제 지연", Grade: "SEV2", Status: "resolved", Revision: 3}, sections, lang)
		imp := tmpl.Import(md)
		if len(imp.Unmatched) > 0 {
			t.Errorf("%s: unmatched headings %v", lang, imp.Unmatched)
		}
		for _, s := range tmpl.Sections {
			if got, want := strings.TrimSpace(imp.Sections[s.Key]), strings.TrimSpace(sections[s.Key]); got != want {
				t.Errorf("%s: section %s after round trip = %q, want %q", lang, s.Key, got, want)
			}
		}
		html := string(tmpl.ExportHTML(Header{Ref: "INC-7", Title: "<b>결제</b>"}, sections, lang))
		for _, want := range []string{"<!doctype html>", "<style>", `<span class="tbd">TBD</span>`, "&lt;b&gt;결제&lt;/b&gt;", "<table>"} {
			if !strings.Contains(html, want) {
				t.Errorf("%s: standalone HTML lacks %q", lang, want)
			}
		}
		if strings.Contains(html, "<script") || strings.Contains(html, "src=\"http") {
			t.Errorf("%s: standalone HTML loads or runs something", lang)
		}
	}
}

func TestImportForeignHeadings(t *testing.T) {
	md := "# Outage\n\nintro dropped\n\n## 요약\n결제 실패\n\n## Root cause\nA bad config.\n\n## Cause\nPool size.\n"
	imp := DefaultTemplate().Import(md)
	if imp.Sections[KeySummary] != "결제 실패" || imp.Sections[KeyCause] != "Pool size." {
		t.Errorf("sections = %q", imp.Sections)
	}
	if len(imp.Unmatched) != 1 || imp.Unmatched[0] != "Root cause" {
		t.Errorf("unmatched = %v", imp.Unmatched)
	}
	if !strings.Contains(imp.Sections[KeyRelated], "### Root cause\n\nA bad config.") {
		t.Errorf("unmatched text not kept in the optional section: %q", imp.Sections[KeyRelated])
	}
	if imp.Sections[KeyTimeline] != TBD {
		t.Errorf("missing section = %q, want TBD", imp.Sections[KeyTimeline])
	}
	if got := DefaultTemplate().Import("just some notes"); got.Sections[KeySummary] != "just some notes" {
		t.Errorf("headingless import = %q", got.Sections)
	}
}

func TestDeadlineAcrossTimeZonesAndMidnight(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	ny, _ := time.LoadLocation("America/New_York")
	pol := func(zone *time.Location) *policy.Policy {
		p := policy.DefaultPolicy()
		p.Zone = zone
		return p
	}
	within := policy.DefaultPolicy()
	gp := within.Grades[incident.SEV1]
	gp.FirstReport = policy.FirstReport{Within: 4 * time.Hour}
	within.Grades[incident.SEV1] = gp
	cases := []struct {
		name     string
		p        *policy.Policy
		grade    incident.Grade
		declared time.Time
		want     time.Time
	}{
		{"Seoul afternoon: midnight Seoul", pol(seoul), incident.SEV2,
			time.Date(2026, 11, 24, 14, 0, 0, 0, seoul), time.Date(2026, 11, 25, 0, 0, 0, 0, seoul)},
		// 23:59 in Seoul is still the same day there, though it is 14:59 UTC.
		{"Seoul one minute to midnight", pol(seoul), incident.SEV2,
			time.Date(2026, 11, 24, 23, 59, 0, 0, seoul), time.Date(2026, 11, 25, 0, 0, 0, 0, seoul)},
		// 00:30 in Seoul is 15:30 UTC of the day before: the day is Seoul's.
		{"Seoul just after midnight", pol(seoul), incident.SEV2,
			time.Date(2026, 11, 25, 0, 30, 0, 0, seoul), time.Date(2026, 11, 26, 0, 0, 0, 0, seoul)},
		{"UTC zone, same instant", pol(time.UTC), incident.SEV2,
			time.Date(2026, 11, 25, 0, 30, 0, 0, seoul), time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)},
		// The night clocks go back in New York the day has 25 hours.
		{"New York, daylight saving ends", pol(ny), incident.SEV3,
			time.Date(2026, 11, 1, 0, 30, 0, 0, ny), time.Date(2026, 11, 2, 0, 0, 0, 0, ny)},
		{"within 4h crosses midnight", within, incident.SEV1,
			time.Date(2026, 11, 24, 22, 0, 0, 0, time.UTC), time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		inc := &incident.Incident{Grade: c.grade, CreatedAt: c.declared.UTC()}
		got := Deadline(c.p, inc)
		if !got.Equal(c.want) {
			t.Errorf("%s: deadline %v, want %v", c.name, got.In(c.want.Location()), c.want)
		}
		r := &Report{DueAt: got}
		if r.Overdue(c.want.Add(-time.Second)) || !r.Overdue(c.want.Add(time.Second)) {
			t.Errorf("%s: overdue flips at the wrong time", c.name)
		}
	}
	shared := time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC)
	if (&Report{DueAt: shared.Add(-time.Hour), FirstSharedAt: &shared}).Overdue(shared.Add(time.Hour)) {
		t.Error("a shared first report is overdue")
	}
}

func TestPrefill(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	t0 := time.Date(2026, 11, 24, 5, 2, 0, 0, time.UTC)
	inc := &incident.Incident{ID: 7, Title: "결제 지연", Summary: "카드 결제가 느립니다.", Grade: incident.SEV2, Source: "alertmanager",
		Services: []string{"checkout-api", "ledger"}, StartedAt: t0, DetectedAt: t0.Add(2 * time.Minute),
		Roles: map[incident.Role]string{incident.Resolver: "minji.kim", incident.Communicator: "alice"}}
	events := []incident.Event{
		{ID: 2, At: t0.Add(10 * time.Minute), Actor: "minji.kim", Kind: incident.EventNote, Data: map[string]any{"text": "롤백 | 시작"}},
		{ID: 1, At: t0.Add(3 * time.Minute), Actor: "alice", Kind: incident.EventDeclared, Data: map[string]any{"grade": "SEV2"}},
	}
	got := DefaultTemplate().Prefill(inc, events, seoul, "ko")
	checks := map[string][]string{
		KeySummary:   {"카드 결제가 느립니다."},
		KeyDetection: {"2026-11-24 14:04 (Asia/Seoul)", "시작: 2026-11-24 14:02\n", "alertmanager"},
		KeyServices:  {"- checkout-api\n- ledger"},
		KeyTimeline:  {"- 해결 담당: minji.kim", "- 전파 담당: alice", "| 11-24 14:05 | alice | 장애 선언 (SEV2) |", `| 11-24 14:12 | minji.kim | 롤백 \| 시작 |`},
	}
	for key, wants := range checks {
		for _, w := range wants {
			if !strings.Contains(got[key], w) {
				t.Errorf("section %s = %q; lacks %q", key, got[key], w)
			}
		}
	}
	if strings.Index(got[KeyTimeline], "장애 선언") > strings.Index(got[KeyTimeline], "롤백") {
		t.Error("timeline events are not in time order")
	}
	for _, k := range []string{KeyCause, KeyResolution, KeyRelated} {
		if got[k] != TBD {
			t.Errorf("section %s = %q, want TBD", k, got[k])
		}
	}
	if DefaultEvent(incident.Event{Kind: incident.EventUpdateOverdue}) || !DefaultEvent(incident.Event{Kind: incident.EventNote}) {
		t.Error("DefaultEvent keeps bookkeeping or drops notes")
	}
}

func TestParseConfig(t *testing.T) {
	good := `report:
  remind_every: 12h
  sections:
    - key: summary
      title: {en: Summary, ko: 요약}
      help: {en: What happened, ko: 무슨 일}
    - key: extra_notes
      title: {en: Notes}
      required: false
`
	cfg, err := ParseConfig("f.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RemindEvery != 12*time.Hour || len(cfg.Template.Sections) != 2 || cfg.Template.Sections[1].Required ||
		cfg.Template.Sections[1].TitleIn("ko") != "Notes" || cfg.Template.Sections[0].HelpIn("ko") != "무슨 일" {
		t.Errorf("config = %+v", cfg)
	}
	if cfg, err := ParseConfig("f.yaml", []byte("teams: []\n")); err != nil || len(cfg.Template.Sections) != 7 {
		t.Errorf("no report section: %v, %d sections", err, len(cfg.Template.Sections))
	}
	bad := `report:
  remind_every: 5m
  sections:
    - key: Summary
      title: {en: Summary}
    - key: cause
    - key: cause
      title: {fr: Cause}
      required: maybe
  colour: blue
`
	_, err = ParseConfig("f.yaml", []byte(bad))
	var es confyaml.Errors
	if !errors.As(err, &es) {
		t.Fatalf("err = %v", err)
	}
	want := []string{
		"f.yaml:2:17: report.remind_every: must be a duration",
		"f.yaml:4:12: report.sections[0].key: must be lower-case",
		"f.yaml:6:7: report.sections[1].title: required",
		"f.yaml:7:7: report.sections[2].key: duplicate section",
		"f.yaml:8:15: report.sections[2].title.fr: must be en or ko",
		"f.yaml:9:17: report.sections[2].required: must be true or false",
		"f.yaml:10:3: report.colour: unknown field",
	}
	text := err.Error()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("errors lack %q:\n%s", w, text)
		}
	}
}
