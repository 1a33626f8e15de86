package insight

import (
	"context"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"time"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/incident"
)

// Digest is one team's monthly e-mail: its numbers for the month before and
// its overdue action items. Key is the same for every attempt at one team's
// month, so the outbox sends it once however often it is built.
type Digest struct {
	Key     string
	Team    string
	Month   string // 2026-11
	To      []string
	Lang    string
	Subject string
	// Text and HTML are the two parts of one multipart/alternative
	// e-mail, with the same content in the digest's language.
	Text string
	HTML string
}

// DigestKey is the outbox key of a team's digest for a month.
func DigestKey(team, month string) string { return "insights:digest:" + team + ":" + month }

// DueMonth is the month whose digest is due at now: the month before now's
// (in zone) once the configured day and hour of now's month have come.
func (c DigestConfig) DueMonth(now time.Time, zone *time.Location) (string, bool) {
	l := now.In(zone)
	first := time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, zone)
	sendAt := time.Date(l.Year(), l.Month(), max(c.Day, 1), c.Hour, 0, 0, 0, zone)
	if l.Before(sendAt) {
		return "", false
	}
	return first.AddDate(0, -1, 0).Format("2006-01"), true
}

// EmailOf finds a user's e-mail address ("" when the user has none).
type EmailOf func(ctx context.Context, user string) (string, error)

// Digests builds the digests due at the service's now, one per team with a
// lead (or per configured team). Each team's numbers are those its lead may
// see: a restricted incident counts only when the lead is a member.
func (s *Service) Digests(ctx context.Context, cfg DigestConfig, emailOf EmailOf) ([]Digest, error) {
	if !cfg.Enabled || s.Catalog == nil {
		return nil, nil
	}
	month, due := cfg.DueMonth(s.now(), s.zone())
	if !due {
		return nil, nil
	}
	var out []Digest
	for _, team := range s.Catalog.Teams() {
		if len(cfg.Teams) > 0 && !contains(cfg.Teams, team.Name) {
			continue
		}
		if team.Lead == "" {
			continue
		}
		to, err := emailOf(ctx, team.Lead)
		if err != nil {
			return nil, fmt.Errorf("digest for team %s: %w", team.Name, err)
		}
		rcpts := append([]string{}, cfg.Cc...)
		if to != "" {
			rcpts = append([]string{to}, rcpts...)
		}
		if len(rcpts) == 0 {
			continue // nobody to write to
		}
		lead := auth.User{Name: team.Lead, Role: auth.Viewer}
		rep, err := s.Report(ctx, lead, Query{Period: month, Team: team.Name})
		if err != nil {
			return nil, fmt.Errorf("digest for team %s: %w", team.Name, err)
		}
		name := team.DisplayName
		if name == "" {
			name = team.Name
		}
		subject, view := digestContent(cfg.Language, name, month, rep)
		html, err := view.html()
		if err != nil {
			return nil, err
		}
		out = append(out, Digest{Key: DigestKey(team.Name, month), Team: team.Name, Month: month, To: rcpts,
			Lang: cfg.Language, Subject: subject, Text: view.text(), HTML: html})
	}
	return out, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// digestView is a digest's content in one language, rendered as plain text
// and as HTML (the two parts of one multipart/alternative e-mail).
type digestView struct {
	Lang     string
	Heading  string
	Grades   string
	Measures []digestLine
	Recurs   string
	Items    string
	Overdue  string
	Listed   []string
}

// digestLine is one measure: its name and its figures.
type digestLine struct{ Label, Value string }

// digestContent writes the digest's subject and content in Korean or
// English.
func digestContent(lang, team, month string, rep *Report) (string, digestView) {
	ko := lang == "ko"
	pick := func(en, k string) string {
		if ko {
			return k
		}
		return en
	}
	v := digestView{Lang: pick("en", "ko")}
	subject := fmt.Sprintf(pick("[Firebreak] %s: incidents in %s", "[Firebreak] %s: %s 장애 요약"), team, month)
	v.Heading = fmt.Sprintf(pick("Incidents of %s in %s (%s): %d", "%s의 %s 장애 (%s): %d건"), team, month, rep.Zone, rep.Incidents)
	var grades []string
	for _, c := range rep.Counts {
		grades = append(grades, fmt.Sprintf("SEV1 %d · SEV2 %d · SEV3 %d · SEV4 %d · SEV5 %d", c.ByGrade[0], c.ByGrade[1], c.ByGrade[2], c.ByGrade[3], c.ByGrade[4]))
	}
	v.Grades = strings.Join(grades, "; ")
	names := map[Measure][2]string{
		Detect: {"Time to detect", "탐지 시간"}, Acknowledge: {"Time to acknowledge", "대응 착수 시간"},
		Mitigate: {"Time to mitigate", "완화 시간"}, Resolve: {"Time to resolve", "해결 시간"},
	}
	for _, m := range Measures {
		st := rep.Overall.Stats[m]
		line := digestLine{Label: pick(names[m][0], names[m][1]), Value: "—"}
		if st.Count > 0 {
			line.Value = fmt.Sprintf(pick("median %s, p90 %s (%d incidents)", "중앙값 %s, p90 %s (%d건)"), short(st.Median), short(st.P90), st.Count)
		}
		v.Measures = append(v.Measures, line)
	}
	v.Recurs = fmt.Sprintf(pick("Recurring: %d of %d", "재발: %d/%d건"), rep.Recurrence.Recurring, rep.Recurrence.Incidents)
	it := rep.Items
	v.Items = fmt.Sprintf(pick("Action items: %d opened, %d done (%d of %d by the due date)", "조치 항목: %d건 등록, %d건 완료 (기한 내 %d/%d건)"),
		it.Opened, it.Done, it.DoneOnTime, it.DoneDue)
	v.Overdue = fmt.Sprintf(pick("Overdue now: %d; long-term open > 90 days: %d", "현재 기한 초과: %d건, 90일 넘은 장기 항목: %d건"), it.Overdue, it.LongOpen)
	for _, x := range it.OverdueItems {
		v.Listed = append(v.Listed, fmt.Sprintf(pick("%s %s (%s, due %s)", "%s %s (%s, 기한 %s)"),
			incident.FormatRef(x.IncidentID), x.Title, x.Owner, x.DueAt.Format("2006-01-02")))
	}
	return subject, v
}

// text renders the plain-text part.
func (v digestView) text() string {
	var b strings.Builder
	b.WriteString(v.Heading + "\n")
	if v.Grades != "" {
		b.WriteString("  " + v.Grades + "\n")
	}
	b.WriteString("\n")
	for _, m := range v.Measures {
		fmt.Fprintf(&b, "%s: %s\n", m.Label, m.Value)
	}
	b.WriteString(v.Recurs + "\n\n" + v.Items + "\n" + v.Overdue + "\n")
	for _, x := range v.Listed {
		b.WriteString("  - " + x + "\n")
	}
	return b.String()
}

// digestHTML is the HTML part; html/template escapes titles and names.
var digestHTML = htmltemplate.Must(htmltemplate.New("digest").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"></head>
<body style="font-family: sans-serif; color: #1f2328">
<h1 style="font-size: 1.2em">{{.Heading}}</h1>
{{if .Grades}}<p>{{.Grades}}</p>{{end}}
<table style="border-collapse: collapse">
{{range .Measures}}<tr><th scope="row" style="text-align: left; padding: 2px 12px 2px 0">{{.Label}}</th><td>{{.Value}}</td></tr>
{{end}}</table>
<p>{{.Recurs}}</p>
<p>{{.Items}}<br>{{.Overdue}}</p>
{{if .Listed}}<ul>{{range .Listed}}<li>{{.}}</li>{{end}}</ul>{{end}}
</body></html>
`))

// html renders the HTML part.
func (v digestView) html() (string, error) {
	var b strings.Builder
	if err := digestHTML.Execute(&b, v); err != nil {
		return "", fmt.Errorf("digest html: %w", err)
	}
	return b.String(), nil
}

func short(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}
