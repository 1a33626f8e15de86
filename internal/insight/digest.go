package insight

import (
	"context"
	"fmt"
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
	Text    string
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
		subject, text := digestText(cfg.Language, name, month, rep)
		out = append(out, Digest{Key: DigestKey(team.Name, month), Team: team.Name, Month: month, To: rcpts,
			Lang: cfg.Language, Subject: subject, Text: text})
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

// digestText writes the digest in Korean or English.
func digestText(lang, team, month string, rep *Report) (string, string) {
	ko := lang == "ko"
	pick := func(en, k string) string {
		if ko {
			return k
		}
		return en
	}
	var b strings.Builder
	subject := fmt.Sprintf(pick("[Firebreak] %s: incidents in %s", "[Firebreak] %s: %s 장애 요약"), team, month)
	fmt.Fprintf(&b, pick("Incidents of %s in %s (%s): %d\n", "%s의 %s 장애 (%s): %d건\n"), team, month, rep.Zone, rep.Incidents)
	for _, c := range rep.Counts {
		fmt.Fprintf(&b, "  SEV1 %d · SEV2 %d · SEV3 %d · SEV4 %d · SEV5 %d\n", c.ByGrade[0], c.ByGrade[1], c.ByGrade[2], c.ByGrade[3], c.ByGrade[4])
	}
	b.WriteString("\n")
	names := map[Measure][2]string{
		Detect: {"Time to detect", "탐지 시간"}, Acknowledge: {"Time to acknowledge", "대응 착수 시간"},
		Mitigate: {"Time to mitigate", "완화 시간"}, Resolve: {"Time to resolve", "해결 시간"},
	}
	for _, m := range Measures {
		st := rep.Overall.Stats[m]
		label := names[m][0]
		if ko {
			label = names[m][1]
		}
		if st.Count == 0 {
			fmt.Fprintf(&b, "%s: —\n", label)
			continue
		}
		fmt.Fprintf(&b, pick("%s: median %s, p90 %s (%d incidents)\n", "%s: 중앙값 %s, p90 %s (%d건)\n"), label, short(st.Median), short(st.P90), st.Count)
	}
	fmt.Fprintf(&b, pick("Recurring: %d of %d\n", "재발: %d/%d건\n"), rep.Recurrence.Recurring, rep.Recurrence.Incidents)
	it := rep.Items
	fmt.Fprintf(&b, pick("\nAction items: %d opened, %d done (%d of %d by the due date)\n", "\n조치 항목: %d건 등록, %d건 완료 (기한 내 %d/%d건)\n"),
		it.Opened, it.Done, it.DoneOnTime, it.DoneDue)
	fmt.Fprintf(&b, pick("Overdue now: %d; long-term open > 90 days: %d\n", "현재 기한 초과: %d건, 90일 넘은 장기 항목: %d건\n"), it.Overdue, it.LongOpen)
	for _, x := range it.OverdueItems {
		fmt.Fprintf(&b, pick("  - %s %s (%s, due %s)\n", "  - %s %s (%s, 기한 %s)\n"), incident.FormatRef(x.IncidentID), x.Title, x.Owner, x.DueAt.Format("2006-01-02"))
	}
	return subject, b.String()
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
